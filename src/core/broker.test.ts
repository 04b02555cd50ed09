import { describe, expect, it } from 'vitest';
import { createBroker, INSPECTOR_INTERVAL_MS } from './broker.ts';
import type { ThreadEvent } from './brokerMessages.ts';
import { setup, tools } from './testing/brokerHarness.ts';
import { createFakeUpstream, createManualClock, errorEvent, fakeJsRunner, flushMicrotasks, instantClock, responseEvents, type FakeServerSocket, type FakeUpstream } from './testing/fakes.ts';
import { createMemorySettingsStore } from './settings.ts';
import { createMemoryThreadStore } from './threadStore.ts';
import type { ResponseCreate } from './wire.ts';
import { createMemoryWorkspace } from './workspace.ts';

const sentState = (request: ResponseCreate) => request.client_metadata?.['x-codex-turn-state'];
const wsBodies = (upstream: FakeUpstream) => upstream.requests.filter((r) => r.transport === 'ws').map((r) => r.body);

/** A server that answers the first request of each turn with a list_files call `calls` times,
 *  then a text; advertising a new turn state (v1, v2, …) on every response. */
function toolCallingServer(upstream: FakeUpstream, callsPerTurn: number) {
  let advertised = 0;
  let callsLeft = callsPerTurn;
  upstream.respondWith((request) => {
    const turnState = `v${++advertised}`;
    if (request.generate === false) return responseEvents({ turnState });
    const lastInput = request.input.at(-1);
    if (lastInput?.type === 'message') callsLeft = callsPerTurn;
    if (callsLeft > 0) {
      callsLeft -= 1;
      return responseEvents({ turnState, calls: [{ name: 'list_files', args: {} }] });
    }
    return responseEvents({ turnState, text: 'Done.' });
  });
}

