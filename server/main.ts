// Switchboard's command line: `npm start` (built app) or `npm run dev` (Vite).
//   PORT (4173), HOST (127.0.0.1)
//   OPENAI_BASE_URL → relay to that Responses-compatible server (key from OPENAI_API_KEY if set)
//   OPENAI_API_KEY alone → relay to https://api.openai.com/v1
//   neither → the embedded offline engine
//   SWITCHBOARD_MODEL → the model name the app sends (default gpt-5.1-codex)
//   SWITCHBOARD_POOL_SIZE, SWITCHBOARD_SOCKET_MAX_AGE_MS, SWITCHBOARD_SOCKET_IDLE_MS,
//   SWITCHBOARD_MAX_FRAME_BYTES → the broker's pool settings (defaults: 4, 55 min, 5 min, 8 MiB)
//   SWITCHBOARD_TEST_HOOKS=1 → engine test hooks (e2e), also served at /__engine/*
import { fileURLToPath } from 'node:url';
import { createRelay, type BrokerTuning, type RelayUpstream } from './relay.ts';
import { displayUrl } from './upstreamUrl.ts';

const OPENAI_BASE_URL = 'https://api.openai.com/v1';

function upstreamFromEnv(env: NodeJS.ProcessEnv): RelayUpstream {
  const apiKey = env.OPENAI_API_KEY || undefined;
  const baseUrl = env.OPENAI_BASE_URL || (apiKey ? OPENAI_BASE_URL : undefined);
  if (baseUrl) return { kind: 'remote', baseUrl, apiKey };
  return { kind: 'engine', testHooks: env.SWITCHBOARD_TEST_HOOKS === '1' };
}

/** Positive whole numbers from the environment; anything else is a startup error. */
function brokerTuningFromEnv(env: NodeJS.ProcessEnv): BrokerTuning {
  const names: Record<keyof BrokerTuning, string> = {
    maxSockets: 'SWITCHBOARD_POOL_SIZE',
    socketMaxAgeMs: 'SWITCHBOARD_SOCKET_MAX_AGE_MS',
    socketIdleMs: 'SWITCHBOARD_SOCKET_IDLE_MS',
    maxFrameBytes: 'SWITCHBOARD_MAX_FRAME_BYTES',
  };
  const tuning: BrokerTuning = {};
  for (const [key, name] of Object.entries(names) as [keyof BrokerTuning, string][]) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const value = Number(raw);
    if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive whole number (got ${raw})`);
    tuning[key] = value;
  }
  return tuning;
}

function describeUpstream(upstream: RelayUpstream): string {
  if (upstream.kind === 'engine') return `embedded engine (offline)${upstream.testHooks ? ', test hooks on' : ''}`;
  // Never print the key, and print the base URL without any credentials it might embed.
  return `${displayUrl(upstream.baseUrl)} (key: ${upstream.apiKey ? 'set' : 'not set'})`;
}

const port = Number(process.env.PORT ?? 4173);
const host = process.env.HOST || '127.0.0.1';
const dev = process.argv.includes('--dev');
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`Switchboard: PORT must be a port number (got ${process.env.PORT}).`);
  process.exit(2);
}

try {
  const upstream = upstreamFromEnv(process.env);
  const relay = await createRelay({
    host,
    port,
    upstream,
    dev,
    ...(process.env.SWITCHBOARD_MODEL ? { model: process.env.SWITCHBOARD_MODEL } : {}),
    broker: brokerTuningFromEnv(process.env),
    staticDir: fileURLToPath(new URL('../dist', import.meta.url)),
    log: (line) => console.log(line),
  });
  console.log(`Switchboard on ${relay.url}${dev ? ' (dev)' : ''} — upstream: ${describeUpstream(upstream)}`);
  let stopping = false;
  const shutdown = (): void => {
    if (stopping) return;
    stopping = true;
    relay.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
} catch (error) {
  console.error(`Switchboard could not start on ${host}:${port}: ${(error as Error).message}`);
  process.exit(1);
}
