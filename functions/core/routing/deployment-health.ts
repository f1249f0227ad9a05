const windowMs = 60_000;

/**
 * Failures per deployment in the last minute; a deployment that keeps failing
 * is cooled down (skipped while others are available) for a while.
 */
export class DeploymentHealth {
  private readonly failures = new Map<string, number[]>();
  private readonly cooledUntil = new Map<string, number>();

  constructor(
    private readonly allowedFails: number,
    private readonly cooldownMs: number,
    private readonly now: () => number,
  ) {}

  isCoolingDown(deploymentId: string): boolean {
    return (this.cooledUntil.get(deploymentId) ?? 0) > this.now();
  }

  /** Records a failure; true when it puts the deployment into cooldown. */
  recordFailure(deploymentId: string): boolean {
    const now = this.now();
    const recent = (this.failures.get(deploymentId) ?? []).filter((time) => time > now - windowMs);
    recent.push(now);
    this.failures.set(deploymentId, recent);
    if (recent.length < this.allowedFails || this.isCoolingDown(deploymentId)) return false;
    this.cooledUntil.set(deploymentId, now + this.cooldownMs);
    this.failures.delete(deploymentId);
    return true;
  }

  /** What this instance knows of a deployment: failures in the last minute and the end of its cooldown, if any. */
  stateOf(deploymentId: string): { recentFailures: number; cooledUntil?: number } {
    const now = this.now();
    const cooledUntil = this.cooledUntil.get(deploymentId);
    return {
      recentFailures: (this.failures.get(deploymentId) ?? []).filter((time) => time > now - windowMs).length,
      ...(cooledUntil !== undefined && cooledUntil > now ? { cooledUntil } : {}),
    };
  }

  recordSuccess(deploymentId: string): void {
    this.failures.delete(deploymentId);
  }
}