describe('broker: the turn-state contract (PROTOCOL.md §4)', () => {
  it('keeps the first value of a turn and replays it on every follow-up: [none, v1, v1]', async () => {
    const { upstream, runTurn, events } = setup();
    toolCallingServer(upstream, 2);
    const ended = await runTurn('th1', 'turn1', 'list the files twice');
    expect(ended.status).toBe('completed');
    const bodies = wsBodies(upstream);
    expect(bodies.map(sentState)).toEqual([undefined, 'v1', 'v1']);
    expect(bodies.map((b) => b.client_metadata?.turn_id)).toEqual(['turn1', 'turn1', 'turn1']);
    // The later values were seen and ignored.
    const metadata = events.filter((e) => e.kind === 'turn.metadata');
    expect(metadata.map((e) => [e.value, e.accepted])).toEqual([['v1', true], ['v2', false], ['v3', false]]);
  });

  it('starts the next turn with an empty cell on the same socket, chained from the last response', async () => {
    const { upstream, runTurn, broker } = setup();
    toolCallingServer(upstream, 1);
    await runTurn('th1', 'turn1', 'first');
    await runTurn('th1', 'turn2', 'second');
    const bodies = wsBodies(upstream);
    expect(bodies.map(sentState)).toEqual([undefined, 'v1', undefined, 'v3']);
    expect(upstream.sockets).toHaveLength(1);
    // Each follow-up and the next turn chain on the socket, sending only the new items.
    expect(bodies[1]!.previous_response_id).toBeDefined();
    expect(bodies[1]!.input.map((i) => i.type)).toEqual(['function_call_output']);
    expect(bodies[2]!.previous_response_id).toBeDefined();
    expect(bodies[2]!.input).toEqual([{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'second' }] }]);
    expect(broker.inspect().cells).toEqual([]);
  });

  it('seeds the next turn from the thread’s prewarm, and a turn waits for the prewarm and chains from it', async () => {
    const { upstream, broker, runTurn } = setup();
    toolCallingServer(upstream, 1);
    const opened = await broker.handle({ method: 'openThread', params: { tabId: 'tab-1', threadId: 'th1' } });
    expect(opened.prewarmed).toBe(true);
    await runTurn('th1', 'turn1', 'hello');
    const bodies = wsBodies(upstream);
    expect(bodies[0]).toMatchObject({ generate: false, client_metadata: { turn_id: '' } });
    expect(JSON.parse(bodies[0]!.client_metadata!['x-codex-turn-metadata']!).request_kind).toBe('prewarm');
    expect(bodies.map(sentState)).toEqual([undefined, 'v1', 'v1']);
    expect(bodies[1]!.previous_response_id).toBeDefined();
    expect('generate' in bodies[1]!).toBe(false);
  });

  it('replays the same value on a new socket with the full input after the socket dies mid-turn', async () => {
    const { upstream, runTurn, events } = setup();
    let requests = 0;
    upstream.respondWith((request, socket) => {
      requests += 1;
      if (requests === 1) return responseEvents({ turnState: 'v1', calls: [{ name: 'list_files', args: {} }] });
      if (requests === 2) {
        socket.send({ type: 'response.created', response: { id: 'resp_dead', status: 'in_progress', output: [] } });
        socket.send({ type: 'response.metadata', headers: { 'x-codex-turn-state': 'v-late' } });
        socket.send({ type: 'response.output_text.delta', item_id: 'msg_dead', output_index: 0, content_index: 0, delta: 'partial' });
        socket.drop();
        return;
      }
      return responseEvents({ turnState: 'v9', text: 'recovered' });
    });
    const ended = await runTurn('th1', 'turn1', 'go');
    expect(ended.status).toBe('completed');
    const bodies = wsBodies(upstream);
    expect(bodies.map(sentState)).toEqual([undefined, 'v1', 'v1']);
    const resend = bodies[2]!;
    expect(resend.previous_response_id).toBeUndefined();
    expect(resend.input.map((i) => i.type)).toEqual(['message', 'function_call', 'function_call_output']);
    expect(upstream.requests[2]!.socket).toBe(2);
    expect(events.some((e) => e.kind === 'turn.request' && e.resend)).toBe(true);
  });

  it('keeps each thread’s cell apart when two tabs run turns at once, and never chains across threads', async () => {
    const { upstream, broker, next } = setup();
    let n = 0;
    upstream.respondWith((request) => {
      const turnState = `${request.client_metadata?.thread_id}-v${++n}`;
      if (request.input.at(-1)?.type === 'message') return responseEvents({ turnState, calls: [{ name: 'read_file', args: { path: 'README.md' } }] });
      return responseEvents({ turnState, text: 'ok' });
    });
    await Promise.all([
      broker.handle({ method: 'startTurn', params: { tabId: 'tab-a', threadId: 'A', turnId: 'a1', text: 'x' } }),
      broker.handle({ method: 'startTurn', params: { tabId: 'tab-b', threadId: 'B', turnId: 'b1', text: 'y' } }),
    ]);
    expect(broker.inspect().cells.map((c) => [c.tabId, c.turnId]).sort()).toEqual([['tab-a', 'a1'], ['tab-b', 'b1']]);
    await next((e) => e.kind === 'turn.ended' && e.turnId === 'a1');
    await next((e) => e.kind === 'turn.ended' && e.turnId === 'b1');
    for (const thread of ['A', 'B']) {
      const own = upstream.requests.filter((r) => r.body.client_metadata?.thread_id === thread);
      expect(own.map((r) => sentState(r.body)?.startsWith(`${thread}-`) ?? 'none')).toEqual(['none', true]);
      expect(new Set(own.map((r) => sentState(r.body)).filter(Boolean)).size).toBe(1);
    }
    // Thread B never continues a response that belongs to thread A.
    const responseOwner = new Map<string, string>();
    for (const socket of upstream.sockets) expect(socket.frames.length).toBeGreaterThan(0);
    for (const r of upstream.requests) {
      if (r.body.previous_response_id) expect(responseOwner.get(r.body.previous_response_id) ?? r.body.client_metadata?.thread_id).toBe(r.body.client_metadata?.thread_id);
    }
    expect(upstream.sockets).toHaveLength(2);
  });

  it('switches to HTTP after a 426 and carries the value in the request header, learned from the response header', async () => {
    const { upstream, runTurn, broker, events } = setup();
    upstream.refuse(4426);
    let n = 0;
    upstream.httpResponder = (body) => {
      n += 1;
      const last = body.input.at(-1);
      const events = last?.type === 'message' ? responseEvents({ turnState: 'sse-ignored', calls: [{ name: 'list_files', args: {} }] }) : responseEvents({ text: 'listed' });
      return { events, turnState: `h${n}` };
    };
    const ended = await runTurn('th1', 'turn1', 'list files');
    expect(ended.status).toBe('completed');
    const http = upstream.requests.filter((r) => r.transport === 'http');
    expect(http.map((r) => r.headers?.['x-codex-turn-state'])).toEqual([undefined, 'h1']);
    expect(http.every((r) => r.body.previous_response_id === undefined && !('type' in r.body))).toBe(true);
    expect(http[1]!.body.input).toHaveLength(3);
    expect(broker.inspect().transport).toBe('http');
    expect(events.filter((e) => e.kind === 'turn.metadata').map((e) => e.value)).toEqual(['h1', 'h2']);
    // The switch lasts: the next turn goes straight to HTTP.
    await runTurn('th1', 'turn2', 'again');
    expect(upstream.sockets).toHaveLength(1);
  });

  it('retries a 404/500 upgrade a bounded number of times, then uses HTTP', async () => {
    const { upstream, runTurn, broker } = setup({ limits: { upgradeRetries: 2 } });
    upstream.refuse(4404, 4500, 4404);
    expect((await runTurn('th1', 'turn1', 'hi')).status).toBe('completed');
    expect(upstream.sockets).toHaveLength(3);
    expect(broker.inspect().transport).toBe('http');
  });

  it('recovers from a single 404 on the upgrade without leaving WebSocket', async () => {
    const { upstream, runTurn, broker } = setup();
    upstream.refuse(4404);
    expect((await runTurn('th1', 'turn1', 'hi')).status).toBe('completed');
    expect(broker.inspect().transport).toBe('ws');
    expect(wsBodies(upstream)).toHaveLength(1);
  });
});

