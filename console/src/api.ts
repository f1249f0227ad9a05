/** The gateway's HTTP API as the console calls it: the signed-in key as the bearer, errors from the OpenAI envelope. */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | null,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export type Json = Record<string, any>;

export interface Api {
  get(path: string, query?: Record<string, string | number | undefined>): Promise<Json>;
  post(path: string, body: unknown): Promise<Json>;
}

const queryString = (query: Record<string, string | number | undefined> = {}) => {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined && value !== '') search.set(name, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
};

/** Where the API is: the page's own path without `/ui` (`/prod` under an API Gateway stage, empty locally). */
export const apiBase = () => window.location.pathname.replace(/\/ui\/?$/, '');

/** An API client for one key, on the console's own origin and stage. */
export const createApi = (key: string, base = apiBase()): Api => {
  const call = async (method: 'GET' | 'POST', path: string, body?: unknown): Promise<Json> => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
    });
    const text = await response.text();
    let parsed: Json = {};
    try {
      parsed = text ? (JSON.parse(text) as Json) : {};
    } catch {
      throw new ApiError(response.status, null, `The gateway answered ${response.status} with a body that is not JSON.`);
    }
    if (!response.ok) {
      const error = parsed.error ?? {};
      throw new ApiError(response.status, error.code ?? null, error.message ?? `The gateway answered ${response.status}.`);
    }
    return parsed;
  };
  return {
    get: (path, query) => call('GET', `${path}${queryString(query)}`),
    post: (path, body) => call('POST', path, body),
  };
};

/** Whether `key` is the master key (it may list keys), a virtual key (it may read itself), or neither (the error says why). */
export const identify = async (key: string): Promise<'master' | 'key'> => {
  const api = createApi(key);
  try {
    await api.get('/key/list', { size: 1 });
    return 'master';
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 401) throw error;
  }
  await api.get('/key/info');
  return 'key';
};

export const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
