import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GatewayLogger } from '../../../functions/core/logger.js';
import { LocalRetriever } from '../../../functions/knowledge/local/local-retriever.js';

interface LogLine {
  level: string;
  message: string;
  fields?: Record<string, unknown>;
}

const recordingLogger = (): GatewayLogger & { lines: LogLine[] } => {
  const lines: LogLine[] = [];
  return {
    lines,
    info: (message, fields) => lines.push({ level: 'info', message, fields }),
    warn: (message, fields) => lines.push({ level: 'warn', message, fields }),
    error: (message, fields) => lines.push({ level: 'error', message, fields }),
  };
};

const documents: Record<string, string> = {
  'budgets.md': '# Budgets\n\nA key may spend at most its max_budget per period.\n\n## Rate limits\n\nrpm_limit caps requests per minute.',
  'guides/streaming.txt': 'Streaming\n\nTokens arrive as server-sent events while the model writes.',
  'guides/errors.html': '<html><head><title>Errors</title></head><body><h1>Errors</h1><p>A budget that is exhausted answers 429 budget_exceeded.</p></body></html>',
  'notes.md': '# Notes\n\nNothing about money here, only streaming notes.',
  '.hidden/secret.md': '# Hidden\n\nbudget budget budget',
  'image.png': 'not a document',
};

