import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import * as z from 'zod';
import type { SerializedIndex } from './local-index.js';

const cacheFormat = 1;

const cacheFileSchema = z.object({
  format: z.literal(cacheFormat),
  fingerprint: z.string(),
  builtAt: z.string(),
  documents: z.number(),
  // Our own output: its shape is MiniSearch's, checked by MiniSearch when loaded.
  index: z.custom<SerializedIndex>((value) => typeof value === 'object' && value !== null && 'chunks' in value && 'index' in value),
});

/** The saved index when the file exists, parses and was built from the same fingerprint; otherwise nothing. */
export const readIndexCache = async (file: string, fingerprint: string): Promise<SerializedIndex | undefined> => {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = cacheFileSchema.safeParse(JSON.parse(text));
    return parsed.success && parsed.data.fingerprint === fingerprint ? parsed.data.index : undefined;
  } catch {
    return undefined;
  }
};

/** Saves an index atomically (temporary file, then rename), so a concurrent reader never sees half a file. Throws when it cannot write. */
export const writeIndexCache = async (file: string, fingerprint: string, index: SerializedIndex, documents: number): Promise<void> => {
  await mkdir(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
  const content = { format: cacheFormat, fingerprint, builtAt: new Date().toISOString(), documents, index };
  try {
    await writeFile(temporary, JSON.stringify(content));
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => undefined);
    throw error;
  }
};