describe('broker: faults', () => {
  it('fails only the affected turn on a malformed frame, with a clear message; the next turn works', async () => {
    const { upstream, runTurn } = setup();
    let n = 0;
    upstream.respondWith((_request, socket) => {
      n += 1;
      if (n === 1) {
        socket.send({ type: 'response.created', response: { id: 'r1', status: 'in_progress', output: [] } });
        socket.send('{this is not json');
        return;
      }
      return responseEvents({ text: 'fine' });
    });
    const failed = await runTurn('th1', 'turn1', 'one');
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/not valid JSON/);
    expect((await runTurn('th1', 'turn2', 'two')).status).toBe('completed');
  });

  it('resends once with the full input after previous_response_not_found', async () => {
    const { upstream, runTurn } = setup();
    let n = 0;
    upstream.respondWith((request) => {
      n += 1;
      if (n === 2) return [errorEvent('previous_response_not_found')];
      return responseEvents({ text: `answer ${n}`, turnState: `v${n}` });
    });
    await runTurn('th1', 'turn1', 'one');
    expect((await runTurn('th1', 'turn2', 'two')).status).toBe('completed');
    const bodies = wsBodies(upstream);
    expect(bodies[1]!.previous_response_id).toBeDefined();
    expect(bodies[2]!.previous_response_id).toBeUndefined();
    expect(bodies[2]!.input).toHaveLength(3);
  });

  it('drops an idle socket that reports the connection limit and opens a new one for the next turn', async () => {
    const { upstream, runTurn, broker } = setup();
    await runTurn('th1', 'turn1', 'one');
    upstream.sockets[0]!.send(errorEvent('websocket_connection_limit_reached'));
    await new Promise((r) => setTimeout(r, 0));
    expect(broker.inspect().sockets).toEqual([]);
    expect((await runTurn('th1', 'turn2', 'two')).status).toBe('completed');
    expect(upstream.sockets).toHaveLength(2);
    expect(wsBodies(upstream)[1]!.previous_response_id).toBeUndefined();
  });

  it('moves a busy turn to a new socket when the connection limit is reached mid-response', async () => {
    const { upstream, runTurn } = setup();
    let n = 0;
    upstream.respondWith(() => (++n === 1 ? [errorEvent('websocket_connection_limit_reached')] : responseEvents({ text: 'ok' })));
    expect((await runTurn('th1', 'turn1', 'one')).status).toBe('completed');
    expect(upstream.sockets).toHaveLength(2);
  });

  it('Stop drops the socket, keeps the partial answer and ends the turn as stopped', async () => {
    const { upstream, broker, next, store } = setup();
    upstream.respondWith((_request, socket) => {
      socket.send({ type: 'response.created', response: { id: 'r1', status: 'in_progress', output: [] } });
      socket.send({ type: 'response.output_text.delta', item_id: 'msg_1', output_index: 0, content_index: 0, delta: 'half an ans' });
      return 'hold';
    });
    await broker.handle({ method: 'startTurn', params: { tabId: 't', threadId: 'th1', turnId: 'turn1', text: 'go' } });
    await next((e) => e.kind === 'text.delta');
    await expect(broker.handle({ method: 'startTurn', params: { tabId: 't2', threadId: 'th1', turnId: 'turn1b', text: 'also' } })).rejects.toThrow(/already running/);
    expect(await broker.handle({ method: 'stop', params: { threadId: 'th1' } })).toEqual({ stopped: true });
    const ended = (await next((e) => e.kind === 'turn.ended')) as Extract<ThreadEvent, { kind: 'turn.ended' }>;
    expect(ended.status).toBe('stopped');
    expect(upstream.sockets[0]!.open).toBe(false);
    const items = await store.listItems('th1');
    expect(items.map((r) => r.item.type)).toEqual(['message', 'message']);
    expect(JSON.stringify(items[1]!.item)).toContain('half an ans');
    expect((await store.listTurns('th1'))[0]!.status).toBe('stopped');
  });

  it('Stop ends a turn still waiting for a socket at once, without waiting for the busy one', async () => {
    const { upstream, broker, next } = setup({ limits: { maxSockets: 1 } });
    upstream.respondWith((request) => {
      if (JSON.stringify(request.input).includes('hog')) return 'hold';
      return responseEvents({ text: 'ok' });
    });
    await broker.handle({ method: 'startTurn', params: { tabId: 't', threadId: 'A', turnId: 'a1', text: 'hog the socket' } });
    await broker.handle({ method: 'startTurn', params: { tabId: 't', threadId: 'B', turnId: 'b1', text: 'wait in line' } });
    await expect.poll(() => broker.inspect().queued).toBe(1);
    expect(await broker.handle({ method: 'stop', params: { threadId: 'B' } })).toEqual({ stopped: true });
    expect(await next((e) => e.kind === 'turn.ended' && e.turnId === 'b1')).toMatchObject({ status: 'stopped' });
    expect(broker.inspect().queued).toBe(0);
    expect(upstream.sockets[0]!.open).toBe(true); // the other thread's response runs on
  });

  it('ends a turn as failed with a clear message when the server cannot be reached', async () => {
    const { upstream, runTurn, broker } = setup({ limits: { connectRetries: 1 } });
    upstream.refuse(1006, 1006);
    const ended = await runTurn('th1', 'turn1', 'hello');
    expect(ended.status).toBe('failed');
    expect(ended.error).toMatch(/Cannot reach the server/);
    expect(broker.inspect().cells).toEqual([]);
  });
});

