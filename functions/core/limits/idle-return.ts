/**
 * Gives a lease back once it has been idle (nothing in flight, nothing
 * admitted) for `idleMs`. The wait is a promise the last settling request can
 * hand to its host (`waitUntil`), so a host that waits for its background work
 * (the local server's `settled()`, a Lambda invocation) also waits for the
 * lease to go back, or for the next request, which cancels it.
 */
export class IdleReturn {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private waiting: Promise<void> | undefined;
  private resolveWaiting: (() => void) | undefined;

  constructor(
    private readonly idleMs: number,
    private readonly giveBack: () => Promise<void>,
  ) {}

  /** Starts (or restarts) the idle wait; resolves once the lease went back or the wait was cancelled. */
  arm(): Promise<void> {
    this.cancelTimer();
    this.waiting ??= new Promise<void>((resolve) => (this.resolveWaiting = resolve));
    const waiting = this.waiting;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.giveBack()
        .catch(() => undefined)
        .finally(() => this.settle(waiting));
    }, this.idleMs);
    this.timer.unref?.();
    return waiting;
  }

  /** A request arrived: the lease stays. */
  cancel(): void {
    this.cancelTimer();
    if (this.waiting) this.settle(this.waiting);
  }

  private cancelTimer() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private settle(waiting: Promise<void>) {
    if (this.waiting !== waiting) return;
    const resolve = this.resolveWaiting;
    this.waiting = undefined;
    this.resolveWaiting = undefined;
    resolve?.();
  }
}
