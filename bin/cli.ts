import { runCli } from '../functions/cli/main.js';

/** `npx tollway`: the operator CLI (bin/tollway.ts is the CDK app). */
const code = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(`${text}\n`),
  stderr: (text) => process.stderr.write(`${text}\n`),
  environment: process.env,
  cwd: process.cwd(),
});
process.exitCode = code;
