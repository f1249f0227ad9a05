import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { esbuildOptionsOf } from '../../bench/scenarios/cold-start.js';
import type { TollwayConfig } from '../../functions/core/config/schema.js';
import type { FunctionName } from '../../functions/core/routes.js';
import { gatewayBundling } from '../../lib/gateway-function.js';

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));

/** A handler bundled as the stack bundles it (nothing written to disk): its minified size and the files it was built from. */
export const bundleHandler = async (handler: FunctionName, config: TollwayConfig) => {
  const result = await build({
    ...esbuildOptionsOf(gatewayBundling(config)),
    entryPoints: [`functions/handlers/${handler}.ts`],
    outfile: `bundles/${handler}/index.mjs`,
    absWorkingDir: projectRoot,
    write: false,
    metafile: true,
  });
  const code = result.outputFiles.find((file) => file.path.endsWith('.mjs'));
  return { bytes: code?.contents.byteLength ?? 0, inputs: Object.keys(result.metafile.inputs) };
};
