/** Lambda entry point for the admin routes (keys, teams, spend, health). Buffered. */
import { createAdminRuntime } from '../runtime/admin-runtime.js';
import { bufferedHandler } from './buffered-handler.js';

export const handler = bufferedHandler('admin', createAdminRuntime);
