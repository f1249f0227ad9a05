import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { scanFolder } from '../../functions/knowledge/local/folder-scan.js';
import { LocalIndex } from '../../functions/knowledge/local/local-index.js';

/**
 * Questions a user might ask, written as paraphrases (not titles or copied
 * sentences), each with the one document of `knowledge/` that answers it.
 * The first set was used while choosing the search options; the second was
 * written afterwards and never tuned against.
 */
const tuningQueries: Array<[query: string, expected: string]> = [
  ['stop a team from spending too much money', 'budgets-and-rate-limits.md'],
  ['my key stopped working after I blocked it, how long until every instance notices', 'virtual-keys-and-teams.md'],
  ['which environment variable changes the port of the local server', 'local-mode.md'],
  ['where do I find the base URL after deploying with CDK', 'deploy-to-aws.md'],
  ['get the cost of a streamed request', 'streaming.md'],
  ["how can two concurrent writers avoid overwriting each other's update in DynamoDB", 'reference/dynamodb-conditional-writes.html'],
  ['what is the first message an MCP client sends to a server', 'reference/model-context-protocol.html'],
  ['why do rare words count more than common ones in keyword ranking', 'reference/bm25-ranking.txt'],
  ['how do I make the model return JSON that follows a schema', 'reference/openai-chat-completions.md'],
  ['which failed requests should my client retry and which not', 'api-errors.txt'],
  ['try the API without paying for a real model', 'echo-model.md'],
  ['see how much a particular team spent last month', 'usage-and-spend.txt'],
  ['let an agent call GitHub tools through the gateway', 'mcp-gateway.md'],
  ['search my own documents from a chat request', 'knowledge-bases.md'],
  ['keep provider API keys out of the YAML file', 'configuration.md'],
  ['which numbers should I put on a CloudWatch graph for latency per model', 'metrics-and-dashboards.txt'],
  ['how long can a streaming Lambda function keep sending data', 'reference/aws-lambda-response-streaming.html'],
  ['first steps after cloning the repository', 'quick-start.md'],
];

const heldOutQueries: Array<[query: string, expected: string]> = [
  ['limit how many calls per minute a key can make', 'budgets-and-rate-limits.md'],
  ['create a group of keys sharing one budget', 'virtual-keys-and-teams.md'],
  ['what does HTTP 413 mean', 'api-errors.txt'],
  ['delete everything the local server stored and start fresh', 'local-mode.md'],
  ['which IAM permissions does the retrieve function get', 'deploy-to-aws.md'],
  ['how does the model ask the client to run a function', 'reference/openai-chat-completions.md'],
  ['stdio versus HTTP transport for tool servers', 'reference/model-context-protocol.html'],
  ['what does the b parameter control in ranking', 'reference/bm25-ranking.txt'],
  ['how long are usage records kept', 'usage-and-spend.txt'],
  ['does the S3 Vectors index use cosine distance', 'knowledge-bases.md'],
  ['client disconnects in the middle of a streamed answer', 'streaming.md'],
  ['set the status code of a streamed Lambda response', 'reference/aws-lambda-response-streaming.html'],
];

const folder = new URL('../../knowledge', import.meta.url).pathname;
const files = await scanFolder(folder);
const index = LocalIndex.build(files.map((file) => ({ path: file.path, content: readFileSync(file.absolutePath, 'utf8') })));

interface Outcome {
  query: string;
  expected: string;
  top: string[];
  hit: boolean;
}

/** Recall@3 with one relevant document per query: the share of queries whose document is among the first three passages. */
const evaluate = (queries: Array<[string, string]>): { recall: number; outcomes: Outcome[] } => {
  const outcomes = queries.map(([query, expected]) => {
    const top = index.search({ query, maxResults: 3 }).map((passage) => passage.fileId);
    return { query, expected, top, hit: top.includes(expected) };
  });
  return { recall: outcomes.filter((outcome) => outcome.hit).length / outcomes.length, outcomes };
};

const tuning = evaluate(tuningQueries);
const heldOut = evaluate(heldOutQueries);
const overall = evaluate([...tuningQueries, ...heldOutQueries]);
const format = (recall: number) => recall.toFixed(2);

console.table(overall.outcomes.map(({ hit, query, expected, top }) => ({ hit: hit ? 'yes' : 'NO', query, expected, top: top.join(', ') })));
console.log(`recall@3: ${format(overall.recall)} overall, ${format(tuning.recall)} on the tuning set, ${format(heldOut.recall)} held out`);

describe(`retrieval quality on the shipped documents (${files.length} files, ${index.chunks.length} passages)`, () => {
  it('ships at least 12 documents in Markdown, text and HTML', () => {
    expect(files.length).toBeGreaterThanOrEqual(12);
    expect(new Set(files.map((file) => file.path.split('.').at(-1)))).toEqual(new Set(['md', 'txt', 'html']));
  });

  it(`recall@3 = ${format(overall.recall)} on ${overall.outcomes.length} written queries`, () => {
    expect(overall.recall).toBeGreaterThanOrEqual(0.8);
  });

  it(`recall@3 = ${format(heldOut.recall)} on the ${heldOut.outcomes.length} held-out queries`, () => {
    expect(heldOut.recall).toBeGreaterThanOrEqual(0.8);
  });
});
