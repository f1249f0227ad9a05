#!/usr/bin/env node
/**
 * Starts ingestion of a knowledge base the stack provisioned, after documents
 * were uploaded to its bucket: Bedrock then chunks, embeds and indexes them.
 *
 *   npm run ingest -- <knowledge-base> [--upload <folder>] [--wait] [--stack Tollway] [--region eu-west-1]
 *
 * `--upload` first mirrors a local folder into the bucket (`aws s3 sync --delete`);
 * `--wait` polls the ingestion job until it ends and prints its statistics.
 * Uses the AWS CLI v2 and its usual credentials (AWS_PROFILE, AWS_REGION...).
 */
import { execFile } from 'node:child_process';
import { parseArgs, promisify } from 'node:util';

const run = promisify(execFile);

interface StackOutput {
  OutputKey: string;
  OutputValue: string;
}

interface IngestionJob {
  ingestionJobId: string;
  status: string;
  statistics?: Record<string, number>;
  failureReasons?: string[];
}

const usage = 'usage: npm run ingest -- <knowledge-base> [--upload <folder>] [--wait] [--stack <name>] [--region <region>]';

/** `handbook-v2` → `HandbookV2`, as `lib/knowledge-bases.ts` names the outputs. */
const pascalCase = (name: string): string =>
  name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0].toUpperCase() + part.slice(1))
    .join('');

const aws = async (args: string[], region: string | undefined): Promise<unknown> => {
  const { stdout } = await run('aws', [...args, ...(region ? ['--region', region] : []), '--output', 'json'], { maxBuffer: 16 * 1024 * 1024 });
  return stdout.trim() ? JSON.parse(stdout) : undefined;
};

const stackOutputs = async (stack: string, region: string | undefined): Promise<Map<string, string>> => {
  const outputs = (await aws(['cloudformation', 'describe-stacks', '--stack-name', stack, '--query', 'Stacks[0].Outputs'], region)) as StackOutput[] | null;
  return new Map((outputs ?? []).map((output) => [output.OutputKey, output.OutputValue]));
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const main = async (): Promise<void> => {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      upload: { type: 'string' },
      wait: { type: 'boolean', default: false },
      stack: { type: 'string', default: 'Tollway' },
      region: { type: 'string' },
    },
  });
  const name = positionals[0];
  if (!name) throw new Error(usage);
  const region = values.region ?? process.env.AWS_REGION;
  const prefix = `KnowledgeBase${pascalCase(name)}`;
  const outputs = await stackOutputs(values.stack, region);
  const knowledgeBaseId = outputs.get(`${prefix}Id`);
  const dataSourceId = outputs.get(`${prefix}DataSourceId`);
  const bucket = outputs.get(`${prefix}Bucket`);
  if (!knowledgeBaseId || !dataSourceId || !bucket) {
    throw new Error(`Stack ${values.stack} provisions no knowledge base "${name}" (no ${prefix}Id/DataSourceId/Bucket outputs).`);
  }

  if (values.upload) {
    console.log(`Uploading ${values.upload} to s3://${bucket}/ ...`);
    await run('aws', ['s3', 'sync', values.upload, `s3://${bucket}/`, '--delete', '--exclude', '.*', ...(region ? ['--region', region] : [])]);
  }

  const started = (await aws(
    ['bedrock-agent', 'start-ingestion-job', '--knowledge-base-id', knowledgeBaseId, '--data-source-id', dataSourceId],
    region,
  )) as { ingestionJob: IngestionJob };
  const jobId = started.ingestionJob.ingestionJobId;
  console.log(`Ingestion job ${jobId} started for ${name} (knowledge base ${knowledgeBaseId}).`);
  if (!values.wait) return;

  for (;;) {
    await sleep(5000);
    const { ingestionJob } = (await aws(
      ['bedrock-agent', 'get-ingestion-job', '--knowledge-base-id', knowledgeBaseId, '--data-source-id', dataSourceId, '--ingestion-job-id', jobId],
      region,
    )) as { ingestionJob: IngestionJob };
    if (ingestionJob.status === 'COMPLETE') {
      console.log('Ingestion complete:', JSON.stringify(ingestionJob.statistics ?? {}));
      return;
    }
    if (ingestionJob.status === 'FAILED' || ingestionJob.status === 'STOPPED') {
      throw new Error(`Ingestion ${ingestionJob.status.toLowerCase()}: ${(ingestionJob.failureReasons ?? []).join('; ')}`);
    }
    console.log(`... ${ingestionJob.status}`);
  }
};

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
