import { roundUsd } from '../pricing.js';

/**
 * How large a lease an instance takes. A lease is budget (or rate-window
 * capacity) one instance holds for requests it will admit in memory; what it
 * holds, no other instance can use until it is given back. So leases are cut
 * from what is left above a margin of `reserveMultiple` worst cases, each a
 * `share` of it (several instances each take a share of what the others
 * left), and at most `requestsPerLease` worst cases: near the limit they get
 * small, and within the margin there are none (requests then hold their own
 * worst case, as without leases, and nothing is stranded in idle instances).
 */
export interface LeaseSizing {
  reserveMultiple: number;
  share: number;
  requestsPerLease: number;
}

export const defaultLeaseSizing: LeaseSizing = { reserveMultiple: 4, share: 4, requestsPerLease: 50 };

/**
 * The USD a budget lease should hold: `roomUsd` is what this instance could
 * hold at most (the budget less everything committed by others), `worstCaseUsd`
 * the reservation of the request at hand. 0: no lease.
 */
export const budgetLeaseSize = (roomUsd: number, worstCaseUsd: number, sizing: LeaseSizing): number => {
  const margin = sizing.reserveMultiple * worstCaseUsd;
  if (worstCaseUsd <= 0 || roomUsd <= margin) return 0;
  const size = roundUsd(Math.min((roomUsd - margin) / sizing.share, sizing.requestsPerLease * worstCaseUsd));
  return size >= worstCaseUsd ? size : 0;
};

/**
 * How many of a window's remaining units (requests, or tokens) a rate lease
 * takes, for admissions of `perRequest` units each. 0: no lease.
 */
export const rateLeaseSize = (remaining: number, perRequest: number, sizing: LeaseSizing): number => {
  const unit = Math.max(1, perRequest);
  const margin = sizing.reserveMultiple * unit;
  if (remaining <= margin) return 0;
  const size = Math.floor(Math.min((remaining - margin) / sizing.share, sizing.requestsPerLease * unit));
  return size >= unit ? size : 0;
};
