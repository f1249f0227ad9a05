import { resolve } from 'node:path';
import { indexProgressLine } from '../local/banner.js';
import { loadLocalConfig } from '../local/local-config.js';
import { indexKnowledgeBases, type IndexProgress } from '../local/local-knowledge.js';
import type { CommandResult } from './admin-commands.js';
import { CliError } from './gateway-client.js';

/**
 * `tollway index`: builds the indexes of the local knowledge bases into the
 * data folder (what `npm start` would otherwise do at start), with progress.
 */
export const indexCommand = async (options: { configPath: string; dataDir: string; progress: (line: string) => void }): Promise<CommandResult> => {
  if (options.dataDir === ':memory:') throw new CliError('TOLLWAY_DATA_DIR=:memory: keeps no index; give --data-dir <folder>.');
  const local = loadLocalConfig(options.configPath);
  const indexed: Array<Extract<IndexProgress, { kind: 'indexed' }>> = [];
  await indexKnowledgeBases(local.config, {
    baseDirectory: local.baseDirectory,
    cacheDirectory: resolve(options.dataDir, 'knowledge'),
    progressEvery: 50,
    onProgress: (progress) => {
      if (progress.kind === 'indexed') indexed.push(progress);
      options.progress(indexProgressLine(progress));
    },
  });
  return { data: { knowledge_bases: indexed }, text: indexed.length === 0 ? 'no local knowledge bases in the config' : `indexed ${indexed.length} knowledge base(s) into ${resolve(options.dataDir, 'knowledge')}` };
};
