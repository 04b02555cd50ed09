import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

/** Unique per build: names the broker SharedWorker and its event channel (src/appVersion.ts). */
const APP_VERSION = `${pkg.version}+${Date.now().toString(36)}`;

/** Names the build in the page as `<meta name="switchboard-version">`: the broker's worker and
 *  channel names derive from it (src/core/brokerMessages.ts), so tools outside the bundle, such
 *  as bench/, can listen to the broker's channel without reading the bundle. */
function versionMeta(): Plugin {
  return {
    name: 'switchboard-version-meta',
    transformIndexHtml: () => [{ tag: 'meta', attrs: { name: 'switchboard-version', content: APP_VERSION }, injectTo: 'head' }],
  };
}

/** The service worker is written as sw/service-worker.ts but served as /sw.js. */
const SW_FILENAME = 'sw.js';

export default defineConfig({
  plugins: [
    react(),
    versionMeta(),
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'sw',
      filename: 'service-worker.ts',
      injectRegister: false, // registered in src/main.tsx, production only
      injectManifest: {
        // Everything the shell needs offline, including the broker worker chunk (assets/*.js).
        // The web manifest and its icons are added by the plugin itself (includeManifestIcons).
        globPatterns: ['**/*.{js,css,html,svg}'],
        globIgnores: ['**/service-worker.js'],
      },
      integration: {
        // vite-plugin-pwa names the output after the source (service-worker.js); serve it as /sw.js.
        beforeBuildServiceWorker(options) {
          options.swDest = resolve(options.swDest, '..', SW_FILENAME);
          options.injectManifest.swDest = options.swDest;
          options.filename = SW_FILENAME;
        },
      },
      manifest: {
        name: 'Switchboard',
        short_name: 'Switchboard',
        description: 'A browser client for coding agents speaking the OpenAI Responses API.',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        background_color: '#15171c',
        theme_color: '#15171c',
        icons: [
          { src: '/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: '/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          { src: '/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
    }),
  ],
  define: { __APP_VERSION__: JSON.stringify(APP_VERSION) },
  worker: { format: 'es' },
  build: { outDir: 'dist', target: 'es2022', sourcemap: true },
});
