/** A failure the CLI reports as one line (and exit code 1). */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

export interface GatewayClientOptions {
  /** The gateway's base URL, without `/v1`. */
  url: string;
  key?: string;
  fetch?: typeof fetch;
}

/** The gateway's HTTP API as the CLI drives it: JSON in, JSON out, the error envelope turned into a CliError. */
export class GatewayClient {
  private readonly fetch: typeof fetch;

  constructor(private readonly options: GatewayClientOptions) {
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  get url(): string {
    return this.options.url;
  }

  get(path: string, query: Record<string, string | undefined> = {}): Promise<unknown> {
    const search = new URLSearchParams(Object.entries(query).filter((entry): entry is [string, string] => entry[1] !== undefined));
    return this.send('GET', search.size > 0 ? `${path}?${search}` : path);
  }

  post(path: string, body: unknown): Promise<unknown> {
    return this.send('POST', path, body);
  }

  private async send(method: string, path: string, body?: unknown): Promise<unknown> {
    if (!this.options.key) throw new CliError('No key: pass --key, or set TOLLWAY_MASTER_KEY (the master key for admin commands).');
    let response: Response;
    try {
      response = await this.fetch(`${this.options.url.replace(/\/+$/, '')}${path}`, {
        method,
        headers: { authorization: `Bearer ${this.options.key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
      throw new CliError(`Cannot reach ${this.options.url} (${cause}); is the gateway running (npm start), or is --url wrong?`);
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      throw new CliError(`${method} ${path}: ${response.status}, not JSON: ${text.slice(0, 200)}`);
    }
    if (!response.ok) {
      const error = (parsed as { error?: { message?: string; code?: string } } | undefined)?.error;
      throw new CliError(`${method} ${path}: ${response.status} ${error?.code ?? ''}${error?.message ? `: ${error.message}` : ''}`.replace(/ +:/, ':'));
    }
    return parsed;
  }
}
