import { existsSync } from 'node:fs';
import { defineConfig } from '@playwright/test';

// The relay serves the built app and forwards to a scripted upstream: the embedded engine
// running on its own port with its test hooks on. Both are real servers owned by Playwright.
export const RELAY_PORT = 4310;
export const UPSTREAM_PORT = 4311;

const debianChromium = '/usr/bin/chromium';

export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  // Not the default test-results/: Playwright empties its output folder, and the unit report lives there.
  outputDir: 'test-results/playwright',
  // One scripted upstream is shared state: scenarios run one at a time.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: process.env.CI ? [['list'], ['json', { outputFile: 'test-results/e2e.json' }]] : 'list',
  use: {
    baseURL: `http://127.0.0.1:${RELAY_PORT}`,
    trace: 'retain-on-failure',
    launchOptions: {
      ...(existsSync(debianChromium) ? { executablePath: debianChromium } : {}),
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    },
  },
  webServer: [
    {
      command: `node --import tsx server/engine/serve.ts --port ${UPSTREAM_PORT} --test-hooks`,
      url: `http://127.0.0.1:${UPSTREAM_PORT}/__engine/log`,
      reuseExistingServer: false,
      stdout: 'pipe',
      timeout: 30_000,
    },
    {
      command: 'node --import tsx server/main.ts',
      url: `http://127.0.0.1:${RELAY_PORT}/`,
      env: { PORT: String(RELAY_PORT), HOST: '127.0.0.1', OPENAI_BASE_URL: `http://127.0.0.1:${UPSTREAM_PORT}/v1`, OPENAI_API_KEY: 'sk-test-never-reaches-the-page',
        // A small frame limit so the oversized-frame fault needs only 2 MiB.
        SWITCHBOARD_MAX_FRAME_BYTES: String(1024 * 1024),
      },
      reuseExistingServer: false,
      stdout: 'pipe',
      timeout: 30_000,
    },
  ],
});
