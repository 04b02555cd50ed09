// URL routing without a router library: `/` and `/t/<threadId>`, history.pushState + popstate.
import { useSyncExternalStore } from 'react';

export type Route = { kind: 'home' } | { kind: 'thread'; threadId: string } | { kind: 'unknown'; path: string };

const THREAD_PATH = /^\/t\/([^/]+)\/?$/;

export function parseRoute(pathname: string): Route {
  if (pathname === '/' || pathname === '') return { kind: 'home' };
  const match = THREAD_PATH.exec(pathname);
  if (match) {
    try {
      return { kind: 'thread', threadId: decodeURIComponent(match[1]!) };
    } catch {
      return { kind: 'unknown', path: pathname };
    }
  }
  return { kind: 'unknown', path: pathname };
}

export const threadPath = (threadId: string) => `/t/${encodeURIComponent(threadId)}`;

const listeners = new Set<() => void>();

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  window.addEventListener('popstate', listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('popstate', listener);
  };
}

const getPathname = () => window.location.pathname;

export function navigate(path: string, options: { replace?: boolean } = {}): void {
  if (path === window.location.pathname && !options.replace) return;
  if (options.replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  for (const listener of [...listeners]) listener();
}

/** The current route; re-renders on navigate() and on back/forward. */
export function useRoute(): Route {
  const pathname = useSyncExternalStore(subscribe, getPathname);
  // parseRoute is cheap, but callers compare routes by field, so a fresh object is fine.
  return parseRoute(pathname);
}
