// Where the relay reaches a remote Responses server: `${baseUrl}${path}`, over http(s) or ws(s).

/** Throws on anything but an http(s) base URL, so a typo in OPENAI_BASE_URL fails at start-up. */
export function upstreamUrl(baseUrl: string, path: string, scheme: 'http' | 'ws'): string {
  const url = new URL(baseUrl);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`The upstream base URL must start with http:// or https:// (got ${url.protocol}).`);
  }
  url.pathname = `${url.pathname.replace(/\/+$/, '')}${path}`;
  if (scheme === 'ws') url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

/** The base URL without credentials or query, safe to print. */
export function displayUrl(baseUrl: string): string {
  const url = new URL(baseUrl);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}
