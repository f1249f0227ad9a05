/**
 * The environment variable through which the stack hands a function the id
 * of a knowledge base it provisioned (the id exists only after deployment,
 * so the config cannot hold it): `handbook` → `TOLLWAY_KNOWLEDGE_BASE_ID_HANDBOOK`.
 */
export const knowledgeBaseIdVariable = (name: string): string => `TOLLWAY_KNOWLEDGE_BASE_ID_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