describe('LocalRetriever', () => {
  let root: string;
  let folder: string;
  let cacheFile: string;

  const write = (path: string, content: string) => {
    mkdirSync(join(folder, path, '..'), { recursive: true });
    writeFileSync(join(folder, path), content);
  };

  const retriever = (overrides: Partial<ConstructorParameters<typeof LocalRetriever>[0]> = {}) =>
    new LocalRetriever({ name: 'docs', folder, cacheFile, logger: recordingLogger(), ...overrides });

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'tollway-local-kb-'));
    folder = join(root, 'documents');
    cacheFile = join(root, 'cache', 'docs.json');
    for (const [path, content] of Object.entries(documents)) write(path, content);
  });

  afterEach(() => rmSync(root, { recursive: true, force: true }));

  describe('searching', () => {
    it('finds passages across Markdown, text and HTML, best first, with their attributes', async () => {
      const passages = await retriever().retrieve({ query: 'budget exhausted', maxResults: 10 });

      expect(passages.map((passage) => `${passage.fileId}#${passage.attributes.heading}`)).toEqual([
        'guides/errors.html#',
        'budgets.md#',
        // The title, "Budgets", matches too.
        'budgets.md#Rate limits',
      ]);
      expect(passages[0]).toMatchObject({
        filename: 'errors.html',
        location: 'guides/errors.html',
        attributes: { path: 'guides/errors.html', title: 'Errors', heading: '', extension: 'html' },
        text: 'A budget that is exhausted answers 429 budget_exceeded.',
      });
      expect(passages[0].score).toBe(1);
      expect(passages[1].score).toBeGreaterThan(0);
      expect(passages[1].score).toBeLessThan(1);
    });

    it('skips hidden folders and files that are not documents', async () => {
      const passages = await retriever().retrieve({ query: 'budget', maxResults: 50 });

      expect(passages.map((passage) => passage.fileId)).not.toContain('.hidden/secret.md');
      expect(passages.every((passage) => /\.(md|txt|html)$/.test(passage.fileId))).toBe(true);
    });

    it('finds inflected and misspelled words', async () => {
      const passages = await retriever().retrieve({ query: 'budgeting limts', maxResults: 3 });

      expect(passages[0].fileId).toBe('budgets.md');
    });

    it('applies filters on the attributes: comparisons, lists and nested and/or', async () => {
      const search = (filters: Parameters<LocalRetriever['retrieve']>[0]['filters']) =>
        retriever()
          .retrieve({ query: 'budget streaming', maxResults: 10, filters })
          .then((passages) => [...new Set(passages.map((passage) => passage.fileId))].sort());

      expect(await search({ type: 'eq', key: 'extension', value: 'md' })).toEqual(['budgets.md', 'notes.md']);
      expect(await search({ type: 'nin', key: 'extension', value: ['md'] })).toEqual(['guides/errors.html', 'guides/streaming.txt']);
      expect(await search({ type: 'in', key: 'title', value: ['Errors', 'Streaming'] })).toEqual(['guides/errors.html', 'guides/streaming.txt']);
      expect(
        await search({
          type: 'or',
          filters: [
            { type: 'eq', key: 'heading', value: 'Rate limits' },
            {
              type: 'and',
              filters: [
                { type: 'gte', key: 'path', value: 'guides/' },
                { type: 'lt', key: 'path', value: 'h' },
                { type: 'ne', key: 'extension', value: 'html' },
              ],
            },
          ],
        }),
      ).toEqual(['budgets.md', 'guides/streaming.txt']);
    });

    it('drops passages scoring under the threshold and honours maxResults', async () => {
      const all = await retriever().retrieve({ query: 'budget streaming model', maxResults: 10 });
      const threshold = all[1].score + 0.0001;

      const kept = await retriever().retrieve({ query: 'budget streaming model', maxResults: 10, scoreThreshold: threshold });
      const one = await retriever().retrieve({ query: 'budget streaming model', maxResults: 1 });

      expect(all.length).toBeGreaterThan(2);
      expect(kept).toEqual([all[0]]);
      expect(one).toEqual([all[0]]);
    });

    it('scores a query the folder barely covers low throughout', async () => {
      const passages = await retriever().retrieve({ query: 'budget kubernetes helm terraform', maxResults: 5 });

      expect(passages.length).toBeGreaterThan(0);
      for (const passage of passages) expect(passage.score).toBeLessThanOrEqual(0.25);
    });

    it('returns nothing for a query made only of stop words', async () => {
      expect(await retriever().retrieve({ query: 'how do I the', maxResults: 5 })).toEqual([]);
    });

    it('answers 500 when the folder does not exist', async () => {
      await expect(retriever({ folder: join(root, 'missing') }).retrieve({ query: 'x', maxResults: 1 })).rejects.toMatchObject({
        status: 500,
        code: 'knowledge_base_unavailable',
      });
    });
  });

  describe('the saved index', () => {
    it('is built on the first search and saved, then reused by the next start while nothing changed', async () => {
      const first = retriever();
      const before = await first.retrieve({ query: 'rate limits', maxResults: 3 });
      expect(first.loads).toEqual({ built: 1, fromCache: 0 });
      expect(existsSync(cacheFile)).toBe(true);
      const savedAt = readFileSync(cacheFile, 'utf8');

      const restarted = retriever();
      const after = await restarted.retrieve({ query: 'rate limits', maxResults: 3 });

      expect(restarted.loads).toEqual({ built: 0, fromCache: 1 });
      expect(after).toEqual(before);
      expect(readFileSync(cacheFile, 'utf8')).toBe(savedAt);
    });

    it('is not rebuilt by later searches when nothing changed', async () => {
      let now = 0;
      const warm = retriever({ clock: () => now, recheckAfterMs: 1000 });

      await warm.retrieve({ query: 'budget', maxResults: 1 });
      now += 5000;
      await warm.retrieve({ query: 'budget', maxResults: 1 });
      await Promise.all([warm.retrieve({ query: 'budget', maxResults: 1 }), warm.retrieve({ query: 'stream', maxResults: 1 })]);

      expect(warm.loads).toEqual({ built: 1, fromCache: 0 });
    });

    it('is rebuilt when a document changes, on the next start and in a running retriever', async () => {
      let now = 0;
      const running = retriever({ clock: () => now, recheckAfterMs: 1000 });
      await running.retrieve({ query: 'budget', maxResults: 1 });

      write('notes.md', '# Notes\n\nKubernetes deployment notes.');
      utimesSync(join(folder, 'notes.md'), new Date(), new Date(Date.now() + 10_000));
      const beforeRecheck = await running.retrieve({ query: 'kubernetes', maxResults: 1 });
      now += 5000;
      const afterRecheck = await running.retrieve({ query: 'kubernetes', maxResults: 1 });
      const restarted = retriever();
      const fresh = await restarted.retrieve({ query: 'kubernetes', maxResults: 1 });

      expect(beforeRecheck).toEqual([]);
      expect(afterRecheck[0].fileId).toBe('notes.md');
      expect(running.loads).toEqual({ built: 2, fromCache: 0 });
      expect(restarted.loads).toEqual({ built: 0, fromCache: 1 });
      expect(fresh).toEqual(afterRecheck);
    });

    it('is rebuilt when a document is added or removed', async () => {
      await retriever().retrieve({ query: 'budget', maxResults: 1 });

      write('added.md', '# Added\n\nHelm charts.');
      const afterAdding = retriever();
      const found = await afterAdding.retrieve({ query: 'helm', maxResults: 1 });
      rmSync(join(folder, 'added.md'));
      const afterRemoving = retriever();
      const gone = await afterRemoving.retrieve({ query: 'helm', maxResults: 1 });

      expect(afterAdding.loads.built).toBe(1);
      expect(found[0].fileId).toBe('added.md');
      expect(afterRemoving.loads.built).toBe(1);
      expect(gone).toEqual([]);
    });

    it('stays in memory when the cache cannot be written (read-only filesystem), saying so once', async () => {
      writeFileSync(join(root, 'a-file'), '');
      const logger = recordingLogger();
      let now = 0;
      const readOnly = retriever({ cacheFile: join(root, 'a-file', 'docs.json'), logger, clock: () => now, recheckAfterMs: 10 });

      const passages = await readOnly.retrieve({ query: 'budget', maxResults: 1 });
      write('more.md', '# More\n\nbudget');
      now += 100;
      await readOnly.retrieve({ query: 'budget', maxResults: 1 });

      expect(passages).toHaveLength(1);
      expect(readOnly.loads.built).toBe(2);
      expect(logger.lines.filter((line) => line.message.includes('kept in memory only'))).toHaveLength(1);
    });

    it('ignores a corrupt cache file and rebuilds', async () => {
      mkdirSync(join(root, 'cache'), { recursive: true });
      writeFileSync(cacheFile, '{"format": 1, "fingerprint": "nope"');

      const fresh = retriever();
      await fresh.retrieve({ query: 'budget', maxResults: 1 });

      expect(fresh.loads).toEqual({ built: 1, fromCache: 0 });
    });
  });

  it('logs progress every N documents on large folders', async () => {
    for (let index = 0; index < 6; index += 1) write(`bulk/page-${index}.md`, `# Page ${index}\n\nFiller text ${index}.`);
    const logger = recordingLogger();

    await retriever({ logger, progressEvery: 4 }).retrieve({ query: 'filler', maxResults: 1 });

    const progress = logger.lines.filter((line) => line.message === 'indexing knowledge base').map((line) => line.fields);
    expect(progress).toEqual([
      { knowledge_base: 'docs', documents: 4, total: 10 },
      { knowledge_base: 'docs', documents: 8, total: 10 },
    ]);
    expect(logger.lines.find((line) => line.message === 'indexed knowledge base')?.fields).toMatchObject({ knowledge_base: 'docs', documents: 10 });
  });
});
