import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { RESPONSES_WS_BETA } from '../src/core/wire.ts';
import { createEngine } from './engine/engine.ts';
import { startEngineServer, type EngineServer } from './engine/engineServer.ts';
import { CONTROL_PREFIX, type EngineLog, type ScriptedResponse } from './engine/testControl.ts';
import { browserCloseFor } from './closeCodes.ts';
import { listen } from './listening.ts';
import { createRelay, type Relay } from './relay.ts';
import {
  expectRefusedUpgrade,
  openTestSocket,
  parseSse,
  postJson,
  rawRequest,
  responseCreate,
  userInput,
} from './testing/testClients.ts';

const SECRET = 'sk-test-relay-SECRET-4f1a';

let engine: EngineServer;
let relay: Relay;
let relayWs: string;

beforeAll(async () => {
  engine = await startEngineServer({ testHooks: true });
  relay = await createRelay({ host: '127.0.0.1', port: 0, upstream: { kind: 'remote', baseUrl: `${engine.url}/v1`, apiKey: SECRET } });
  relayWs = `${relay.url.replace('http:', 'ws:')}/v1/responses`;
});
afterAll(async () => {
  await relay.close();
  await engine.close();
});
beforeEach(async () => {
  await postJson(`${engine.url}${CONTROL_PREFIX}/reset`, {});
});

async function script(...responses: ScriptedResponse[]): Promise<void> {
  await postJson(`${engine.url}${CONTROL_PREFIX}/script`, { responses });
}

async function engineLog(): Promise<EngineLog> {
  return (await (await fetch(`${engine.url}${CONTROL_PREFIX}/log`)).json()) as EngineLog;
}

describe('relay to a remote server over WebSocket', () => {
  it('forwards frames both ways, text as text and binary as binary, adding Authorization and OpenAI-Beta upstream', async () => {
    const browser = await openTestSocket(relayWs);

    browser.send(responseCreate({ input: userInput('hello through the relay') }));
    const events = await browser.untilTerminal();
    expect(events.map((event) => event.type).slice(0, 3)).toEqual(['response.created', 'response.metadata', 'response.in_progress']);
    expect(events.at(-1)?.type).toBe('response.completed');

    // A binary frame holding valid JSON must reach the engine as binary (and be refused as such).
    browser.ws.send(Buffer.from(JSON.stringify(responseCreate({ input: [] }))), { binary: true });
    expect((await browser.next()).json).toMatchObject({ type: 'error', error: { code: 'invalid_frame' } });

    // The engine's scripted binary frame reaches the browser as binary.
    await script({ text: 'binary next', binaryAfterEvents: 2 });
    browser.send(responseCreate({ input: [] }));
    const [created, metadata, binary] = [await browser.next(), await browser.next(), await browser.next()];
    expect([created?.binary, metadata?.binary, binary?.binary]).toEqual([false, false, true]);

    const log = await engineLog();
    expect(log.upgrades).toHaveLength(1);
    expect(log.upgrades[0]?.headers.authorization).toBe(`Bearer ${SECRET}`);
    expect(log.upgrades[0]?.headers['openai-beta']).toBe(RESPONSES_WS_BETA);
    expect(log.frames.map(({ frame }) => frame.type)).toEqual(['response.create', 'response.create']);
    browser.ws.close();
  });

  it('closes the browser socket with 4000+S and the upstream message when the upstream refuses the upgrade', async () => {
    await postJson(`${engine.url}${CONTROL_PREFIX}/refuse`, { status: 426, times: 1, message: 'Upgrade Required: use HTTP' });
    const refused = await openTestSocket(relayWs);
    expect(await refused.closed).toEqual({ code: 4426, reason: 'Upgrade Required: use HTTP' });

    const long = 'é'.repeat(200);
    await postJson(`${engine.url}${CONTROL_PREFIX}/refuse`, { status: 500, times: 1, message: long });
    const { code, reason } = await (await openTestSocket(relayWs)).closed;
    expect(code).toBe(4500);
    expect(Buffer.byteLength(reason)).toBeLessThanOrEqual(123);
    expect(reason).toMatch(/^é+…$/);
  });

  it('never sends the API key to the browser', async () => {
    await script({ error: { status: 401, code: 'invalid_api_key', message: 'bad key' } });
    const seen: string[] = [];
    const browser = await openTestSocket(relayWs);
    browser.send(responseCreate({ input: userInput('one') }));
    seen.push(JSON.stringify(await browser.untilTerminal()));
    browser.send(responseCreate({ input: userInput('two') }));
    seen.push(JSON.stringify(await browser.untilTerminal()));
    browser.ws.close();

    await postJson(`${engine.url}${CONTROL_PREFIX}/refuse`, { status: 403, times: 1 });
    seen.push(JSON.stringify(await (await openTestSocket(relayWs)).closed));

    const http = await postJson(`${relay.url}/v1/responses`, { model: 'm', input: [] });
    seen.push(JSON.stringify([...http.headers]), await http.text());

    expect(seen.join('\n')).not.toContain(SECRET);
    expect(seen.join('\n')).toContain('invalid_api_key');
  });
});

