#!/usr/bin/env node
/**
 * Builds the web console (console/ → console/dist) with Vite when its sources
 * are newer than the last build; `npm start`, `npm test` and the admin
 * function's CDK bundling run it. `--force` rebuilds regardless.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const consoleRoot = fileURLToPath(new URL('../console/', import.meta.url));
const outDir = join(consoleRoot, 'dist');
const stamp = join(outDir, '.built');

const newestSource = (path) => {
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  return Math.max(0, ...readdirSync(path).filter((name) => name !== 'dist').map((name) => newestSource(join(path, name))));
};

/** Builds unless the build is newer than every source file; resolves with what it did. */
export const buildConsole = async ({ force = false } = {}) => {
  if (!force && existsSync(stamp) && statSync(stamp).mtimeMs >= newestSource(consoleRoot)) return { built: false, outDir };
  const { build } = await import('vite');
  const result = await build({
    configFile: false,
    root: consoleRoot,
    // Relative, so the page works under an API Gateway stage (/prod/ui) as well as at /ui (see below).
    base: './',
    logLevel: 'warn',
    // Vite's own JSX transform (Oxc), pointed at Preact: no Babel, no preset.
    oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
    build: { outDir, emptyOutDir: true, assetsDir: 'assets', sourcemap: false, target: 'es2022', modulePreload: { polyfill: false }, reportCompressedSize: false },
  });
  const outputs = (Array.isArray(result) ? result : [result]).flatMap((entry) => entry.output ?? []);
  // The page is served at `<stage>/ui` (no trailing slash; `/ui/` redirects there), so its assets are at `./ui/assets/`.
  const page = join(outDir, 'index.html');
  writeFileSync(page, readFileSync(page, 'utf8').replaceAll('"./assets/', '"./ui/assets/'));
  writeFileSync(stamp, new Date().toISOString());
  return { built: true, outDir, files: outputs.map((file) => ({ name: file.fileName, bytes: Buffer.byteLength(file.type === 'chunk' ? file.code : file.source) })) };
};

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const started = Date.now();
  const result = await buildConsole({ force: process.argv.includes('--force') });
  if (result.built) {
    const total = result.files.reduce((sum, file) => sum + file.bytes, 0);
    console.log(`console built in ${Date.now() - started} ms: ${result.files.length} files, ${(total / 1024).toFixed(1)} KiB in ${result.outDir}`);
  }
}
