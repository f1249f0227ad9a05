/** Lambda entry point for the knowledge-base routes (vector-store list and search). Buffered. */
import { bufferedHandler } from './buffered-handler.js';

export const handler = bufferedHandler('retrieve');
