import { isThrottling, retrying } from '../retry.js';
import { IdleReturn } from './idle-return.js';
import type { LeaseContext } from './lease-context.js';
import { rateLeaseSize } from './lease-sizing.js';
import type { LimitSubject } from './limit-windows.js';

/** The rate window a lease is on. */
export interface LeasedWindow {
  subject: LimitSubject;
  counterId: string;
  /** Epoch milliseconds. */
  endsAt: number;
  /** The counter item's TTL (epoch seconds). */
  counterExpiresAt: number;
}

/**
 * One instance's slice of one rate-limit window (a minute of rpm and tpm):
 * requests and tokens counted into the window in advance with one
 * conditional ADD, then admitted from it in memory. What is left goes back
 * when the lease is idle or at shutdown (a crashed instance's slice lapses
 * with its minute, as its requests' counts would). Counts are plain ADDs,
 * sent once: a write whose answer was lost is treated as refused, which only
 * leaves the window fuller than it is until the minute ends.
 */
export class RateLease {
  private requests = 0;
  private tokens = 0;
  private usedRequests = 0;
  /** Estimates at admission, corrected to the real count at settlement. */
  private usedTokens = 0;
  private seenRequests = 0;
  private seenTokens = 0;
  /** The window refused a slice: requests count themselves until it ends. */
  private refused = false;
  private ending = false;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly idle: IdleReturn;

  constructor(
    private readonly context: LeaseContext,
    private readonly window: LeasedWindow,
  ) {
    this.idle = new IdleReturn(context.idleReturnMs, () => this.serialized(() => this.giveBack()));
  }

  private get rpm() {
    return this.window.subject.settings.rpmLimit;
  }

  private get tpm() {
    return this.window.subject.settings.tpmLimit;
  }

  /** True once the window is over: nothing left to give back. */
  get finished(): boolean {
    return this.context.now() >= this.window.endsAt;
  }

  /** Admits a request of `estimatedTokens` from the slice in memory; false when it does not fit. */
  tryAdmit(estimatedTokens: number): boolean {
    if (this.ending || this.context.now() >= this.window.endsAt) return false;
    if (this.usedRequests + 1 > this.requests) return false;
    if (this.tpm !== undefined && this.usedTokens + estimatedTokens > this.tokens) return false;
    this.idle.cancel();
    this.usedRequests += 1;
    this.usedTokens += estimatedTokens;
    return true;
  }

  /** Counts a new slice into the window and admits the request from it: one write. False when the window has no room for a slice. */
  async acquire(estimatedTokens: number): Promise<boolean> {
    if (this.ending || this.refused) return false;
    this.idle.cancel();
    return this.serialized(async () => {
      if (this.tryAdmit(estimatedTokens)) return true;
      const requests = this.rpm === undefined ? this.context.sizing.requestsPerLease : rateLeaseSize(this.rpm - this.seenRequests, 1, this.context.sizing);
      const tokens = this.tpm === undefined ? 0 : rateLeaseSize(this.tpm - this.seenTokens, estimatedTokens, this.context.sizing);
      if (requests < 1 || (this.tpm !== undefined && tokens < estimatedTokens)) return false;
      let failed = false;
      const values = await this.context.store
        .update({
          counterId: this.window.counterId,
          add: { requests, tokens },
          limits: {
            requestsBelow: this.rpm === undefined ? undefined : this.rpm - requests + 1,
            tokensBelow: this.tpm === undefined ? undefined : this.tpm - tokens + 1,
          },
          expiresAt: this.window.counterExpiresAt,
        })
        .catch(() => {
          failed = true;
          return undefined;
        });
      if (!values) {
        // Refused: the window is nearly full. Failed: the request's own count will tell.
        this.refused ||= !failed;
        return false;
      }
      this.requests += requests;
      this.tokens += tokens;
      this.seenRequests = values.requests;
      this.seenTokens = values.tokens;
      return this.tryAdmit(estimatedTokens);
    });
  }

  /** A request admitted from the slice was refused elsewhere. */
  release(estimatedTokens: number): void {
    this.usedRequests -= 1;
    this.usedTokens -= estimatedTokens;
    this.armIdle();
  }

  /** A request admitted from the slice ended with `tokens` counted (its estimate was counted at admission). */
  settle(estimatedTokens: number, tokens: number): Promise<void> {
    this.usedTokens += tokens - estimatedTokens;
    return this.armIdle();
  }

  /** Gives the rest of the slice back: shutdown. */
  async close(): Promise<void> {
    this.ending = true;
    this.idle.cancel();
    await this.serialized(() => this.giveBack());
  }

  private armIdle(): Promise<void> {
    if (this.requests === this.usedRequests && (this.tpm === undefined || this.tokens === this.usedTokens)) return Promise.resolve();
    const returned = this.idle.arm();
    return this.context.awaitIdleReturn ? returned : Promise.resolve();
  }

  private serialized<Value>(operation: () => Promise<Value>): Promise<Value> {
    const result = this.queue.then(operation);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Takes the unused part of the slice out of the window again (what requests in flight were counted stays). */
  private async giveBack(): Promise<void> {
    const requests = this.requests - this.usedRequests;
    const tokens = this.tpm === undefined ? 0 : this.tokens - this.usedTokens;
    if (this.context.now() >= this.window.endsAt || (requests <= 0 && tokens === 0)) return;
    this.requests = this.usedRequests;
    this.tokens = this.tpm === undefined ? 0 : this.usedTokens;
    await retrying(() => this.context.store.update({ counterId: this.window.counterId, add: { requests: -requests, tokens: -tokens } }), isThrottling);
  }
}
