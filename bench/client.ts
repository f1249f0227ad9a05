/**
 * The load generator's HTTP client: node:http over one keep-alive agent per
 * target, the same code for the direct and the gateway path, so the only
 * difference between the two measurements is the gateway in between.
 */
import { Agent, request as httpRequest } from 'node:http';

export interface Target {
  /** `http://host:port` */
  origin: string;
  /** Request path, e.g. `/v1/chat/completions`. */
  path: string;
  headers: Record<string, string>;
  body: Buffer;
}

export interface Timing {
  status: number;
  /** From the request being issued to the last byte of the response. */
  totalMs: number;
  /** The gateway's own `x-tollway-overhead-ms`, when present. */
  reportedOverheadMs?: number;
  /** When the request was issued, in epoch milliseconds (`performance.timeOrigin` based, comparable across the bench's processes). */
  sentAt: number;
}

export interface StreamTiming extends Timing {
  /** From the request to the first content token. */
  firstTokenMs?: number;
  /** Milliseconds between consecutive content tokens (0 when two arrived in one read). */
  gapsMs: number[];
  tokens: number;
}

/** The content tokens of the bench upstream (`tok<n> `), as both the upstream and the gateway serialise them. */
const tokenPattern = () => /"content":"tok\d+ "/g;

/** A keep-alive client for one target. */
export class TargetClient {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY, keepAliveMsecs: 60_000 });
  private readonly url: URL;
  private readonly headers: Record<string, string>;

  constructor(private readonly target: Target) {
    this.url = new URL(target.path, target.origin);
    this.headers = { ...target.headers, 'content-type': 'application/json', 'content-length': String(target.body.length) };
  }

  /** One request; resolves with its timing once the whole body has arrived. */
  send(): Promise<Timing> {
    return new Promise((resolve, reject) => {
      const startedAt = performance.now();
      const outgoing = httpRequest(this.url, { method: 'POST', agent: this.agent, headers: this.headers }, (incoming) => {
        incoming.on('data', () => undefined);
        incoming.on('end', () => {
          const overhead = incoming.headers['x-tollway-overhead-ms'];
          resolve({
            status: incoming.statusCode ?? 0,
            totalMs: performance.now() - startedAt,
            sentAt: performance.timeOrigin + startedAt,
            reportedOverheadMs: typeof overhead === 'string' ? Number(overhead) : undefined,
          });
        });
        incoming.on('error', reject);
      });
      outgoing.on('error', reject);
      outgoing.end(this.target.body);
    });
  }

  /** One streamed request; records when each content token arrives. */
  stream(): Promise<StreamTiming> {
    return new Promise((resolve, reject) => {
      const startedAt = performance.now();
      const arrivals: number[] = [];
      let text = '';
      const outgoing = httpRequest(this.url, { method: 'POST', agent: this.agent, headers: this.headers }, (incoming) => {
        // A global pattern resumes where its last match ended: a token split across two reads is matched once, when complete.
        const pattern = tokenPattern();
        let searchFrom = 0;
        incoming.setEncoding('latin1');
        incoming.on('data', (chunk: string) => {
          const arrivedAt = performance.now();
          text += chunk;
          pattern.lastIndex = searchFrom;
          for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
            arrivals.push(arrivedAt);
            searchFrom = pattern.lastIndex;
          }
        });
        incoming.on('end', () => {
          const gapsMs = arrivals.slice(1).map((arrival, index) => arrival - arrivals[index]);
          resolve({
            status: incoming.statusCode ?? 0,
            totalMs: performance.now() - startedAt,
            sentAt: performance.timeOrigin + startedAt,
            firstTokenMs: arrivals.length > 0 ? arrivals[0] - startedAt : undefined,
            gapsMs,
            tokens: arrivals.length,
          });
        });
        incoming.on('error', reject);
      });
      outgoing.on('error', reject);
      outgoing.end(this.target.body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Runs `count` tasks with at most `concurrency` in flight; results in completion order. */
export const runCount = async <Result>(count: number, concurrency: number, task: () => Promise<Result>): Promise<Result[]> => {
  const results: Result[] = [];
  let started = 0;
  const worker = async () => {
    while (started < count) {
      started += 1;
      results.push(await task());
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return results;
};

/** Runs tasks with `concurrency` in flight for `durationMs`; tasks started before the end are awaited. */
export const runFor = async <Result>(durationMs: number, concurrency: number, task: () => Promise<Result>): Promise<Result[]> => {
  const results: Result[] = [];
  const endsAt = performance.now() + durationMs;
  const worker = async () => {
    while (performance.now() < endsAt) results.push(await task());
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return results;
};
