#!/usr/bin/env node
// `npx tollway`: runs the TypeScript CLI (bin/cli.ts) through tsx, as `npm start` runs bin/local.ts.
import { register } from 'tsx/esm/api';

register();
await import('./cli.ts');