describe('broker: races and limits (review findings)', () => {
  it('keeps a value learned over WebSocket when another turn switches the broker to HTTP meanwhile', async () => {
    const { upstream, broker, next } = setup();
    let held: { send(e: Record<string, unknown> & { type: string }): void } | undefined;
    upstream.respondWith((_request, socket) => {
      held = socket;
      return 'hold';
    });
    await broker.handle({ method: 'startTurn', params: { tabId: 't', threadId: 'A', turnId: 'a1', text: 'slow one' } });
    await expect.poll(() => held).toBeDefined();
    upstream.refuse(4426);
    upstream.httpResponder = (body) => ({ events: responseEvents({ text: `over http ${body.input.length}` }) });
    await broker.handle({ method: 'startTurn', params: { tabId: 't', threadId: 'B', turnId: 'b1', text: 'fast one' } });
    await next((e) => e.kind === 'turn.ended' && e.turnId === 'b1');
    expect(broker.inspect().transport).toBe('http');
    for (const event of responseEvents({ turnState: 'vA', calls: [{ name: 'list_files', args: {} }] })) held!.send(event);
    expect(await next((e) => e.kind === 'turn.ended' && e.turnId === 'a1')).toMatchObject({ status: 'completed' });
    const followUp = upstream.requests.find((r) => r.transport === 'http' && r.body.client_metadata?.thread_id === 'A');
    expect(followUp?.headers?.['x-codex-turn-state']).toBe('vA');
  });

  it('lets Stop end a turn that waits for a prewarm the server never answers', async () => {
    const { upstream, broker, next } = setup();
    upstream.respondWith((request) => (request.generate === false ? 'hold' : responseEvents({ text: 'never' })));
    await broker.handle({ method: 'openThread', params: { tabId: 't', threadId: 'th1' } });
    await broker.handle({ method: 'startTurn', params: { tabId: 't', threadId: 'th1', turnId: 'turn1', text: 'hi' } });
    expect(await broker.handle({ method: 'stop', params: { threadId: 'th1' } })).toEqual({ stopped: true });
    expect(await next((e) => e.kind === 'turn.ended')).toMatchObject({ status: 'stopped' });
  });

  it('opens no socket for a prewarm while another prewarm holds the only one, until a turn waits for it', async () => {
    const { upstream, broker, next } = setup();
    upstream.respondWith((request) => {
      if (request.generate === false && request.client_metadata?.thread_id === 'A') return 'hold';
      return responseEvents(request.generate === false ? { turnState: 'v-prewarm' } : { text: 'ok' });
    });
    await broker.handle({ method: 'openThread', params: { tabId: 't', threadId: 'A' } });
    await expect.poll(() => upstream.requests.length).toBe(1);
    await broker.handle({ method: 'openThread', params: { tabId: 't', threadId: 'B' } });
    await expect.poll(() => broker.inspect().queued).toBe(1); // B's prewarm waits for A's to end
    expect(upstream.sockets).toHaveLength(1);
    // B's turn waits for B's prewarm (§4.7), which now gets a socket of its own, and chains from it.
    await broker.handle({ method: 'startTurn', params: { tabId: 't', threadId: 'B', turnId: 'b1', text: 'go' } });
    expect(await next((e) => e.kind === 'turn.ended' && e.turnId === 'b1')).toMatchObject({ status: 'completed' });
    const [prewarm, turn] = wsBodies(upstream).filter((b) => b.client_metadata?.thread_id === 'B');
    expect(prewarm).toMatchObject({ generate: false });
    expect(turn!.previous_response_id).toBeDefined();
    expect(sentState(turn!)).toBe('v-prewarm');
    expect(upstream.sockets).toHaveLength(2);
  });

  it('keeps a hurried prewarm hurried when it asks again after its socket failed to connect', async () => {
    // A manual clock: the instant one would end the turn's 10 s wait for its prewarm at once.
    const clock = createManualClock();
    const { upstream, broker, next } = setup({ clock });
    upstream.respondWith((request) => {
      if (request.generate === false && request.client_metadata?.thread_id === 'A') return 'hold';
      return responseEvents({ text: 'ok' });
    });
    await broker.handle({ method: 'openThread', params: { tabId: 't', threadId: 'A' } });
    await expect.poll(() => upstream.requests.length).toBe(1);
    await broker.handle({ method: 'openThread', params: { tabId: 't', threadId: 'B' } });
    await expect.poll(() => broker.inspect().queued).toBe(1);
    upstream.refuse(1006); // the socket opened for B's hurried prewarm fails to connect
    await broker.handle({ method: 'startTurn', params: { tabId: 't', threadId: 'B', turnId: 'b1', text: 'go' } });
    await expect.poll(() => upstream.sockets.length).toBe(2);
    await clock.advance(1_000); // the backoff before asking again (well under the 10 s wait)
    // Asked again, the prewarm gets a new socket rather than waiting behind A's held prewarm.
    expect(await next((e) => e.kind === 'turn.ended' && e.turnId === 'b1')).toMatchObject({ status: 'completed' });
    expect(upstream.sockets).toHaveLength(3);
    expect(wsBodies(upstream).filter((b) => b.client_metadata?.thread_id === 'B').map((b) => b.generate === false)).toEqual([true, false]);
  });

  it('goes ahead without a prewarm that does not finish in time, and the abandoned prewarm touches nothing', async () => {
    const { upstream, broker, runTurn } = setup();
    upstream.respondWith((request) => (request.generate === false ? 'hold' : responseEvents({ text: 'answered anyway', turnState: 'v-turn' })));
    await broker.handle({ method: 'openThread', params: { tabId: 't', threadId: 'th1' } });
    const ended = await runTurn('th1', 'turn1', 'hi');
    expect(ended.status).toBe('completed');
    expect(upstream.sockets[0]!.open).toBe(false); // the prewarm's socket was dropped with it
    const turnRequest = wsBodies(upstream).find((b) => b.generate !== false)!;
    expect(turnRequest.previous_response_id).toBeUndefined();
    expect(sentState(turnRequest)).toBeUndefined();
  });

  it('fails a turn whose value is too long to send, without wedging its socket', async () => {
    const { upstream, runTurn } = setup({ limits: { maxSockets: 1 } });
    upstream.respondWith((request) =>
      JSON.stringify(request.input).includes('huge') && request.input.at(-1)?.type === 'message'
        ? responseEvents({ turnState: 'x'.repeat(3000), calls: [{ name: 'list_files', args: {} }] })
        : responseEvents({ text: 'fine' }),
    );
    const failed = await runTurn('A', 'a1', 'huge value please');
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/2048/);
    expect((await runTurn('B', 'b1', 'next thread')).status).toBe('completed');
  });

  it('resends with the full input after previous_response_not_found once per request, not once per turn', async () => {
    const { upstream, runTurn } = setup();
    let n = 0;
    upstream.respondWith((request) => {
      n += 1;
      if (request.previous_response_id && (n === 2 || n === 4)) return [errorEvent('previous_response_not_found')];
      return n < 5 ? responseEvents({ calls: [{ name: 'list_files', args: {} }] }) : responseEvents({ text: 'made it' });
    });
    expect((await runTurn('th1', 'turn1', 'go')).status).toBe('completed');
    expect(wsBodies(upstream).map((b) => Boolean(b.previous_response_id))).toEqual([false, true, false, true, false]);
  });
});

