import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// Test files that may share a worker's module cache: each starts its own
// gateway, dynalite and upstreams and keeps no state in modules, so a worker
// loads the AWS SDK, the gateway and the clients once instead of once a file
// (most of an isolated file's time). Everything else runs isolated: a file that
// sets process.env or globals before importing modules that read them on load
// (the Lambda handlers), or one that spawns processes, belongs there.
const shared = [
  'test/{e2e,hardening,stores,knowledge,providers,observability,core,lib}/**/*.test.ts',
  // Not test/mcp/conformance: it runs the conformance CLI in processes of its own.
  'test/mcp/*.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Tests mostly wait on sockets and dynalite, so two workers pay off even on 2 cores (where Vitest's default is one).
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // The AWS SDK warns once per process that its 2027 releases need Node 22 (Lambda runs 22; this machine runs 20).
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    projects: [
      { extends: true, test: { name: 'shared', include: shared, isolate: false } },
      { extends: true, test: { name: 'isolated', include: ['test/**/*.test.ts'], exclude: shared } },
    ],
  },
});
