/**
 * A mistyped local knowledge-base `path` stops the synth with one line naming
 * the knowledge base and the folder, not a `cp: cannot stat` stack at bundling.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const repositoryRoot = new URL('../../', import.meta.url).pathname;

describe('synth with a local knowledge base whose folder is missing', () => {
  it('fails with one line saying which path to fix', async () => {
    // Prepare
    const folder = mkdtempSync(join(tmpdir(), 'tollway-synth-'));
    const configFile = join(folder, 'tollway.config.yaml');
    writeFileSync(configFile, 'models:\n  - name: echo\n    provider: echo\nknowledge_bases:\n  - name: handbook\n    provider: local\n    path: ./knowlege\n');

    // Act: the CDK app, as `cdk synth` runs it
    const run = await new Promise<{ code: number; stderr: string }>((resolve) =>
      execFile(process.execPath, ['--import', 'tsx', 'bin/tollway.ts'], { cwd: repositoryRoot, env: { ...process.env, TOLLWAY_CONFIG: configFile, CDK_OUTDIR: join(folder, 'cdk.out') } }, (error, _stdout, stderr) =>
        resolve({ code: error ? Number(error.code) : 0, stderr }),
      ),
    ).finally(() => rmSync(folder, { recursive: true, force: true }));

    // Assess
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([`knowledge_bases "handbook": path ./knowlege (${join(repositoryRoot, 'knowlege')}) does not exist; fix "path", relative to the project folder`]);
  }, 60_000);
});
