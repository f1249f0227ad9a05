/**
 * Cold start: each Lambda bundle built with esbuild exactly as the stack
 * builds it (`gatewayBundling` in lib/gateway-function.ts, plus a metafile for
 * the breakdown), its size, and the time a fresh Node process takes to import
 * it, against an empty bundle built the same way.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { parseConfig } from '../../functions/core/config/load.js';
import type { FunctionName } from '../../functions/core/routes.js';
import { gatewayBundling, type GatewayBundling } from '../../lib/gateway-function.js';
import { median } from '../stats.js';

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
/** Inside the project, so bundles that leave packages external resolve them from node_modules as the runtime's would. */
const outputRoot = join(projectRoot, 'node_modules', '.cache', 'tollway-bench', 'bundles');
const functionNames: FunctionName[] = ['chat', 'mcp', 'retrieve', 'admin'];

export interface BundleResult {
  /** A function, or the empty baseline. */
  name: string;
  bytes: number;
  gzipBytes: number;
  /** Median time to `import()` the bundle in a fresh Node process. */
  importMs: number;
  /** `importMs` minus the empty bundle's. */
  addedImportMs: number;
  /** Median wall time of the whole process (start, import, exit). */
  processMs: number;
  /** The largest contributors to the bundle, by package or source folder, in bytes. */
  largest: Array<{ input: string; bytes: number }>;
}

export interface ColdStartResult {
  runs: number;
  nodeOptions: string;
  bundles: BundleResult[];
}

/** The esbuild options equivalent to the CDK bundling definition (as `NodejsFunction` passes them on). */
export const esbuildOptionsOf = (bundling: GatewayBundling): BuildOptions => ({
  bundle: true,
  platform: 'node',
  format: bundling.format === OutputFormat.ESM ? 'esm' : 'cjs',
  target: bundling.target,
  mainFields: bundling.mainFields,
  banner: bundling.banner ? { js: bundling.banner } : undefined,
  minify: bundling.minify,
  sourcemap: bundling.sourceMap,
  sourcesContent: bundling.sourcesContent,
  external: bundling.externalModules,
  define: bundling.define,
  logLevel: 'warning',
});

/** Bytes by package (`node_modules/<package>`) or by source folder (`functions/<folder>`). */
const largestInputs = (metafile: Metafile, outputFile: string, top = 8) => {
  const output = Object.entries(metafile.outputs).find(([path]) => path.endsWith(outputFile))?.[1];
  const byInput = new Map<string, number>();
  for (const [path, input] of Object.entries(output?.inputs ?? {})) {
    const packageName = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1];
    const key = packageName ?? path.split('/').slice(0, 2).join('/');
    byInput.set(key, (byInput.get(key) ?? 0) + input.bytesInOutput);
  }
  return [...byInput.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([input, bytes]) => ({ input, bytes }));
};

/** The probe: imports a bundle and prints how long that took. The Lambda runtime's `awslambda` global (the chat handler asks for it at import) is stubbed. */
const probe = `
globalThis.awslambda = { streamifyResponse: (handler) => handler, HttpResponseStream: { from: (stream) => stream } };
const startedAt = performance.now();
await import(process.argv[1]);
console.log(JSON.stringify({ importMs: performance.now() - startedAt }));
process.exit(0);
`;

const timeImports = (file: string, runs: number, nodeOptions: string) => {
  const imports: number[] = [];
  const processes: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const startedAt = performance.now();
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', probe, `file://${file}`], {
      encoding: 'utf8',
      // What the function sees: its NODE_OPTIONS and a region; nothing of the parent's loaders.
      env: { PATH: process.env.PATH, NODE_OPTIONS: nodeOptions, AWS_REGION: 'us-east-1' },
    });
    processes.push(performance.now() - startedAt);
    if (result.status !== 0) throw new Error(`importing ${file} failed:\n${result.stderr.slice(-2000)}`);
    imports.push((JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '{}') as { importMs: number }).importMs);
  }
  return { importMs: median(imports), processMs: median(processes) };
};

/** Builds every function's bundle and an empty one, and times their import. */
export const measureColdStart = async (runs: number): Promise<ColdStartResult> => {
  const config = parseConfig(readFileSync(join(projectRoot, 'tollway.config.yaml'), 'utf8'));
  const options = esbuildOptionsOf(gatewayBundling(config));
  // The deployed functions run with NODE_OPTIONS=--enable-source-maps (lib/gateway-function.ts).
  const nodeOptions = '--enable-source-maps';
  rmSync(outputRoot, { recursive: true, force: true });
  const handlerEntry = (name: FunctionName) => join(projectRoot, 'functions', 'handlers', `${name}.ts`);
  const entries: Array<{ name: string; folder: string; entry: string; options: BuildOptions }> = [
    ...functionNames.map((name) => ({ name, folder: name, entry: handlerEntry(name), options })),
    { name: 'empty', folder: 'empty', entry: join(outputRoot, 'empty-entry.ts'), options },
  ];
  mkdirSync(outputRoot, { recursive: true });
  writeFileSync(join(outputRoot, 'empty-entry.ts'), 'export const handler = async () => ({ statusCode: 200 });\n');

  const built: Array<Omit<BundleResult, 'importMs' | 'addedImportMs' | 'processMs'> & { file: string }> = [];
  for (const { name, folder, entry, options: buildOptions } of entries) {
    const file = join(outputRoot, folder, 'index.mjs');
    const result = await build({ ...buildOptions, entryPoints: [entry], outfile: file, metafile: true, absWorkingDir: projectRoot });
    const code = readFileSync(file);
    built.push({ name, file, bytes: statSync(file).size, gzipBytes: gzipSync(code).length, largest: largestInputs(result.metafile, `${folder}/index.mjs`) });
  }
  const empty = timeImports(built.find((bundle) => bundle.name === 'empty')?.file ?? '', runs, nodeOptions);
  const bundles: BundleResult[] = built.map(({ file, ...bundle }) => {
    const timing = bundle.name === 'empty' ? empty : timeImports(file, runs, nodeOptions);
    return { ...bundle, ...timing, addedImportMs: timing.importMs - empty.importMs };
  });
  return { runs, nodeOptions, bundles };
};
