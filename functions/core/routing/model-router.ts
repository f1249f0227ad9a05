import type { ModelConfig, RouterSettings, TollwayConfig } from '../config/schema.js';
import { GatewayError, UpstreamError } from '../errors.js';
import type { GatewayLogger } from '../logger.js';
import type { GatewayMetrics } from '../metrics.js';
import type { Deployment, EmbeddingDeployment, ModelCatalog } from '../model-catalog.js';
import { DeploymentHealth } from './deployment-health.js';

/** What the router needs of a deployment: its config entry (weight, timeout). */
interface Routable {
  config: ModelConfig;
}

/** One try against one deployment. `signal` aborts on client disconnect or when the deployment's timeout passes. */
export type Attempt<Value, Target extends Routable = Deployment> = (deployment: Target, signal: AbortSignal) => Promise<Value>;

export interface Routed<Value, Target extends Routable = Deployment> {
  value: Value;
  deployment: Target;
  /** The model that served: the requested one or a fallback. */
  modelName: string;
}

export interface RouterDependencies {
  now: () => number;
  random: () => number;
  logger: GatewayLogger;
  metrics: GatewayMetrics;
  sleep?: (milliseconds: number, signal?: AbortSignal) => Promise<void>;
}

const abortableSleep = (milliseconds: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, milliseconds);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

const isContextLengthError = (error: unknown) => error instanceof GatewayError && error.code === 'context_length_exceeded';
const isRetryable = (error: unknown) => error instanceof UpstreamError && error.retryable;

/**
 * Picks a deployment by weight, retries with exponential backoff and full
 * jitter (honouring Retry-After), cools down deployments that keep failing,
 * then tries `fallbacks` in order (`context_window_fallbacks` for prompts too
 * long). Callers make sure nothing has reached the client before an attempt
 * ends, so a retry is never visible.
 */
export class ModelRouter {
  private readonly health: DeploymentHealth;
  private readonly settings: RouterSettings;
  private readonly sleep: (milliseconds: number, signal?: AbortSignal) => Promise<void>;
  private readonly fallbacksOf = new Map<string, { fallbacks: string[]; contextFallbacks: string[] }>();

  constructor(
    private readonly catalog: ModelCatalog,
    config: TollwayConfig,
    private readonly dependencies: RouterDependencies,
  ) {
    this.settings = config.settings.router;
    this.health = new DeploymentHealth(this.settings.allowed_fails, this.settings.cooldown_seconds * 1000, dependencies.now);
    this.sleep = dependencies.sleep ?? abortableSleep;
    for (const entry of config.models) {
      const known = this.fallbacksOf.get(entry.name) ?? { fallbacks: [], contextFallbacks: [] };
      known.fallbacks.push(...(entry.fallbacks ?? []).filter((name) => !known.fallbacks.includes(name)));
      known.contextFallbacks.push(...(entry.context_window_fallbacks ?? []).filter((name) => !known.contextFallbacks.includes(name)));
      this.fallbacksOf.set(entry.name, known);
    }
  }

  /** This instance's view of the `index`th deployment of `modelName` (config order): recent failures and cooldown. */
  deploymentHealth(modelName: string, index: number): { recentFailures: number; cooledUntil?: number } {
    return this.health.stateOf(`${modelName}#${index}`);
  }

  /** Every deployment a chat request for `modelName` may end up on (for worst-case pricing). */
  candidates(modelName: string): Deployment[] {
    return this.chainOf(modelName).flatMap((name) => this.catalog.deployments(name) ?? []);
  }

  /** The same for an embeddings model. */
  embeddingCandidates(modelName: string): EmbeddingDeployment[] {
    return this.chainOf(modelName).flatMap((name) => this.catalog.embeddingDeployments(name) ?? []);
  }

  private chainOf(modelName: string): string[] {
    const { fallbacks, contextFallbacks } = this.fallbacksOf.get(modelName) ?? { fallbacks: [], contextFallbacks: [] };
    return [modelName, ...fallbacks, ...contextFallbacks];
  }

  /** Runs a chat attempt on `modelName`'s deployments, then its fallbacks. */
  run<Value>(modelName: string, attempt: Attempt<Value>, clientSignal?: AbortSignal): Promise<Routed<Value>> {
    return this.route(modelName, attempt, clientSignal, (name) => this.catalog.deployments(name));
  }

  /** The same for an embeddings model. */
  runEmbedding<Value>(modelName: string, attempt: Attempt<Value, EmbeddingDeployment>, clientSignal?: AbortSignal): Promise<Routed<Value, EmbeddingDeployment>> {
    return this.route(modelName, attempt, clientSignal, (name) => this.catalog.embeddingDeployments(name));
  }

  private async route<Value, Target extends Routable>(
    modelName: string,
    attempt: Attempt<Value, Target>,
    clientSignal: AbortSignal | undefined,
    deploymentsOf: (name: string) => Target[] | undefined,
  ): Promise<Routed<Value, Target>> {
    const { fallbacks, contextFallbacks } = this.fallbacksOf.get(modelName) ?? { fallbacks: [], contextFallbacks: [] };
    const queue = [modelName];
    let usedContextFallbacks = false;
    let lastError: unknown;
    for (let index = 0; index < queue.length; index += 1) {
      const name = queue[index];
      try {
        const routed = await this.runModel(name, attempt, clientSignal, deploymentsOf);
        if (index > 0) this.dependencies.metrics.record('Fallbacks', 1, { model: modelName });
        return routed;
      } catch (error) {
        if (clientSignal?.aborted) throw error;
        lastError = error;
        if (isContextLengthError(error) && !usedContextFallbacks && contextFallbacks.length > 0) {
          usedContextFallbacks = true;
          queue.splice(index + 1, queue.length, ...contextFallbacks);
        } else if (isRetryable(error) && index === 0) {
          queue.push(...fallbacks);
        } else if (!isRetryable(error)) {
          throw error;
        }
        if (index + 1 < queue.length) {
          this.dependencies.logger.warn('falling back', { model: name, fallback: queue[index + 1], reason: (error as Error).message });
        }
      }
    }
    throw lastError;
  }

