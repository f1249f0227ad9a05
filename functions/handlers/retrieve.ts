/** Lambda entry point for the knowledge-base routes (vector-store list and search). Buffered. */
import { createRetrieveRuntime } from '../runtime/retrieve-runtime.js';
import { bufferedHandler } from './buffered-handler.js';

export const handler = bufferedHandler('retrieve', createRetrieveRuntime);