describe('broker: an unreachable model server', () => {
  it('says the model server cannot be reached when sockets open but nothing ever comes back', async () => {
    const { upstream, runTurn, events } = setup({ limits: { maxResends: 1 } });
    upstream.respondWith((_request, socket) => void socket.drop(1011, 'upstream unreachable: connect ECONNREFUSED'));
    const ended = await runTurn('th1', 'turn1', 'hello');
    expect(ended.status).toBe('failed');
    expect(ended.error).toMatch(/Cannot reach the model server: upstream unreachable: connect ECONNREFUSED\. Retry when it is back\./);
    const states = events.filter((e) => e.kind === 'connection').map((e) => e.state);
    expect(states).toContain('unreachable');
    // Back again: the next turn succeeds and the status recovers.
    upstream.respondWith(() => responseEvents({ text: 'back' }));
    expect((await runTurn('th1', 'turn2', 'again')).status).toBe('completed');
    await new Promise((r) => setTimeout(r, 10));
    expect(events.filter((e) => e.kind === 'connection').at(-1)).toMatchObject({ state: 'connected' });
  });
});

describe('broker: what tabs receive', () => {
  it('numbers each thread’s events without gaps, batches them, and persists the turn', async () => {
    const { upstream, runTurn, batches, events, store } = setup();
    toolCallingServer(upstream, 1);
    await runTurn('th1', 'turn1', 'hello there');
    const seqs = events.filter((e): e is ThreadEvent => 'seq' in e).map((e) => e.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    expect(batches.every((b) => b.events.length <= 64 + 2)).toBe(true);
    expect(events.some((e) => e.kind === 'inspector')).toBe(true);
    expect((await store.getThread('th1'))?.title).toBe('hello there');
    const items = await store.listItems('th1');
    expect(items.map((r) => r.item.type)).toEqual(['message', 'function_call', 'function_call_output', 'message']);
    expect((await store.listTurns('th1'))[0]!.status).toBe('completed');
  });

  it('sends the first request while the turn’s start is still being saved, and answers the tab once it is saved', async () => {
    const { upstream, broker, store, turnEnded } = setup();
    upstream.respondWith((request) => responseEvents(request.generate === false ? {} : { text: 'hi' }));
    let saveStart!: () => void;
    const saving = new Promise<void>((resolve) => (saveStart = resolve));
    const begin = store.beginTurn.bind(store);
    store.beginTurn = async (...args) => {
      await saving; // IndexedDB busy with other tabs' reads
      return begin(...args);
    };
    let answered = false;
    const started = broker.handle({ method: 'startTurn', params: { tabId: 'tab-1', threadId: 'th1', turnId: 'turn1', text: 'hello' } }).then(() => (answered = true));
    await expect.poll(() => wsBodies(upstream).filter((b) => b.generate !== false).length).toBe(1);
    expect(answered).toBe(false); // the composer keeps the text until it is saved
    saveStart();
    await started;
    await turnEnded('turn1');
    await broker.handle({ method: 'forgetThread', params: { threadId: 'th1' } }); // the queued saves land
    const items = await store.listItems('th1');
    expect(items.map((r) => r.item)).toMatchObject([{ role: 'user' }, { role: 'assistant' }]); // in the order said
    expect((await store.listTurns('th1'))[0]).toMatchObject({ status: 'completed', userText: 'hello' });
  });

  it('says a thread list must re-read only when the thread’s record changed, not for every save of the turn', async () => {
    const { upstream, broker, store, next, turnEnded, events } = setup();
    toolCallingServer(upstream, 1);
    // Item saves wait until the start has been announced, so they land in later batches.
    let startAnnounced!: () => void;
    const announced = new Promise<void>((resolve) => (startAnnounced = resolve));
    const append = store.appendItems.bind(store);
    store.appendItems = async (...args) => {
      await announced;
      return append(...args);
    };
    await broker.handle({ method: 'startTurn', params: { tabId: 'tab-1', threadId: 'th1', turnId: 'turn1', text: 'hello there' } });
    // The start (title, order) changes the record.
    expect(await next((e) => e.kind === 'thread.changed')).toEqual({ kind: 'thread.changed', threadId: 'th1', record: true });
    const before = events.length;
    startAnnounced();
    await turnEnded('turn1');
    await broker.handle({ method: 'forgetThread', params: { threadId: 'th1' } }); // waits for the queued saves
    await next((e) => e.kind === 'thread.changed' && events.indexOf(e) >= before);
    // The items and the end change only the thread.
    const later = events.slice(before).filter((e) => e.kind === 'thread.changed');
    expect(later.length).toBeGreaterThan(0);
    expect(later.every((e) => !e.record)).toBe(true);
  });
  it('sends the inspector state at most once per interval: the first change at once, the latest after', async () => {
    const clock = createManualClock();
    const { upstream, broker, batches, batchTimes, events, turnEnded } = setup({ clock });
    toolCallingServer(upstream, 3);
    const startedAt = clock.now();
    void broker.handle({ method: 'startTurn', params: { tabId: 'tab-1', threadId: 'th1', turnId: 'turn1', text: 'hello there' } });
    const ended = turnEnded('turn1');
    let done = false;
    void ended.then(() => (done = true));
    while (!done) await clock.advance(1);
    await clock.advance(INSPECTOR_INTERVAL_MS);
    const published = batches.flatMap((batch, i) => batch.events.flatMap((e) => (e.kind === 'inspector' ? [{ at: batchTimes[i]!, state: e.state }] : [])));
    expect(events.filter((e) => e.kind === 'turn.request').length).toBe(4); // several state changes happened
    expect(published[0]!.at - startedAt).toBeLessThan(5);
    const gaps = published.slice(1).map((p, i) => p.at - published[i]!.at);
    expect(gaps.every((gap) => gap >= INSPECTOR_INTERVAL_MS)).toBe(true);
    expect(published.at(-1)!.state).toEqual(broker.inspect()); // nothing left unsaid
    expect(broker.inspect().cells).toEqual([]);
  });
});

describe('broker: live resume and recovery', () => {
  it('gives a tab that opens a thread mid-turn everything so far, with the seq it covers', async () => {
    const { upstream, broker, next, events } = setup();
    let n = 0;
    upstream.respondWith((_request, socket) => {
      n += 1;
      if (n === 1) return responseEvents({ calls: [{ name: 'list_files', args: {} }] });
      socket.send({ type: 'response.created', response: { id: 'r2', status: 'in_progress', output: [] } });
      socket.send({ type: 'response.output_text.delta', item_id: 'msg_live', output_index: 0, content_index: 0, delta: 'so far' });
      return 'hold';
    });
    await broker.handle({ method: 'startTurn', params: { tabId: 'tab-1', threadId: 'th1', turnId: 'turn1', text: 'go' } });
    await next((e) => e.kind === 'text.delta' && e.delta === 'so far');
    const { live } = await broker.handle({ method: 'openThread', params: { tabId: 'tab-2', threadId: 'th1' } });
    expect(live).toMatchObject({ turnId: 'turn1', tabId: 'tab-1', userText: 'go', request: 2, streaming: [{ itemId: 'msg_live', text: 'so far' }] });
    expect(live!.items.map((i) => i.type)).toEqual(['function_call', 'function_call_output']);
    const lastSeq = Math.max(...events.filter((e): e is ThreadEvent => 'seq' in e && e.threadId === 'th1').map((e) => e.seq));
    expect(live!.seq).toBe(lastSeq);
  });

  it('a snapshot taken while deltas are being joined is followed by exactly the rest of the text', async () => {
    const { upstream, broker, next, events } = setup();
    let server: FakeServerSocket | undefined;
    const delta = (text: string) => ({ type: 'response.output_text.delta', item_id: 'msg_1', output_index: 0, content_index: 0, delta: text });
    upstream.respondWith((_request, socket) => {
      server = socket;
      socket.send({ type: 'response.created', response: { id: 'r1', status: 'in_progress', output: [] } });
      socket.send(delta('one '));
      return 'hold';
    });
    await broker.handle({ method: 'startTurn', params: { tabId: 'tab-1', threadId: 'th1', turnId: 'turn1', text: 'go' } });
    await next((e) => e.kind === 'text.delta');
    // These arrive within the batch window: they join the pending delta event.
    server!.send(delta('two '));
    server!.send(delta('three '));
    await flushMicrotasks();
    const { live } = await broker.handle({ method: 'openThread', params: { tabId: 'tab-2', threadId: 'th1' } });
    server!.send(delta('four '));
    server!.send(delta('five'));
    await expect.poll(() => events.filter((e) => e.kind === 'text.delta').map((e) => (e as { delta: string }).delta).join('')).toBe('one two three four five');
    const after = events.filter((e): e is Extract<ThreadEvent, { kind: 'text.delta' }> => e.kind === 'text.delta' && e.seq > live!.seq);
    expect(live!.streaming[0]!.text + after.map((e) => e.delta).join('')).toBe('one two three four five');
  });

  it('voids the output of a request that died, in the snapshot and in the request numbers tabs see', async () => {
    const { upstream, broker, next, events } = setup();
    let n = 0;
    upstream.respondWith((_request, socket) => {
      n += 1;
      if (n === 1) {
        socket.send({ type: 'response.created', response: { id: 'r1', status: 'in_progress', output: [] } });
        socket.send({ type: 'response.output_item.done', output_index: 0, item: { type: 'message', id: 'msg_dead', role: 'assistant', content: [{ type: 'output_text', text: 'dead' }] } });
        socket.drop();
        return;
      }
      socket.send({ type: 'response.created', response: { id: 'r2', status: 'in_progress', output: [] } });
      socket.send({ type: 'response.output_text.delta', item_id: 'msg_new', output_index: 0, content_index: 0, delta: 'fresh' });
      return 'hold';
    });
    await broker.handle({ method: 'startTurn', params: { tabId: 'tab-1', threadId: 'th1', turnId: 'turn1', text: 'go' } });
    await next((e) => e.kind === 'text.delta' && e.delta === 'fresh');
    const { live } = await broker.handle({ method: 'openThread', params: { tabId: 'tab-2', threadId: 'th1' } });
    expect(live!.items).toEqual([]);
    expect(live!.streaming).toEqual([{ itemId: 'msg_new', text: 'fresh' }]);
    const dead = events.find((e) => e.kind === 'item.done');
    const resend = events.find((e) => e.kind === 'turn.request' && e.resend);
    expect(dead).toMatchObject({ request: 1 });
    expect(resend).toMatchObject({ request: 2 });
  });

  it('saves a running turn’s progress, so a closed app loses at most the last moments', async () => {
    const { upstream, broker, next, store } = setup();
    upstream.respondWith((_request, socket) => {
      socket.send({ type: 'response.created', response: { id: 'r1', status: 'in_progress', output: [] } });
      socket.send({ type: 'response.output_item.done', output_index: 0, item: { type: 'message', id: 'msg_a', role: 'assistant', content: [{ type: 'output_text', text: 'first' }] } });
      socket.send({ type: 'response.output_text.delta', item_id: 'msg_b', output_index: 1, content_index: 0, delta: 'second, streaming' });
      return 'hold';
    });
    await broker.handle({ method: 'startTurn', params: { tabId: 't', threadId: 'th1', turnId: 'turn1', text: 'go' } });
    await next((e) => e.kind === 'text.delta');
    await expect.poll(async () => (await store.listTurns('th1'))[0]?.progress?.streaming).toEqual([{ itemId: 'msg_b', text: 'second, streaming' }]);
    const [turn] = await store.listTurns('th1');
    expect(turn!.status).toBe('running');
    expect(turn!.progress!.items).toMatchObject([{ id: 'msg_a' }]);
  });

  it('saves streamed text no faster than its write rate allows: a long text waits longer', async () => {
    const clock = createManualClock();
    const { upstream, broker, store } = setup({ clock, limits: { progressSaveMs: 250, progressSaveCharsPerSecond: 1000 } });
    let socket: Parameters<Parameters<typeof upstream.respondWith>[0]>[1] | undefined;
    upstream.respondWith((_request, s) => {
      socket = s;
      s.send({ type: 'response.created', response: { id: 'r1', status: 'in_progress', output: [] } });
      s.send({ type: 'response.output_text.delta', item_id: 'msg', output_index: 0, content_index: 0, delta: 'short' });
      return 'hold';
    });
    void broker.handle({ method: 'startTurn', params: { tabId: 't', threadId: 'th1', turnId: 'turn1', text: 'go' } });
    const saved = async () => (await store.listTurns('th1'))[0]?.progress?.streaming[0]?.text.length ?? 0;
    await clock.advance(250);
    expect(await saved()).toBe(5); // a short text: the usual 250 ms
    socket!.send({ type: 'response.output_text.delta', item_id: 'msg', output_index: 0, content_index: 0, delta: 'x'.repeat(1995) });
    await clock.advance(1_900);
    expect(await saved()).toBe(5); // 2,000 characters at 1,000 a second: not before 2 s
    await clock.advance(100);
    expect(await saved()).toBe(2_000);
  });

  it('marks turns a previous broker left running as interrupted, before taking new work', async () => {
    const store = createMemoryThreadStore();
    await store.putTurn({ id: 'orphan', threadId: 'th1', tabId: 'gone', userText: 'hi', status: 'running', startedAt: 1, progress: { items: [], streaming: [{ itemId: 'm', text: 'half' }], savedAt: 2 } });
    const upstream = createFakeUpstream();
    const broker = createBroker({
      openSocket: upstream.openSocket,
      fetch: upstream.fetch,
      httpUrl: 'http://relay/v1/responses',
      publish: () => undefined,
      store,
      workspaceFor: async () => createMemoryWorkspace('w', {}),
      settings: { model: 'm', tools: [] },
      tools,
      jsRunner: fakeJsRunner,
      clock: instantClock,
      brokerId: 'b2',
      appVersion: 'test',
    });
    await broker.handle({ method: 'hello', params: { tabId: 'new-tab' } });
    const [turn] = await store.listTurns('th1');
    expect(turn).toMatchObject({ status: 'interrupted', progress: { streaming: [{ text: 'half' }] } });
    expect(turn!.error).toMatch(/closed while this turn ran/);
  });
});

describe('broker: user settings', () => {
  it('applies saved settings at start and again when asked, over the configured limits', async () => {
    const upstream = createFakeUpstream();
    const settingsStore = createMemorySettingsStore({ maxSockets: 1 });
    const broker = createBroker({
      openSocket: upstream.openSocket,
      fetch: upstream.fetch,
      httpUrl: 'http://relay/v1/responses',
      publish: () => undefined,
      store: createMemoryThreadStore(),
      workspaceFor: async () => createMemoryWorkspace('w', {}),
      settings: { model: 'm', tools: [] },
      tools,
      jsRunner: fakeJsRunner,
      limits: { maxSockets: 4 },
      settingsStore,
      clock: instantClock,
      brokerId: 'b',
      appVersion: 'test',
    });
    upstream.respondWith(() => 'hold');
    await broker.handle({ method: 'startTurn', params: { tabId: 't', threadId: 'A', turnId: 'a1', text: 'one' } });
    await broker.handle({ method: 'startTurn', params: { tabId: 't', threadId: 'B', turnId: 'b1', text: 'two' } });
    await expect.poll(() => broker.inspect().queued).toBe(1);
    expect(upstream.sockets).toHaveLength(1);
    await settingsStore.putSettings({ maxSockets: 2 });
    expect(await broker.handle({ method: 'applySettings', params: {} })).toEqual({ maxSockets: 2, socketIdleMs: 300_000, compactAtInputTokens: 200_000 });
    await expect.poll(() => upstream.sockets.length).toBe(2);
    expect(broker.inspect().queued).toBe(0);
  });
});
