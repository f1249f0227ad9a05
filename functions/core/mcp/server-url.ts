/** Whether a URL a client gave names a configured MCP server's URL (a trailing slash aside). */
export const isServerUrl = (given: string, configured: string): boolean => withoutTrailingSlash(given) === withoutTrailingSlash(configured);

export const withoutTrailingSlash = (url: string): string => url.replace(/\/+$/, '');
