import { createHash } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** Extensions a local knowledge base indexes. */
export const documentExtensions: ReadonlySet<string> = new Set(['md', 'markdown', 'txt', 'text', 'html', 'htm']);

export interface DocumentFile {
  /** `/`-separated path inside the folder. */
  path: string;
  absolutePath: string;
  size: number;
  modifiedMs: number;
}

const isDocument = (name: string): boolean => documentExtensions.has(/\.([^.]+)$/.exec(name)?.[1]?.toLowerCase() ?? '');

/** Every document under `folder`, sorted by path; hidden entries (`.git`, caches) and `node_modules` are skipped. */
export const scanFolder = async (folder: string): Promise<DocumentFile[]> => {
  const files: DocumentFile[] = [];
  const walk = async (directory: string, prefix: string): Promise<void> => {
    const entries = await readdir(directory, { withFileTypes: true });
    for (const entry of entries) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const absolutePath = join(directory, entry.name);
      const path = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        await walk(absolutePath, path);
      } else if (entry.isFile() && isDocument(entry.name)) {
        const stats = await stat(absolutePath);
        files.push({ path, absolutePath, size: stats.size, modifiedMs: Math.trunc(stats.mtimeMs) });
      }
    }
  };
  await walk(folder, '');
  return files.sort((left, right) => (left.path < right.path ? -1 : left.path > right.path ? 1 : 0));
};

/**
 * What an index was built from: the folder, every file's path, size and
 * modification time, and the indexing version (so a change in chunking
 * invalidates old caches). Same fingerprint, same index.
 */
export const fingerprintOf = (folder: string, files: readonly DocumentFile[], indexVersion: string): string => {
  const hash = createHash('sha256').update(`${indexVersion}\n${folder}\n`);
  for (const file of files) hash.update(`${file.path}\t${file.size}\t${file.modifiedMs}\n`);
  return hash.digest('hex');
};
