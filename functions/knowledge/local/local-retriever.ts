import { readFile } from 'node:fs/promises';
import { GatewayError } from '../../core/errors.js';
import type { Passage, RetrievalQuery } from '../../core/knowledge/knowledge-service.js';
import type { GatewayLogger } from '../../core/logger.js';
import type { Retriever } from '../retriever.js';
import { fingerprintOf, scanFolder, type DocumentFile } from './folder-scan.js';
import { readIndexCache, writeIndexCache } from './index-cache.js';
import { LocalIndex, LocalIndexBuilder } from './local-index.js';

/** Bump when chunking or indexing changes, so caches built the old way are rebuilt. */
export const localIndexVersion = 'local-index-1';

export interface LocalRetrieverOptions {
  /** The knowledge base name, for logs. */
  name: string;
  /** Absolute path of the document folder. */
  folder: string;
  /** Where the index is saved between runs; kept in memory only without it (or when it cannot be written). */
  cacheFile?: string;
  logger: GatewayLogger;
  /** Log progress every this many documents on folders at least that large. */
  progressEvery?: number;
  /** A warm index trusts the folder unchanged for this long before looking again (ms). */
  recheckAfterMs?: number;
  clock?: () => number;
}

interface LoadedIndex {
  index: LocalIndex;
  fingerprint: string;
  checkedAt: number;
}

/**
 * Searches a folder of documents with a BM25 index, built on first use,
 * saved to `cacheFile` and reused while no document was added, removed or
 * modified (by path, size and modification time).
 */
export class LocalRetriever implements Retriever {
  /** How often the index was built from the documents, and how often it came from the cache file. */
  readonly loads = { built: 0, fromCache: 0 };
  private loaded: LoadedIndex | undefined;
  private pending: Promise<LocalIndex> | undefined;
  private persistenceWarned = false;
  private readonly clock: () => number;

  constructor(private readonly options: LocalRetrieverOptions) {
    this.clock = options.clock ?? Date.now;
  }

  async retrieve(query: RetrievalQuery): Promise<Passage[]> {
    const index = await this.index();
    return index.search(query);
  }

  /** The current index, loading or rebuilding it when the folder changed. */
  index(): Promise<LocalIndex> {
    const loaded = this.loaded;
    if (loaded && this.clock() - loaded.checkedAt < (this.options.recheckAfterMs ?? 2000)) return Promise.resolve(loaded.index);
    this.pending ??= this.refresh().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async refresh(): Promise<LocalIndex> {
    const files = await this.scan();
    const fingerprint = fingerprintOf(this.options.folder, files, localIndexVersion);
    if (this.loaded?.fingerprint === fingerprint) {
      this.loaded.checkedAt = this.clock();
      return this.loaded.index;
    }
    const index = (await this.fromCache(fingerprint)) ?? (await this.build(files, fingerprint));
    this.loaded = { index, fingerprint, checkedAt: this.clock() };
    return index;
  }

  private async scan(): Promise<DocumentFile[]> {
    try {
      return await scanFolder(this.options.folder);
    } catch (error) {
      throw new GatewayError(500, `The folder of knowledge base "${this.options.name}" cannot be read.`, {
        type: 'server_error',
        code: 'knowledge_base_unavailable',
        cause: error,
      });
    }
  }

  private async fromCache(fingerprint: string): Promise<LocalIndex | undefined> {
    if (!this.options.cacheFile) return undefined;
    const serialized = await readIndexCache(this.options.cacheFile, fingerprint);
    if (!serialized) return undefined;
    try {
      const index = LocalIndex.fromJSON(serialized);
      this.loads.fromCache += 1;
      return index;
    } catch {
      return undefined;
    }
  }

  private async build(files: readonly DocumentFile[], fingerprint: string): Promise<LocalIndex> {
    const { name, logger } = this.options;
    const progressEvery = this.options.progressEvery ?? 200;
    const startedAt = this.clock();
    const builder = new LocalIndexBuilder();
    for (const [position, file] of files.entries()) {
      builder.add({ path: file.path, content: await readFile(file.absolutePath, 'utf8') });
      if (files.length >= progressEvery && (position + 1) % progressEvery === 0) {
        logger.info('indexing knowledge base', { knowledge_base: name, documents: position + 1, total: files.length });
      }
    }
    const index = builder.finish();
    this.loads.built += 1;
    logger.info('indexed knowledge base', { knowledge_base: name, documents: files.length, chunks: index.chunks.length, ms: this.clock() - startedAt });
    await this.persist(index, fingerprint, files.length);
    return index;
  }

  /** Saves the index; a read-only filesystem (Lambda) only costs a rebuild on the next cold start. */
  private async persist(index: LocalIndex, fingerprint: string, documents: number): Promise<void> {
    if (!this.options.cacheFile) return;
    try {
      await writeIndexCache(this.options.cacheFile, fingerprint, index.toJSON(), documents);
    } catch (error) {
      if (this.persistenceWarned) return;
      this.persistenceWarned = true;
      this.options.logger.info('knowledge base index kept in memory only: the cache file cannot be written', {
        knowledge_base: this.options.name,
        cacheFile: this.options.cacheFile,
        reason: error instanceof Error ? error.message : String(error),
      });
    }
  }
}
