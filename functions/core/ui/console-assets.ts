import { GatewayError } from '../errors.js';

/** One built file of the web console. */
export interface ConsoleAsset {
  body: Uint8Array<ArrayBuffer>;
  contentType: string;
}

/** Port: the console's built files (`index.html`, `assets/<hashed name>`), wherever the host keeps them. */
export interface ConsoleAssets {
  /** The file at `name` (relative to the build folder), undefined when there is none. */
  read(name: string): Promise<ConsoleAsset | undefined>;
}

/** The content types of what the console build emits; anything else is not served. */
export const consoleContentTypes: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
};

/** Hashed asset names as Vite writes them: no folders, no dot segments. */
const assetName = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}\.(js|css|svg)$/;

/**
 * The page loads only its own scripts and styles and talks only to its own
 * origin; the key it holds never leaves in a URL or a Referer.
 */
const securityHeaders = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
};

const notBuilt = () =>
  new GatewayError(503, 'The web console is not built; run `npm run build:console` (npm start and npm test build it).', { type: 'server_error', code: 'console_not_built' });

const assetNotFound = (name: string) => new GatewayError(404, `The console has no asset "${name}".`, { code: 'asset_not_found' });

const respond = (asset: ConsoleAsset, cacheControl: string) =>
  new Response(asset.body, { status: 200, headers: { 'content-type': asset.contentType, 'cache-control': cacheControl, ...securityHeaders } });

/**
 * `GET /ui`: the console's page, never cached (it names the current hashed
 * assets). `/ui/` redirects to `/ui` with a relative Location, so the page's
 * relative asset paths resolve under any API Gateway stage.
 */
export const consolePage = async (assets: ConsoleAssets | undefined, path: string): Promise<Response> => {
  if (path.endsWith('/')) return new Response(null, { status: 308, headers: { location: '../ui' } });
  const page = await assets?.read('index.html');
  if (!page) throw notBuilt();
  return respond(page, 'no-store');
};

/** `GET /ui/assets/{file}`: one hashed asset, cached for good. */
export const consoleAsset = async (assets: ConsoleAssets | undefined, file: string): Promise<Response> => {
  if (!assetName.test(file)) throw assetNotFound(file.slice(0, 128));
  if (!assets) throw notBuilt();
  const asset = await assets.read(`assets/${file}`);
  if (!asset) throw assetNotFound(file);
  return respond(asset, 'public, max-age=31536000, immutable');
};
