import { assertCallerAllowed, type Caller } from '../auth/authenticate.js';
import { GatewayError, invalidRequest } from '../errors.js';
import type { Deployment, ModelCatalog } from '../model-catalog.js';

/**
 * The check every generation route makes of `model`: 404 for a name the
 * config does not have, 400 for an embeddings model, 403 past the key's or
 * team's allowlist. Returns the model's deployments.
 */
export const assertChatModel = (catalog: ModelCatalog, caller: Caller, model: string): Deployment[] => {
  const deployments = catalog.deployments(model);
  if (!deployments?.length) {
    throw catalog.embeddingDeployments(model)?.length
      ? invalidRequest(`The model "${model}" is an embeddings model; use /v1/embeddings.`, 'model', 'model_not_supported')
      : new GatewayError(404, `The model "${model}" does not exist.`, { code: 'model_not_found', param: 'model' });
  }
  assertCallerAllowed(caller, 'models', model, 'model');
  return deployments;
};
