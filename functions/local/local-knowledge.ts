import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { TollwayConfig } from '../core/config/schema.js';
import { silentLogger, type GatewayLogger } from '../core/logger.js';
import { LocalRetriever } from '../knowledge/local/local-retriever.js';
import { LocalStartError } from './start-error.js';

/** A `provider: local` knowledge base with its folder resolved. */
export interface LocalKnowledgeFolder {
  name: string;
  /** As written in the config. */
  path: string;
  folder: string;
}

/** The folders of the config's local knowledge bases, relative paths resolved against `baseDirectory` (the config file's folder). */
export const localKnowledgeFolders = (config: TollwayConfig, baseDirectory: string): LocalKnowledgeFolder[] =>
  config.knowledge_bases.flatMap((base) => (base.provider === 'local' ? [{ name: base.name, path: base.path, folder: resolve(baseDirectory, base.path) }] : []));

/** What is wrong with a knowledge-base folder, or undefined when it is a readable folder. */
export const folderProblem = (folder: string): string | undefined => {
  try {
    return statSync(folder).isDirectory() ? undefined : 'is not a folder';
  } catch (error) {
    return (error as { code?: string }).code === 'ENOENT' ? 'does not exist' : `cannot be read (${(error as Error).message})`;
  }
};

/** Throws a one-line LocalStartError for the first local knowledge base whose folder is missing. */
export const assertKnowledgeFolders = (config: TollwayConfig, baseDirectory: string, configSource: string): void => {
  for (const base of localKnowledgeFolders(config, baseDirectory)) {
    const problem = folderProblem(base.folder);
    if (problem) {
      throw new LocalStartError(`knowledge_bases "${base.name}": path ${base.path} (${base.folder}) ${problem}; fix "path" in ${configSource}, relative to that file's folder.`);
    }
  }
};

/** Progress of indexing one knowledge base at start. */
export type IndexProgress =
  | { kind: 'indexing'; knowledgeBase: string; documents: number; total: number }
  | { kind: 'indexed'; knowledgeBase: string; documents: number; chunks: number; ms: number; fromCache: boolean };

/**
 * Indexes every local knowledge base into `cacheDirectory` (the index files
 * the gateway's retrievers then load), reporting progress; an index still
 * current is only loaded.
 */
export const indexKnowledgeBases = async (
  config: TollwayConfig,
  options: { baseDirectory: string; cacheDirectory: string; onProgress: (progress: IndexProgress) => void; progressEvery?: number },
): Promise<void> => {
  for (const base of localKnowledgeFolders(config, options.baseDirectory)) {
    const startedAt = Date.now();
    const progressLogger: GatewayLogger = {
      ...silentLogger,
      info: (message, fields) => {
        if (message === 'indexing knowledge base') {
          options.onProgress({ kind: 'indexing', knowledgeBase: base.name, documents: Number(fields?.documents), total: Number(fields?.total) });
        }
      },
    };
    const retriever = new LocalRetriever({
      name: base.name,
      folder: base.folder,
      cacheFile: join(options.cacheDirectory, `${base.name}.json`),
      logger: progressLogger,
      progressEvery: options.progressEvery ?? 100,
    });
    const index = await retriever.index();
    options.onProgress({
      kind: 'indexed',
      knowledgeBase: base.name,
      documents: new Set(index.chunks.map((chunk) => chunk.attributes.path)).size,
      chunks: index.chunks.length,
      ms: Date.now() - startedAt,
      fromCache: retriever.loads.fromCache > 0,
    });
  }
};
