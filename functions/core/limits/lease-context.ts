import type { GatewayLogger } from '../logger.js';
import type { CounterStore } from './counter-store.js';
import type { LeaseSizing } from './lease-sizing.js';
import type { LimitSubject } from './limit-windows.js';

/** Notified when a subject's spend crosses its soft budget. */
export type SoftBudgetListener = (subject: LimitSubject, spendUsd: number) => void;

/** What every lease of one instance shares. */
export interface LeaseContext {
  store: CounterStore;
  now: () => number;
  logger: GatewayLogger;
  /** How long a request's reservation must stay held: a lease written at `t` covers what it admits until `t + termMs + holdTtlMs`. */
  holdTtlMs: number;
  /** How long after a write a lease admits requests in memory before it must be written again. */
  termMs: number;
  /** A lease nothing was admitted from for this long goes back to its budget. */
  idleReturnMs: number;
  /** Whether the last settling request's host waits for the idle return (true) or it runs on its own timer. */
  awaitIdleReturn: boolean;
  sizing: LeaseSizing;
  /** A fresh lease id: the hold's name on the counter, unique to this instance. */
  newLeaseId: () => string;
  onSoftBudget?: SoftBudgetListener;
}

/** Work a request hands to its host to finish after the response. */
export type WaitUntil = (task: Promise<unknown>) => void;
