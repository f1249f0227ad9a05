import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../functions/core/config/load.js';
import { UpstreamError } from '../../../functions/core/errors.js';
import { silentLogger } from '../../../functions/core/logger.js';
import type { Deployment, ModelCatalog } from '../../../functions/core/model-catalog.js';
import { noMetrics } from '../../../functions/core/metrics.js';
import { ModelRouter } from '../../../functions/core/routing/model-router.js';
import { EchoLanguageModel } from '../../../functions/providers/echo/echo-language-model.js';

const config = parseConfig(`
models:
  - { name: mixed, provider: echo, model: heavy, weight: 3 }
  - { name: mixed, provider: echo, model: light, weight: 1 }
settings:
  router: { num_retries: 3, retry_base_ms: 100, retry_max_ms: 1000, max_retry_after_ms: 2000 }
`);

const catalogOf = (): ModelCatalog => {
  const deployments: Deployment[] = config.models.map((entry) => ({ config: entry, model: new EchoLanguageModel(entry.model) }));
  return { deployments: (name) => (name === 'mixed' ? deployments : undefined), embeddingDeployments: () => undefined, names: () => ['mixed'] };
};

/** A router whose random numbers and sleeps are scripted. */
const routerWith = (randoms: number[]) => {
  const slept: number[] = [];
  let index = 0;
  const router = new ModelRouter(catalogOf(), config, {
    now: () => 0,
    random: () => randoms[index++ % randoms.length],
    logger: silentLogger,
    metrics: noMetrics,
    sleep: async (milliseconds) => {
      slept.push(milliseconds);
    },
  });
  return { router, slept };
};

describe('ModelRouter', () => {
  it('balances by weight', async () => {
    const { router } = routerWith([0.1, 0.5, 0.74, 0.76, 0.99]);
    const served = [];
    for (let request = 0; request < 5; request += 1) {
      served.push((await router.run('mixed', async (deployment) => deployment.model.modelId)).value);
    }
    expect(served).toEqual(['heavy', 'heavy', 'heavy', 'light', 'light']);
  });

  it('backs off exponentially with full jitter, moving to the other deployment first', async () => {
    const { router, slept } = routerWith([0.5]);
    const tried: string[] = [];
    const failure = await router
      .run('mixed', async (deployment) => {
        tried.push(deployment.model.modelId);
        throw new UpstreamError(503, 'down');
      })
      .catch((error) => error);
    expect(failure).toBeInstanceOf(UpstreamError);
    expect(tried).toEqual(['heavy', 'light', 'heavy', 'heavy']);
    expect(slept).toEqual([0.5 * 100, 0.5 * 200, 0.5 * 400]);
  });

  it('waits out Retry-After on the same deployment, but not beyond the configured maximum', async () => {
    const { router, slept } = routerWith([0.9, 0.1]);
    let calls = 0;
    await router.run('mixed', async () => {
      calls += 1;
      if (calls === 1) throw new UpstreamError(429, 'slow down', { retryAfterSeconds: 1 });
      return 'ok';
    });
    expect(slept).toEqual([0.9 * 100]); // retried on the other deployment: jitter only, no need to wait 1 s

    const tooLong = routerWith([0.9]);
    const failure = await tooLong.router
      .run('mixed', async () => {
        throw new UpstreamError(429, 'come back tomorrow', { retryAfterSeconds: 3600 });
      })
      .catch((error) => error);
    expect(failure.retryAfterSeconds).toBe(3600);
    expect(tooLong.slept.every((milliseconds) => milliseconds < 2000)).toBe(true);
  });

  it('lists the candidates of a model for worst-case pricing', () => {
    const { router } = routerWith([0]);
    expect(router.candidates('mixed').map((deployment) => deployment.model.modelId)).toEqual(['heavy', 'light']);
  });
});
