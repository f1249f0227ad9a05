import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { consoleContentTypes, type ConsoleAssets } from '../core/ui/console-assets.js';

/** The console's built files in a folder on disk (`console/dist` locally, `console/` beside the Lambda bundle). */
export const consoleFilesIn = (folder: string): ConsoleAssets => {
  const root = normalize(folder + sep);
  return {
    async read(name) {
      const path = normalize(join(root, name));
      const contentType = consoleContentTypes[extname(path).slice(1)];
      if (!path.startsWith(root) || !contentType) return undefined;
      try {
        return { body: await readFile(path), contentType };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'EISDIR') return undefined;
        throw error;
      }
    },
  };
};
