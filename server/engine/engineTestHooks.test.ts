import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEngineServer, type EngineServer } from './engineServer.ts';
import { CONTROL_PREFIX, type CompactedResponse, type EngineLog, type ScriptedCompaction, type ScriptedResponse } from './testControl.ts';
import {
  expectRefusedUpgrade,
  openTestSocket,
  parseSse,
  postJson,
  responseCreate,
  userInput,
  type Received,
} from '../testing/testClients.ts';

let server: EngineServer;
let wsUrl: string;

beforeAll(async () => {
  server = await startEngineServer({ testHooks: true });
  wsUrl = `${server.url.replace('http:', 'ws:')}/v1/responses`;
});
afterAll(() => server.close());
beforeEach(async () => {
  await control('reset');
});

async function control(route: string, body: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  const res = await postJson(`${server.url}${CONTROL_PREFIX}/${route}`, body);
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

async function script(...responses: ScriptedResponse[]): Promise<void> {
  await control('script', { responses });
}

async function scriptCompactions(...compactions: ScriptedCompaction[]): Promise<void> {
  await control('script-compact', { compactions });
}

function compact(input: unknown[], headers: Record<string, string> = {}): Promise<Response> {
  return postJson(`${server.url}/v1/responses/compact`, { model: 'm', input }, headers);
}

async function engineLog(): Promise<EngineLog> {
  return (await (await fetch(`${server.url}${CONTROL_PREFIX}/log`)).json()) as EngineLog;
}

async function frames(socket: { next(): Promise<Received> }, count: number): Promise<Received[]> {
  const received: Received[] = [];
  for (let i = 0; i < count; i++) received.push(await socket.next());
  return received;
}

describe('offline for real', () => {
  it('stops listening for the given time, refusing connections, then listens again', async () => {
    const res = await postJson(`${server.url}${CONTROL_PREFIX}/offline`, { ms: 300 });
    expect(await res.json()).toEqual({ offlineForMs: 300 });
    await expect.poll(async () => fetch(`${server.url}${CONTROL_PREFIX}/log`).then(() => 'up', (e: Error) => (e.cause as { code?: string })?.code ?? 'down')).toBe('ECONNREFUSED');
    await expect.poll(async () => fetch(`${server.url}${CONTROL_PREFIX}/log`).then((r) => r.status, () => 0), { timeout: 5_000 }).toBe(200);
  });
});

describe('scripted responses', () => {
  it('streams scripted text in `chunks` deltas and scripted tool calls, consumed in FIFO order', async () => {
    await script(
      { text: 'abcdefgh', chunks: 4 },
      { toolCalls: [{ name: 'read_file', arguments: { path: 'a.ts' }, callId: 'call_fixed' }, { name: 'noop', arguments: '{}' }] },
    );
    const socket = await openTestSocket(wsUrl);
    socket.send(responseCreate({ input: userInput('1') }));
    const first = await socket.untilTerminal();
    expect(first.filter((e) => e.type === 'response.output_text.delta').map((e) => e.delta)).toEqual(['ab', 'cd', 'ef', 'gh']);

    socket.send(responseCreate({ input: userInput('2') }));
    const second = await socket.untilTerminal();
    const output = (second.at(-1)?.response as { output: Record<string, unknown>[] }).output;
    expect(output).toMatchObject([
      { type: 'function_call', name: 'read_file', call_id: 'call_fixed', arguments: '{"path":"a.ts"}' },
      { type: 'function_call', name: 'noop', arguments: '{}' },
    ]);

    // Queue empty: the offline agent answers again.
    socket.send(responseCreate({ input: userInput('3') }));
    const third = await socket.untilTerminal();
    expect(JSON.stringify(third.at(-1))).toContain('offline engine');
    socket.ws.close();
  });

  it('overrides the advertised turn state, or advertises none with null', async () => {
    await script({ text: 'a', turnState: 'ts_custom' }, { text: 'b', turnState: null });
    const socket = await openTestSocket(wsUrl);
    socket.send(responseCreate({ input: [] }));
    expect((await socket.untilTerminal())[1]).toEqual({
      type: 'response.metadata',
      response_id: expect.stringMatching(/^resp_/),
      headers: { 'x-codex-turn-state': 'ts_custom' },
    });
    socket.send(responseCreate({ input: [] }));
    expect((await socket.untilTerminal()).map((e) => e.type)).not.toContain('response.metadata');
    socket.ws.close();
  });

  it('gives warmups only the plans marked warmup, and other responses only the unmarked ones', async () => {
    await script({ warmup: true, turnState: null }, { text: 'real answer', turnState: 'v1' }, { warmup: true, turnState: 'w2' });
    const socket = await openTestSocket(wsUrl);
    socket.send(responseCreate({ input: [] }));
    const real = await socket.untilTerminal();
    expect(real[1]).toMatchObject({ type: 'response.metadata', headers: { 'x-codex-turn-state': 'v1' } });
    expect(JSON.stringify(real.at(-1))).toContain('real answer');

    socket.send(responseCreate({ input: [], generate: false }));
    expect((await socket.untilTerminal()).map((e) => e.type)).toEqual(['response.created', 'response.completed']);
    socket.send(responseCreate({ input: [], generate: false }));
    expect((await socket.untilTerminal())[1]).toMatchObject({ headers: { 'x-codex-turn-state': 'w2' } });
    // Warmup plans are used up; the queue is empty and the next warmup advertises the counter.
    socket.send(responseCreate({ input: [], generate: false }));
    expect((await socket.untilTerminal())[1]).toMatchObject({ headers: { 'x-codex-turn-state': expect.stringMatching(/^ts_\d+$/) } });
    socket.ws.close();
  });

  it('gives a plan with onlyFor only to a request whose conversation mentions that text', async () => {
    await script({ text: 'for the scenario', onlyFor: 'scenario message' });
    const socket = await openTestSocket(wsUrl);
    socket.send(responseCreate({ input: userInput('a bystander') }));
    expect(JSON.stringify((await socket.untilTerminal()).at(-1))).not.toContain('for the scenario');
    socket.send(responseCreate({ input: userInput('the scenario message') }));
    expect(JSON.stringify((await socket.untilTerminal()).at(-1))).toContain('for the scenario');
    socket.ws.close();
  });

  it('drops the socket abruptly after dropAfterEvents frames', async () => {
    await script({ text: 'never finished', dropAfterEvents: 3 });
    const socket = await openTestSocket(wsUrl);
    socket.send(responseCreate({ input: [] }));
    const received = await frames(socket, 3);
    expect(received.map((frame) => frame.json?.type)).toEqual(['response.created', 'response.metadata', 'response.in_progress']);
    expect((await socket.closed).code).toBe(1006);
  });

  it('sends `{not json` after malformedAfterEvents frames, then stalls with the socket open', async () => {
    await script({ text: 'x', malformedAfterEvents: 2 });
    const socket = await openTestSocket(wsUrl);
    socket.send(responseCreate({ input: [] }));
    const received = await frames(socket, 3);
    expect(received[2]).toMatchObject({ binary: false, text: '{not json' });
    await socket.roundTrip();
    // The stalled response still occupies the socket.
    socket.send(responseCreate({ input: [] }));
    expect((await socket.next()).json).toMatchObject({ error: { code: 'response_already_in_flight' } });
    socket.ws.close();
  });

  it('sends a binary frame after binaryAfterEvents frames', async () => {
    await script({ text: 'x', binaryAfterEvents: 1 });
    const socket = await openTestSocket(wsUrl);
    socket.send(responseCreate({ input: [] }));
    const received = await frames(socket, 2);
    expect(received[0]?.json?.type).toBe('response.created');
    expect(received[1]?.binary).toBe(true);
    socket.ws.close();
  });

  it('sends an oversized JSON frame of exactly oversizedBytes after the first event, then completes', async () => {
    await script({ text: 'after padding', oversizedBytes: 100_000 });
    const socket = await openTestSocket(wsUrl);
    socket.send(responseCreate({ input: [] }));
    const [created, padding] = await frames(socket, 2);
    expect(created?.json?.type).toBe('response.created');
    expect(Buffer.byteLength(padding?.text ?? '')).toBe(100_000);
    expect(padding?.json?.type).toBe('engine.padding');
    expect((await socket.untilTerminal()).at(-1)?.type).toBe('response.completed');
    socket.ws.close();
  });

  it('answers with the scripted error frame instead of a response, leaving the socket free', async () => {
    await script({ error: { status: 429, code: 'rate_limit_exceeded', message: 'slow down' } });
    const socket = await openTestSocket(wsUrl);
    socket.send(responseCreate({ input: [] }));
    expect(await socket.untilTerminal()).toEqual([
      { type: 'error', status: 429, error: { type: 'invalid_request_error', code: 'rate_limit_exceeded', message: 'slow down', param: null } },
    ]);
    socket.send(responseCreate({ input: [] }));
    expect((await socket.untilTerminal()).at(-1)?.type).toBe('response.completed');
    socket.ws.close();
  });

  it('spaces events by eventDelayMs', async () => {
    await script({ text: 'ab', chunks: 2, eventDelayMs: 10 });
    const socket = await openTestSocket(wsUrl);
    const started = performance.now();
    socket.send(responseCreate({ input: [] }));
    const events = await socket.untilTerminal();
    // 11 events → 10 gaps of at least 10 ms.
    expect(events).toHaveLength(11);
    expect(performance.now() - started).toBeGreaterThanOrEqual(95);
    socket.ws.close();
  });

  it('waits firstTokenDelayMs after response.created, before the events after it', async () => {
    await script({ text: 'ab', chunks: 2, firstTokenDelayMs: 60 });
    const socket = await openTestSocket(wsUrl);
    socket.send(responseCreate({ input: [] }));
    const first = await socket.next();
    const createdAt = performance.now();
    expect(first.json?.type).toBe('response.created');
    const rest = await socket.untilTerminal();
    expect(rest.at(-1)?.type).toBe('response.completed');
    // Timers may fire a little early on some platforms; well over half the wait proves it waited.
    expect(performance.now() - createdAt).toBeGreaterThanOrEqual(50);
    socket.ws.close();
  });

  it('holds a response until release', async () => {
    await script({ text: 'released', hold: true });
    const socket = await openTestSocket(wsUrl);
    socket.send(responseCreate({ input: [] }));
    let arrived = false;
    const first = socket.next().then((frame) => {
      arrived = true;
      return frame;
    });
    await socket.roundTrip();
    expect(arrived).toBe(false);
    expect(await control('release')).toEqual({ released: 1 });
    expect((await first).json?.type).toBe('response.created');
    expect((await socket.untilTerminal()).at(-1)?.type).toBe('response.completed');
    socket.ws.close();
  });

  it('applies scripts to HTTP too: turn-state header, dropped stream, HTTP error status', async () => {
    await script({ text: 'a', turnState: null }, { text: 'b', dropAfterEvents: 2 }, { error: { status: 503, code: 'overloaded', message: 'busy' } });
    const url = `${server.url}/v1/responses`;
    const noState = await postJson(url, { model: 'm', input: [] });
    expect(noState.headers.has('x-codex-turn-state')).toBe(false);
    expect(parseSse(await noState.text()).at(-1)?.data.type).toBe('response.completed');

    const dropped = await postJson(url, { model: 'm', input: [] });
    expect(dropped.headers.get('x-codex-turn-state')).toMatch(/^ts_\d+$/);
    await expect(dropped.text()).rejects.toThrow();

    const failed = await postJson(url, { model: 'm', input: [] });
    expect(failed.status).toBe(503);
    expect(await failed.json()).toMatchObject({ error: { type: 'server_error', code: 'overloaded', message: 'busy' } });
  });
});

describe('scripted usage', () => {
  it('reports scripted token counts in response.completed, over WebSocket and HTTP', async () => {
    await script({ text: 'big', usage: { input_tokens: 250_000, output_tokens: 12 } }, { usage: { input_tokens: 7, output_tokens: 0 } });
    const socket = await openTestSocket(wsUrl);
    socket.send(responseCreate({ input: userInput('a') }));
    expect((await socket.untilTerminal()).at(-1)).toMatchObject({
      type: 'response.completed',
      response: { usage: { input_tokens: 250_000, output_tokens: 12, total_tokens: 250_012 } },
    });
    socket.ws.close();
    // A script that sets only usage keeps the offline agent's answer.
    const res = await postJson(`${server.url}/v1/responses`, { model: 'm', input: userInput('over http') });
    const completed = parseSse(await res.text()).at(-1)?.data;
    expect(completed).toMatchObject({ type: 'response.completed', response: { usage: { input_tokens: 7, output_tokens: 0, total_tokens: 7 } } });
    expect(JSON.stringify(completed)).toContain('offline engine');
  });

  it('rejects usage that is not two non-negative integers', async () => {
    const res = await postJson(`${server.url}${CONTROL_PREFIX}/script`, { responses: [{ text: 'x', usage: { input_tokens: -1, output_tokens: 0 } }] });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'invalid_control_request', message: expect.stringContaining('responses[0].usage') } });
  });
});

