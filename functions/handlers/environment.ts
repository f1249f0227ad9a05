/** Environment variables the stack sets on the functions besides the table names (those come from the table definitions). */

/** ARN of the master-key secret; set on the admin function only. */
export const masterKeySecretArnVariable = 'TOLLWAY_MASTER_KEY_SECRET_ARN';

/** Powertools service name of every function: also the `service` dimension of every metric. */
export const serviceName = 'tollway';