  private async runModel<Value, Target extends Routable>(
    name: string,
    attempt: Attempt<Value, Target>,
    clientSignal: AbortSignal | undefined,
    deploymentsOf: (name: string) => Target[] | undefined,
  ): Promise<Routed<Value, Target>> {
    const deployments = deploymentsOf(name);
    if (!deployments?.length) throw new GatewayError(404, `The model "${name}" does not exist.`, { code: 'model_not_found', param: 'model' });
    const failedHere = new Set<Target>();
    let lastError: unknown;
    let lastFailed: Target | undefined;
    for (let attemptNumber = 0; attemptNumber <= this.settings.num_retries; attemptNumber += 1) {
      const deployment = this.pick(name, deployments, failedHere);
      if (attemptNumber > 0) {
        // Retry-After speaks for the deployment that sent it; another one need not wait.
        const waitMs = this.backoff(attemptNumber, deployment === lastFailed ? lastError : undefined);
        if (waitMs === undefined) break;
        this.dependencies.metrics.record('Retries', 1, { model: name });
        await this.sleep(waitMs, clientSignal);
      }
      try {
        const value = await this.attemptOnce(deployment, attempt, clientSignal);
        this.health.recordSuccess(this.idOf(name, deployments, deployment));
        return { value, deployment, modelName: name };
      } catch (error) {
        if (clientSignal?.aborted || !isRetryable(error)) throw error;
        lastError = error;
        lastFailed = deployment;
        failedHere.add(deployment);
        if (this.health.recordFailure(this.idOf(name, deployments, deployment))) {
          this.dependencies.metrics.record('Cooldowns', 1, { model: name });
          this.dependencies.logger.warn('deployment cooled down', { model: name, deployment: deployment.config.model ?? deployment.config.name });
        }
      }
    }
    throw lastError;
  }

  /**
   * Runs one attempt under the deployment's timeout; a timeout becomes a
   * retryable 504. The attempt's signal stays tied to the client's after
   * success, so a stream that outlives the attempt still stops when the client leaves.
   */
  private async attemptOnce<Value, Target extends Routable>(deployment: Target, attempt: Attempt<Value, Target>, clientSignal?: AbortSignal): Promise<Value> {
    const timeoutMs = deployment.config.timeout_ms ?? this.settings.default_timeout_ms;
    const controller = new AbortController();
    const onClientAbort = () => controller.abort(clientSignal?.reason);
    if (clientSignal?.aborted) throw clientSignal.reason;
    clientSignal?.addEventListener('abort', onClientAbort, { once: true });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new DOMException(`no answer within ${timeoutMs} ms`, 'TimeoutError'));
    }, timeoutMs);
    try {
      return await Promise.race([
        attempt(deployment, controller.signal),
        new Promise<never>((_, reject) => controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true })),
      ]);
    } catch (error) {
      clientSignal?.removeEventListener('abort', onClientAbort);
      controller.abort(error);
      if (timedOut) throw new UpstreamError(504, `The upstream did not answer within ${timeoutMs} ms.`, { code: 'upstream_timeout', retryable: true, cause: error });
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Weighted choice among healthy deployments not yet failed in this request (relaxing both rules when none is left). */
  private pick<Target extends Routable>(name: string, deployments: Target[], failedHere: Set<Target>): Target {
    const healthy = deployments.filter((deployment) => !this.health.isCoolingDown(this.idOf(name, deployments, deployment)));
    const pool = [healthy.filter((deployment) => !failedHere.has(deployment)), deployments.filter((deployment) => !failedHere.has(deployment)), healthy, deployments].find(
      (candidates) => candidates.length > 0,
    )!;
    const total = pool.reduce((sum, deployment) => sum + deployment.config.weight, 0);
    let point = this.dependencies.random() * total;
    for (const deployment of pool) {
      point -= deployment.config.weight;
      if (point < 0) return deployment;
    }
    return pool[pool.length - 1];
  }

  /** Full-jitter exponential backoff, at least any Retry-After; undefined when Retry-After is too long to wait. */
  private backoff(attemptNumber: number, lastError: unknown): number | undefined {
    const exponential = Math.min(this.settings.retry_max_ms, this.settings.retry_base_ms * 2 ** (attemptNumber - 1));
    const jittered = this.dependencies.random() * exponential;
    const retryAfterMs = lastError instanceof UpstreamError && lastError.retryAfterSeconds !== undefined ? lastError.retryAfterSeconds * 1000 : 0;
    if (retryAfterMs > this.settings.max_retry_after_ms) return undefined;
    return Math.max(jittered, retryAfterMs);
  }

  private idOf<Target extends Routable>(name: string, deployments: Target[], deployment: Target): string {
    return `${name}#${deployments.indexOf(deployment)}`;
  }
}