describe('scripted compactions', () => {
  it('answers by default with the offline summary, the real API\'s shape and a counter turn state; the log keeps the request', async () => {
    const res = await compact(userInput('squash this thread'), { 'X-Codex-Turn-State': 'ts_cell' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-codex-turn-state')).toMatch(/^ts_\d+$/);
    const body = (await res.json()) as CompactedResponse;
    expect(body).toMatchObject({ id: expect.stringMatching(/^resp_/), object: 'response.compaction', created_at: expect.any(Number) });
    expect(body.output).toMatchObject([{ type: 'message', role: 'user' }]);
    expect(JSON.stringify(body.output)).toContain('squash this thread');
    expect(body.usage.total_tokens).toBe(body.usage.input_tokens + body.usage.output_tokens);
    expect((await engineLog()).http).toMatchObject([
      { path: '/v1/responses/compact', headers: { 'x-codex-turn-state': 'ts_cell' }, body: { model: 'm', input: userInput('squash this thread') } },
    ]);
  });

  it('takes scripted compactions in FIFO order: turn state, none, output; then the default again', async () => {
    const output = [{ type: 'compaction', encrypted_content: 'opaque' }, ...userInput('kept')];
    expect(await control('script-compact', { compactions: [{ turnState: 'c1' }, { turnState: null, output }] })).toEqual({ queued: 2 });
    const first = await compact(userInput('one'));
    expect(first.headers.get('x-codex-turn-state')).toBe('c1');
    expect(JSON.stringify(((await first.json()) as CompactedResponse).output)).toContain('Summary of the earlier conversation');
    const second = await compact(userInput('two'));
    expect(second.headers.has('x-codex-turn-state')).toBe(false);
    expect(((await second.json()) as CompactedResponse).output).toEqual(output);
    expect((await compact(userInput('three'))).headers.get('x-codex-turn-state')).toMatch(/^ts_\d+$/);
  });

  it('answers a scripted error with its status, carrying a turn state only when the script gives one', async () => {
    await scriptCompactions(
      { error: { status: 503, code: 'overloaded', message: 'try later' }, turnState: 'c-failed' },
      { error: { status: 400, code: 'context_length_exceeded', message: 'too long' } },
    );
    const failed = await compact(userInput('x'));
    expect(failed.status).toBe(503);
    expect(failed.headers.get('x-codex-turn-state')).toBe('c-failed');
    expect(await failed.json()).toEqual({ error: { type: 'server_error', code: 'overloaded', message: 'try later', param: null } });
    const refused = await compact(userInput('x'));
    expect(refused.status).toBe(400);
    expect(refused.headers.has('x-codex-turn-state')).toBe(false);
    expect(await refused.json()).toMatchObject({ error: { type: 'invalid_request_error', code: 'context_length_exceeded' } });
  });

  it('gives a compaction with onlyFor only to a request whose input mentions that text', async () => {
    await scriptCompactions({ onlyFor: 'thread B', turnState: 'for-b' });
    expect((await compact(userInput('thread A'))).headers.get('x-codex-turn-state')).not.toBe('for-b');
    expect((await compact(userInput('thread B'))).headers.get('x-codex-turn-state')).toBe('for-b');
  });

  it('holds a compaction until release; reset aborts a held one and clears the queue', async () => {
    await scriptCompactions({ hold: true, turnState: 'held' });
    let answered = false;
    const pending = compact(userInput('x')).then((res) => {
      answered = true;
      return res;
    });
    await expect.poll(async () => (await engineLog()).http.length).toBe(1);
    expect(answered).toBe(false);
    expect(await control('release')).toEqual({ released: 1 });
    expect((await pending).headers.get('x-codex-turn-state')).toBe('held');

    await scriptCompactions({ hold: true }, { turnState: 'stale' });
    const aborted = compact(userInput('y'));
    await expect.poll(async () => (await engineLog()).http.length).toBe(2);
    await control('reset');
    await expect(aborted).rejects.toThrow();
    expect((await compact(userInput('z'))).headers.get('x-codex-turn-state')).not.toBe('stale');
  });

  it('keeps the compaction queue and the response queue apart', async () => {
    await scriptCompactions({ turnState: 'compaction-only' });
    await script({ text: 'response only', turnState: 'response-only' });
    const res = await postJson(`${server.url}/v1/responses`, { model: 'm', input: userInput('go') });
    expect(res.headers.get('x-codex-turn-state')).toBe('response-only');
    expect((await compact(userInput('go'))).headers.get('x-codex-turn-state')).toBe('compaction-only');
  });

  it('refuses previous_response_id on compact, as nothing is stored', async () => {
    const res = await postJson(`${server.url}/v1/responses/compact`, { model: 'm', input: [], previous_response_id: 'resp_x' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'previous_response_not_found' } });
  });

  it('rejects malformed compaction scripts, naming the field', async () => {
    const bad = async (compactions: unknown) => {
      const res = await postJson(`${server.url}${CONTROL_PREFIX}/script-compact`, { compactions });
      expect(res.status).toBe(400);
      return ((await res.json()) as { error: { message: string } }).error.message;
    };
    expect(await bad('nope')).toContain('`compactions` must be an array');
    expect(await bad([{ turnState: 5 }])).toContain('compactions[0].turnState');
    expect(await bad([{}, { output: [{ role: 'user' }] }])).toContain('compactions[1].output');
    expect(await bad([{ error: { status: 200, code: 'x', message: 'y' } }])).toContain('compactions[0].error');
    expect(await bad([{ hold: 'yes' }])).toContain('compactions[0].hold');
    expect(await control('script-compact', { compactions: [] })).toEqual({ queued: 0 });
  });
});

describe('connection hooks', () => {
  it('refuses the next N upgrades with the given status and message, then accepts', async () => {
    await control('refuse', { status: 426, times: 2, message: 'use HTTP instead' });
    expect(await expectRefusedUpgrade(wsUrl)).toEqual({ status: 426, body: 'use HTTP instead' });
    expect(await expectRefusedUpgrade(wsUrl)).toEqual({ status: 426, body: 'use HTTP instead' });
    const socket = await openTestSocket(wsUrl);
    expect((await engineLog()).handshakes).toBe(1);
    socket.ws.close();
  });

  it('broadcasts an error frame to every open socket, idle ones included', async () => {
    const a = await openTestSocket(wsUrl);
    const b = await openTestSocket(wsUrl);
    expect(await control('error-frame', { code: 'rate_limit_exceeded', message: 'later', status: 429 })).toEqual({ sent: 2 });
    for (const socket of [a, b]) {
      expect((await socket.next()).json).toEqual({
        type: 'error',
        status: 429,
        error: { type: 'invalid_request_error', code: 'rate_limit_exceeded', message: 'later', param: null },
      });
      socket.ws.close();
    }
  });

  it('drops every open socket', async () => {
    const a = await openTestSocket(wsUrl);
    const b = await openTestSocket(wsUrl);
    expect(await control('drop-sockets')).toEqual({ dropped: 2 });
    expect((await a.closed).code).toBe(1006);
    expect((await b.closed).code).toBe(1006);
  });

  it('reset closes sockets and clears the script, refusals and log', async () => {
    await script({ text: 'stale script' });
    await control('refuse', { status: 500, times: 5 });
    const refused = await expectRefusedUpgrade(wsUrl);
    expect(refused.status).toBe(500);
    await control('reset');
    const socket = await openTestSocket(wsUrl);
    expect(await engineLog()).toMatchObject({ handshakes: 1, frames: [], http: [] });
    socket.send(responseCreate({ input: userInput('fresh') }));
    expect(JSON.stringify((await socket.untilTerminal()).at(-1))).not.toContain('stale script');
    await control('reset');
    expect((await socket.closed).code).toBe(1006);
  });

  it('logs handshakes with lower-cased headers, parsed frames per socket, and HTTP requests', async () => {
    const a = await openTestSocket(wsUrl, { headers: { 'X-Custom-Thing': 'A' } });
    const b = await openTestSocket(wsUrl);
    a.send(responseCreate({ input: userInput('from a'), client_metadata: { turn_id: 't1' } }));
    await a.untilTerminal();
    b.send({ type: 'something.else' });
    await b.next();
    await postJson(`${server.url}/v1/responses/compact`, { model: 'm', input: [] }, { 'X-Codex-Turn-State': 'ts_sent' });

    const log = await engineLog();
    expect(log.handshakes).toBe(2);
    const [upgradeA, upgradeB] = log.upgrades;
    expect(upgradeA?.headers['x-custom-thing']).toBe('A');
    expect(upgradeB?.socket).not.toBe(upgradeA?.socket);
    expect(log.frames.map(({ socket, frame }) => [socket, frame.type])).toEqual([
      [upgradeA?.socket, 'response.create'],
      [upgradeB?.socket, 'something.else'],
    ]);
    expect(log.frames[0]?.frame.client_metadata).toEqual({ turn_id: 't1' });
    expect(log.http).toMatchObject([{ path: '/v1/responses/compact', headers: { 'x-codex-turn-state': 'ts_sent' }, body: { model: 'm' } }]);
    a.ws.close();
    b.ws.close();
  });

  it('rejects malformed control requests', async () => {
    expect((await postJson(`${server.url}${CONTROL_PREFIX}/script`, { responses: 'nope' })).status).toBe(400);
    expect((await postJson(`${server.url}${CONTROL_PREFIX}/refuse`, { status: 200 })).status).toBe(400);
    expect((await postJson(`${server.url}${CONTROL_PREFIX}/unknown`, {})).status).toBe(404);
  });
});
