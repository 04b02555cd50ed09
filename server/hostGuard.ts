// Blocks DNS rebinding and cross-site use of the relay: requests must name the relay by a
// loopback name (or its configured host) in `Host`, and a browser `Origin`, when sent, must be
// the relay's own. Without this any web page could drive the local agent through the relay.
import type { IncomingMessage } from 'node:http';

export interface HostGuard {
  hostAllowed(req: IncomingMessage): boolean;
  /** True when there is no Origin (non-browser clients) or it is one of the allowed http origins. */
  originAllowed(req: IncomingMessage): boolean;
}

export function createHostGuard(configuredHost: string, port: number): HostGuard {
  const names = ['127.0.0.1', 'localhost', '[::1]', bracketIpv6(configuredHost.toLowerCase())];
  const allowed = new Set(names.map((name) => `${name}:${port}`));
  // Browsers leave the default port out of Host and Origin.
  if (port === 80) for (const name of names) allowed.add(name);
  return {
    hostAllowed: (req) => allowed.has((req.headers.host ?? '').toLowerCase()),
    originAllowed(req) {
      const origin = req.headers.origin;
      if (origin === undefined) return true;
      const lower = origin.toLowerCase();
      return lower.startsWith('http://') && allowed.has(lower.slice('http://'.length));
    },
  };
}

function bracketIpv6(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
