// The app-shell service worker (vite-plugin-pwa, injectManifest → /sw.js). It precaches the
// build (HTML, JS — the broker worker chunk included —, CSS, icons) and answers navigations with
// the cached index.html. It never caches or touches API calls (/v1/…), the test engine
// (/__engine) or socket traffic: anything not precached goes to the network untouched.
/// <reference lib="webworker" />
import { clientsClaim } from 'workbox-core';
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute, type PrecacheEntry } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: (string | PrecacheEntry)[] };

/** Paths the navigation fallback must never answer (served by the relay / engine). */
const NETWORK_ONLY_NAVIGATIONS = [/^\/v1\//, /^\/__engine/];

// A new deployment takes over at once; its broker and event channel carry a new version name,
// so old and new tabs never talk to the wrong broker.
void self.skipWaiting();
clientsClaim();

precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();

registerRoute(new NavigationRoute(createHandlerBoundToURL('index.html'), { denylist: NETWORK_ONLY_NAVIGATIONS }));