describe('relay socket lifecycle', () => {
  let upstream: WebSocketServer;
  let nextConnection: () => Promise<WebSocket>;
  let lifecycleRelay: Relay;
  let url: string;

  beforeAll(async () => {
    // An upstream that closes the way each test asks: the first frame says how.
    upstream = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((resolve) => upstream.once('listening', resolve));
    const waiting: ((ws: WebSocket) => void)[] = [];
    upstream.on('connection', (ws) => {
      waiting.shift()?.(ws);
      ws.on('message', (data) => {
        const { code, reason } = JSON.parse(data.toString()) as { code: number | 'terminate'; reason?: string };
        if (code === 'terminate') ws.terminate();
        else ws.close(code, reason);
      });
    });
    nextConnection = () => new Promise((resolve) => waiting.push(resolve));
    const { port } = upstream.address() as AddressInfo;
    lifecycleRelay = await createRelay({ host: '127.0.0.1', port: 0, upstream: { kind: 'remote', baseUrl: `http://127.0.0.1:${port}/v1` } });
    url = `${lifecycleRelay.url.replace('http:', 'ws:')}/v1/responses`;
  });
  afterAll(async () => {
    await lifecycleRelay.close();
    await new Promise((resolve) => upstream.close(resolve));
  });

  async function closeFromUpstream(code: number | 'terminate', reason = ''): Promise<{ code: number; reason: string }> {
    const browser = await openTestSocket(url);
    browser.send({ code, reason });
    return browser.closed;
  }

  it('passes close codes 1000 and 3000–4999 through with their reason', async () => {
    expect(await closeFromUpstream(1000, 'done')).toEqual({ code: 1000, reason: 'done' });
    expect(await closeFromUpstream(4321, 'custom')).toEqual({ code: 4321, reason: 'custom' });
  });

  it('turns other closes into 1011 with a reason', async () => {
    expect(await closeFromUpstream(1001, 'going away')).toEqual({ code: 1011, reason: 'upstream closed the connection (1001): going away' });
    const dropped = await closeFromUpstream('terminate');
    expect(dropped.code).toBe(1011);
    expect(dropped.reason).toContain('1006');
  });

  it('closes the upstream socket when the browser closes', async () => {
    const connection = nextConnection();
    const browser = await openTestSocket(url);
    const upstreamSide = await connection;
    const upstreamClosed = new Promise<number>((resolve) => upstreamSide.on('close', (code) => resolve(code)));
    browser.ws.close(1000);
    expect(await upstreamClosed).toBe(1000);
  });

  it('closes the browser with 1011 when the upstream cannot be reached', async () => {
    const unreachable = await createRelay({ host: '127.0.0.1', port: 0, upstream: { kind: 'remote', baseUrl: 'http://127.0.0.1:1/v1' } });
    try {
      const browser = await openTestSocket(`${unreachable.url.replace('http:', 'ws:')}/v1/responses`);
      const { code, reason } = await browser.closed;
      expect(code).toBe(1011);
      expect(reason).toMatch(/^upstream unreachable/);
      const http = await postJson(`${unreachable.url}/v1/responses`, { model: 'm', input: [] });
      expect(http.status).toBe(502);
      expect(await http.json()).toMatchObject({ error: { code: 'upstream_unreachable' } });
    } finally {
      await unreachable.close();
    }
  });
});

describe('relay buffering', () => {
  it('buffers frames sent before the upstream socket opens and flushes them in order', async () => {
    const gatedEngine = createEngine({ testHooks: true });
    const wss = new WebSocketServer({ noServer: true });
    let openGate = (): void => undefined;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    const upstream: Server = createServer((req, res) => void gatedEngine.handleHttp(req, res));
    // The upstream handshake completes only once the test opens the gate.
    upstream.on('upgrade', (req, socket, head) => {
      void gate.then(() => wss.handleUpgrade(req, socket, head, (ws) => gatedEngine.attachSocket(ws, req)));
    });
    const port = await listen(upstream, 0, '127.0.0.1');
    const gatedRelay = await createRelay({ host: '127.0.0.1', port: 0, upstream: { kind: 'remote', baseUrl: `http://127.0.0.1:${port}/v1` } });
    try {
      const browser = await openTestSocket(`${gatedRelay.url.replace('http:', 'ws:')}/v1/responses`);
      browser.send({ type: 'probe', n: 1 });
      browser.send({ type: 'probe', n: 2 });
      browser.ws.send(Buffer.from('{"type":"probe","n":"binary"}'), { binary: true });
      browser.send({ type: 'probe', n: 3 });
      // The relay answers our ping only after it has read the frames before it: they are buffered now.
      await browser.roundTrip();
      openGate();

      const codes = [];
      for (let i = 0; i < 4; i++) codes.push(((await browser.next()).json?.error as { code: string }).code);
      expect(codes).toEqual(['unsupported_event_type', 'unsupported_event_type', 'invalid_frame', 'unsupported_event_type']);
      const log = (await (await fetch(`http://127.0.0.1:${port}${CONTROL_PREFIX}/log`)).json()) as EngineLog;
      expect(log.frames.map(({ frame }) => frame.n)).toEqual([1, 2, 3]);
      browser.ws.close();
    } finally {
      await gatedRelay.close();
      await gatedEngine.close();
      upstream.closeAllConnections();
      await new Promise((resolve) => upstream.close(resolve));
    }
  });
});

