/** Child process: dynalite, in memory, standing in for DynamoDB. */
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';
import { serveParent } from './child.js';

const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
await new Promise<void>((resolve, reject) => {
  server.once('error', reject);
  server.listen(0, '127.0.0.1', () => resolve());
});
serveParent({ endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }, () => new Promise<void>((resolve) => server.close(() => resolve())));