describe('relay to a remote server over HTTP', () => {
  it('forwards the key and x-codex-turn-state up, and streams status, content type and turn state down', async () => {
    await script({ text: 'streamed', hold: true });
    const res = await postJson(
      `${relay.url}/v1/responses`,
      { model: 'm', input: userInput('over http') },
      { accept: 'text/event-stream', 'x-codex-turn-state': 'ts_from_browser' },
    );
    // Headers arrived while the engine still holds the body: the relay streams, it does not buffer.
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(res.headers.get('x-codex-turn-state')).toMatch(/^ts_\d+$/);
    await postJson(`${engine.url}${CONTROL_PREFIX}/release`, {});
    expect(parseSse(await res.text()).at(-1)?.data.type).toBe('response.completed');

    const [logged] = (await engineLog()).http;
    expect(logged?.path).toBe('/v1/responses');
    expect(logged?.headers).toMatchObject({
      authorization: `Bearer ${SECRET}`,
      'x-codex-turn-state': 'ts_from_browser',
      'content-type': 'application/json',
      accept: 'text/event-stream',
    });
  });

  it('forwards /v1/responses/compact and upstream error statuses', async () => {
    const compact = await postJson(`${relay.url}/v1/responses/compact`, { model: 'm', input: userInput('squash me') });
    expect(compact.status).toBe(200);
    expect(compact.headers.get('x-codex-turn-state')).toMatch(/^ts_\d+$/);
    expect(JSON.stringify(await compact.json())).toContain('squash me');
    expect((await engineLog()).http[0]?.path).toBe('/v1/responses/compact');

    await script({ error: { status: 429, code: 'rate_limit_exceeded', message: 'wait' } });
    const limited = await postJson(`${relay.url}/v1/responses`, { model: 'm', input: [] });
    expect(limited.status).toBe(429);
    expect(await limited.json()).toMatchObject({ error: { code: 'rate_limit_exceeded' } });
  });

  it('refuses bodies over 16 MiB with 413 before contacting the upstream', async () => {
    const res = await fetch(`${relay.url}/v1/responses`, { method: 'POST', body: 'x'.repeat(16 * 1024 * 1024 + 1) });
    expect(res.status).toBe(413);
    expect((await engineLog()).http).toEqual([]);
  });
});

describe('relay with the embedded engine', () => {
  it('serves the engine, its control routes with test hooks, and reports scripted refusals as 4000+S closes', async () => {
    const local = await createRelay({ host: '127.0.0.1', port: 0, upstream: { kind: 'engine', testHooks: true } });
    try {
      const ws = `${local.url.replace('http:', 'ws:')}/v1/responses`;
      const browser = await openTestSocket(ws);
      browser.send(responseCreate({ input: userInput('hi') }));
      expect((await browser.untilTerminal()).at(-1)?.type).toBe('response.completed');
      browser.ws.close();

      await postJson(`${local.url}${CONTROL_PREFIX}/refuse`, { status: 404, times: 1, message: 'no sockets here' });
      expect(await (await openTestSocket(ws)).closed).toEqual({ code: 4404, reason: 'no sockets here' });
      expect(((await (await fetch(`${local.url}${CONTROL_PREFIX}/log`)).json()) as EngineLog).handshakes).toBe(1);
    } finally {
      await local.close();
    }
  });

  it('answers control routes with 404 when test hooks are off', async () => {
    const local = await createRelay({ host: '127.0.0.1', port: 0, upstream: { kind: 'engine' } });
    try {
      expect((await fetch(`${local.url}${CONTROL_PREFIX}/log`)).status).toBe(404);
    } finally {
      await local.close();
    }
  });
});

describe('relay Host and Origin checks', () => {
  it('rejects API requests with a foreign Host or Origin', async () => {
    const port = new URL(relay.url).port;
    const api = `${relay.url}/v1/responses/compact`;
    const body = JSON.stringify({ model: 'm', input: [] });
    const post = (headers: Record<string, string>) =>
      rawRequest(api, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    expect((await post({ host: `evil.example:${port}` })).status).toBe(403);
    expect((await post({ origin: 'http://evil.example' })).status).toBe(403);
    expect((await post({ origin: `https://localhost:${port}` })).status).toBe(403);
    expect((await post({ host: `localhost:${port}`, origin: `http://localhost:${port}` })).status).toBe(200);
    expect((await post({ host: `[::1]:${port}`, origin: `http://127.0.0.1:${port}` })).status).toBe(200);
  });

  it('rejects WebSocket upgrades with a foreign Host or Origin with 403', async () => {
    expect((await expectRefusedUpgrade(relayWs, { origin: 'http://evil.example' })).status).toBe(403);
    expect((await expectRefusedUpgrade(relayWs, { headers: { host: 'evil.example' } })).status).toBe(403);
    const allowed = await openTestSocket(relayWs, { origin: relay.url });
    allowed.send(responseCreate({ input: [] }));
    await allowed.untilTerminal();
    allowed.ws.close();
    // Only the allowed socket reached the upstream.
    expect((await engineLog()).handshakes).toBe(1);
  });
});

describe('relay static files', () => {
  let dir: string;
  let site: Relay;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'switchboard-dist-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>app</title>');
    writeFileSync(join(dir, 'sw.js'), 'self.skipWaiting()');
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'assets', 'app-1234.js'), 'console.log(1)');
    site = await createRelay({ host: '127.0.0.1', port: 0, staticDir: dir, upstream: { kind: 'engine' } });
  });
  afterAll(async () => {
    await site.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('falls back to index.html for client routes and revalidates it', async () => {
    for (const path of ['/', '/t/abc']) {
      const res = await fetch(`${site.url}${path}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(await res.text()).toContain('<title>app</title>');
    }
  });

  it('serves sw.js revalidated and hashed assets as immutable, with 304 on a matching ETag', async () => {
    const sw = await fetch(`${site.url}/sw.js`);
    expect(sw.headers.get('cache-control')).toBe('no-cache');
    expect(sw.headers.get('content-type')).toMatch(/^text\/javascript/);
    const asset = await fetch(`${site.url}/assets/app-1234.js`);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await asset.text()).toBe('console.log(1)');
    const again = await fetch(`${site.url}/sw.js`, { headers: { 'if-none-match': sw.headers.get('etag') ?? '' } });
    expect(again.status).toBe(304);
  });

  it('answers 404 for missing files and for paths that climb out of the directory', async () => {
    expect((await fetch(`${site.url}/missing.js`)).status).toBe(404);
    const escape = await rawRequest(`${site.url}/..%2f..%2f..%2fetc%2fpasswd.txt`, {});
    expect(escape.status).toBe(404);
    const raw = await rawRequest(`${site.url}/../package.json`, {});
    expect(raw.status).toBe(404);
  });

  it('checks Host on static GETs but not Origin', async () => {
    const port = new URL(site.url).port;
    expect((await rawRequest(`${site.url}/`, { headers: { host: `attacker.example:${port}` } })).status).toBe(403);
    expect((await rawRequest(`${site.url}/`, { headers: { origin: 'http://elsewhere.example' } })).status).toBe(200);
  });

  it('tells the user to build when the app is missing', async () => {
    const empty = await createRelay({ host: '127.0.0.1', port: 0, staticDir: join(dir, 'nope'), upstream: { kind: 'engine' } });
    try {
      const res = await fetch(`${empty.url}/`);
      expect(res.status).toBe(503);
      expect(await res.text()).toContain('npm run build');
    } finally {
      await empty.close();
    }
  });
});

describe('relay: only the Responses endpoints get the key', () => {
  it('refuses any other path under /v1, dot segments included, without calling the upstream', async () => {
    const { hostname, port } = new URL(relay.url);
    const post = (path: string) =>
      new Promise<number>((resolve, reject) => {
        // node:http with an explicit path sends it as written: no URL normalisation on the way.
        const req = httpRequest({ host: hostname, port, path, method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end('{}');
      });
    for (const path of ['/v1/responses/../../admin/keys', '/v1/responses/%2e%2e/files', '/v1/files', '/v1/responses/other']) {
      expect(await post(path)).toBe(404);
    }
    expect((await engineLog()).http).toEqual([]);
  });
});

describe('relay: close codes', () => {
  it('passes application close codes through, but never one that reads as a refused upgrade', () => {
    expect(browserCloseFor(4001, 'custom')).toEqual({ code: 4001, reason: 'custom' });
    expect(browserCloseFor(4429, 'slow down').code).toBe(1011);
    expect(browserCloseFor(4503, '').code).toBe(1011);
    expect(browserCloseFor(1006, '')).toEqual({ code: 1011, reason: 'upstream closed the connection (1006)' });
  });
});
