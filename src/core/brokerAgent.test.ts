// The broker as a coding agent: approvals under each policy, the record of changed files and its
// revert, and compaction inside a turn (PROTOCOL.md §4.8).
import { describe, expect, it } from 'vitest';
import type { ApprovalRequest, BrokerEvent } from './brokerMessages.ts';
import { createBroker } from './broker.ts';
import { COMPACTION_MARKER } from './compaction.ts';
import { setup, tools } from './testing/brokerHarness.ts';
import { fakeJsRunner, instantClock, responseEvents, type FakeUpstream } from './testing/fakes.ts';
import type { JsRunner } from './tools/toolContract.ts';
import type { FunctionCallOutputItem, ResponseCreate } from './wire.ts';

const sentState = (request: ResponseCreate) => request.client_metadata?.['x-codex-turn-state'];
const wsBodies = (upstream: FakeUpstream) => upstream.requests.filter((r) => r.transport === 'ws' && r.body.generate !== false).map((r) => r.body);
const outputsOf = (request: ResponseCreate) => request.input.filter((i): i is FunctionCallOutputItem => i.type === 'function_call_output').map((i) => i.output);

/** Answers each turn's first request with `calls`, every later one with "Done.". */
function callingServer(upstream: FakeUpstream, ...calls: { name: string; args: Record<string, unknown> }[]) {
  upstream.respondWith((request) => {
    if (request.generate === false) return responseEvents({});
    const last = request.input.at(-1);
    return last?.type === 'message' ? responseEvents({ calls }) : responseEvents({ text: 'Done.' });
  });
}

const approvalRequested = (e: BrokerEvent): e is Extract<BrokerEvent, { kind: 'approval.requested' }> => e.kind === 'approval.requested';

describe('broker: approvals', () => {
  it('ask: a write waits for a person, shows its diff, and runs once approved', async () => {
    const { upstream, broker, next, turnEnded, workspace, store } = setup();
    callingServer(upstream, { name: 'write_file', args: { path: 'notes.txt', content: 'hello\n' } });
    await broker.handle({ method: 'startTurn', params: { tabId: 't1', threadId: 'th', turnId: 'turn1', text: 'write a note' } });
    const asked = (await next(approvalRequested)) as Extract<BrokerEvent, { kind: 'approval.requested' }>;
    expect(asked.approval).toMatchObject({ name: 'write_file', access: 'write' });
    expect(asked.approval.detail).toContain('+hello');
    expect(await workspace.exists('notes.txt')).toBe(null);
    // A tab that opens the thread now sees the approval waiting.
    const { live } = await broker.handle({ method: 'openThread', params: { tabId: 't2', threadId: 'th' } });
    expect(live!.approvals.map((a: ApprovalRequest) => a.approvalId)).toEqual([asked.approval.approvalId]);

    expect(await broker.handle({ method: 'answerApproval', params: { threadId: 'th', approvalId: asked.approval.approvalId, decision: 'approve' } })).toEqual({ accepted: true });
    // A second tab answering the same approval is told it was already answered.
    expect(await broker.handle({ method: 'answerApproval', params: { threadId: 'th', approvalId: asked.approval.approvalId, decision: 'deny' } })).toEqual({ accepted: false });
    expect((await turnEnded('turn1')).status).toBe('completed');
    expect(await workspace.readText('notes.txt')).toBe('hello\n');
    const [turn] = await store.listTurns('th');
    // The record shows the change; its contents, for a revert, are kept apart.
    expect(turn!.changes).toMatchObject([{ tool: 'write_file', changes: [{ path: 'notes.txt', kind: 'add', diff: expect.stringContaining('+hello') }] }]);
    expect(JSON.stringify(turn!.changes)).not.toContain('"after"');
    expect(await store.listChangeSets('turn1')).toMatchObject([{ tool: 'write_file', workspaceId: 'default', changes: [{ path: 'notes.txt', kind: 'add', before: null, after: 'hello\n' }] }]);
  });

  it('a denied write is not run, and the model is told so', async () => {
    const { upstream, broker, next, turnEnded, workspace } = setup();
    callingServer(upstream, { name: 'write_file', args: { path: 'README.md', content: 'overwritten' } });
    await broker.handle({ method: 'startTurn', params: { tabId: 't1', threadId: 'th', turnId: 'turn1', text: 'go' } });
    const asked = (await next(approvalRequested)) as Extract<BrokerEvent, { kind: 'approval.requested' }>;
    await broker.handle({ method: 'answerApproval', params: { threadId: 'th', approvalId: asked.approval.approvalId, decision: 'deny' } });
    await turnEnded('turn1');
    expect(await workspace.readText('README.md')).toBe('# hi');
    expect(outputsOf(wsBodies(upstream)[1]!)[0]).toMatch(/^The user denied this write_file call/);
  });

  it('"Allow for this thread" approves, saves the policy as auto, and stops asking', async () => {
    const { upstream, broker, next, turnEnded, workspace, store, events } = setup();
    callingServer(upstream, { name: 'write_file', args: { path: 'a.txt', content: 'A' } }, { name: 'write_file', args: { path: 'b.txt', content: 'B' } });
    await broker.handle({ method: 'startTurn', params: { tabId: 't1', threadId: 'th', turnId: 'turn1', text: 'two files' } });
    const asked = (await next(approvalRequested)) as Extract<BrokerEvent, { kind: 'approval.requested' }>;
    await broker.handle({ method: 'answerApproval', params: { threadId: 'th', approvalId: asked.approval.approvalId, decision: 'allow-thread' } });
    await turnEnded('turn1');
    expect(await workspace.readText('a.txt')).toBe('A');
    expect(await workspace.readText('b.txt')).toBe('B');
    expect(events.filter(approvalRequested)).toHaveLength(1);
    expect((await store.getThread('th'))?.approvalPolicy).toBe('auto');
  });

  it('read-only refuses writes and run_js without asking; reads still run', async () => {
    const { upstream, broker, turnEnded, workspace, events, setPolicy } = setup();
    await setPolicy('th', 'read-only');
    callingServer(upstream, { name: 'write_file', args: { path: 'x.txt', content: 'x' } }, { name: 'run_js', args: { code: '1 + 1' } }, { name: 'read_file', args: { path: 'README.md' } });
    await broker.handle({ method: 'startTurn', params: { tabId: 't1', threadId: 'th', turnId: 'turn1', text: 'try' } });
    await turnEnded('turn1');
    expect(events.some(approvalRequested)).toBe(false);
    expect(await workspace.exists('x.txt')).toBe(null);
    const [write, run, read] = outputsOf(wsBodies(upstream)[1]!);
    expect(write).toMatch(/read-only, so write_file is not allowed/);
    expect(run).toMatch(/read-only, so run_js is not allowed/);
    expect(read).toContain('# hi');
  });

  it('auto runs writes and run_js without asking', async () => {
    const { upstream, broker, turnEnded, workspace, events, setPolicy } = setup();
    await setPolicy('th', 'auto');
    callingServer(upstream, { name: 'write_file', args: { path: 'x.txt', content: 'x' } }, { name: 'run_js', args: { code: '40 + 2' } });
    await broker.handle({ method: 'startTurn', params: { tabId: 't1', threadId: 'th', turnId: 'turn1', text: 'do it' } });
    await turnEnded('turn1');
    expect(events.some(approvalRequested)).toBe(false);
    expect(await workspace.readText('x.txt')).toBe('x');
    expect(outputsOf(wsBodies(upstream)[1]!)[1]).toContain('ran: 40 + 2');
  });

  it('Stop while an approval waits: the call is answered as cancelled and the turn stops', async () => {
    const { upstream, broker, next, turnEnded, events } = setup();
    callingServer(upstream, { name: 'write_file', args: { path: 'x.txt', content: 'x' } });
    await broker.handle({ method: 'startTurn', params: { tabId: 't1', threadId: 'th', turnId: 'turn1', text: 'go' } });
    await next(approvalRequested);
    await broker.handle({ method: 'stop', params: { threadId: 'th' } });
    expect((await turnEnded('turn1')).status).toBe('stopped');
    expect(events.find((e) => e.kind === 'approval.resolved')).toMatchObject({ outcome: 'cancelled', by: 'stop' });
    const output = events.find((e) => e.kind === 'item.done' && e.item.type === 'function_call_output');
    expect(output).toMatchObject({ item: { output: expect.stringMatching(/stopped the turn before this write_file call ran/) } });
  });

  it('Stop under auto: calls not started yet are answered as not run, and nothing more changes', async () => {
    let release!: () => void;
    const waitingRunner: JsRunner = { run: () => new Promise((resolve) => (release = () => resolve({ console: 'late', truncated: false }))) };
    const { upstream, broker, next, turnEnded, workspace, events, setPolicy } = setup({ jsRunner: waitingRunner });
    await setPolicy('th', 'auto');
    callingServer(upstream, { name: 'run_js', args: { code: 'slow()' } }, { name: 'write_file', args: { path: 'after-stop.txt', content: 'x' } });
    await broker.handle({ method: 'startTurn', params: { tabId: 't1', threadId: 'th', turnId: 'turn1', text: 'go' } });
    await next((e) => e.kind === 'item.done' && e.item.type === 'function_call');
    await expect.poll(() => typeof release).toBe('function');
    const stopping = broker.handle({ method: 'stop', params: { threadId: 'th' } });
    release(); // run_js cannot be cut short; it ends, then the write must not run
    await stopping;
    expect((await turnEnded('turn1')).status).toBe('stopped');
    expect(await workspace.exists('after-stop.txt')).toBe(null);
    const outputs = events.filter((e) => e.kind === 'item.done' && e.item.type === 'function_call_output').map((e) => (e as { item: { output: string } }).item.output);
    expect(outputs).toEqual([expect.stringContaining('late'), expect.stringMatching(/stopped the turn before this write_file call ran/)]);
  });

  it('a workspace that cannot be opened answers every call with why, keeping the history valid', async () => {
    const { upstream, broker, turnEnded } = setup({ workspaceFails: 'the folder is gone' });
    callingServer(upstream, { name: 'list_files', args: {} }, { name: 'read_file', args: { path: 'a' } });
    await broker.handle({ method: 'startTurn', params: { tabId: 't1', threadId: 'th', turnId: 'turn1', text: 'go' } });
    await turnEnded('turn1');
    const outputs = outputsOf(wsBodies(upstream)[1]!);
    expect(outputs).toEqual([expect.stringMatching(/workspace could not be opened: the folder is gone/), expect.stringMatching(/workspace could not be opened/)]);
  });

  it('a policy switched to auto while an approval waits approves it', async () => {
    const { upstream, broker, next, turnEnded, workspace, setPolicy } = setup();
    callingServer(upstream, { name: 'write_file', args: { path: 'x.txt', content: 'x' } });
    await broker.handle({ method: 'startTurn', params: { tabId: 't1', threadId: 'th', turnId: 'turn1', text: 'go' } });
    await next(approvalRequested);
    await setPolicy('th', 'auto');
    await turnEnded('turn1');
    expect(await workspace.readText('x.txt')).toBe('x');
  });
});

describe('broker: changes and revert', () => {
  const patch = ['*** Begin Patch', '*** Update File: src/a.ts', '@@', '-export const a = 1;', '+export const a = 2;', '*** Add File: docs/new.md', '+# New', '*** End Patch'].join('\n');

  it('records every file a turn changed, and "revert" restores them and tells the model', async () => {
    const { upstream, broker, turnEnded, workspace, store, events, setPolicy } = setup();
    await setPolicy('th', 'auto');
    callingServer(upstream, { name: 'apply_patch', args: { patch } });
    await broker.handle({ method: 'startTurn', params: { tabId: 't1', threadId: 'th', turnId: 'turn1', text: 'patch it' } });
    await turnEnded('turn1');
    expect(await workspace.readText('src/a.ts')).toBe('export const a = 2;');
    const change = events.find((e) => e.kind === 'turn.changes');
    expect(change).toMatchObject({ changeSet: { tool: 'apply_patch', changes: [{ path: 'src/a.ts', kind: 'update' }, { path: 'docs/new.md', kind: 'add' }] } });
    expect(events.some((e) => e.kind === 'workspace.changed')).toBe(true);

    expect(await broker.handle({ method: 'revertTurn', params: { threadId: 'th', turnId: 'turn1' } })).toEqual({ reverted: 2 });
    expect(await workspace.readText('src/a.ts')).toBe('export const a = 1;');
    expect(await workspace.exists('docs/new.md')).toBe(null);
    expect((await store.listTurns('th'))[0]!.revertedAt).toBeGreaterThan(0);
    await expect(broker.handle({ method: 'revertTurn', params: { threadId: 'th', turnId: 'turn1' } })).rejects.toThrow(/already reverted/);
    // The next request tells the model the files are back.
    upstream.respondWith(() => responseEvents({ text: 'ok' }));
    await broker.handle({ method: 'startTurn', params: { tabId: 't1', threadId: 'th', turnId: 'turn2', text: 'next' } });
    await turnEnded('turn2');
    const last = wsBodies(upstream).at(-1)!;
    expect(JSON.stringify(last.input)).toContain('The user reverted the file changes of an earlier turn');
  });

  it('refuses to revert, changing nothing, when a file was changed after the turn', async () => {
    const { upstream, broker, turnEnded, workspace, setPolicy } = setup();
    await setPolicy('th', 'auto');
    callingServer(upstream, { name: 'apply_patch', args: { patch } });
    await broker.handle({ method: 'startTurn', params: { tabId: 't1', threadId: 'th', turnId: 'turn1', text: 'patch it' } });
    await turnEnded('turn1');
    await workspace.writeText('src/a.ts', 'edited by hand');
    await expect(broker.handle({ method: 'revertTurn', params: { threadId: 'th', turnId: 'turn1' } })).rejects.toThrow(/src\/a\.ts \(changed since\)/);
    expect(await workspace.readText('docs/new.md')).toBe('# New\n');
    expect(await workspace.readText('src/a.ts')).toBe('edited by hand');
  });
});

describe('broker: compaction inside a turn (§4.8)', () => {
  it('mid-turn: the compact response sets the value, the next request sends it on a new chain and window', async () => {
    const { upstream, broker, turnEnded, events } = setup({ limits: { compactAtInputTokens: 1000 } });
    let n = 0;
    upstream.respondWith((request) => {
      if (request.generate === false) return responseEvents({});
      n += 1;
      if (n === 1) return responseEvents({ calls: [{ name: 'list_files', args: {} }], inputTokens: 5000 }); // no value yet
      if (n === 2) return responseEvents({ calls: [{ name: 'read_file', args: { path: 'README.md' } }], turnState: 'later' });
      return responseEvents({ text: 'Done.' });
    });
    upstream.compactResponder = () => ({ output: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'SUMMARY' }] }], turnState: 'c1' });
    await broker.handle({ method: 'startTurn', params: { tabId: 't1', threadId: 'th', turnId: 'turn1', text: 'look' } });
    expect((await turnEnded('turn1')).status).toBe('completed');

    expect(upstream.compactions).toHaveLength(1);
    const compact = upstream.compactions[0]!;
    expect(compact.headers['x-codex-turn-state']).toBeUndefined(); // the cell was still empty
    expect(JSON.parse(compact.body.client_metadata!['x-codex-turn-metadata']!)).toMatchObject({ request_kind: 'compaction', turn_id: 'turn1' });
    expect(compact.body.client_metadata!['x-codex-window-id']).toBe('th:0');
    expect(compact.body.input.map((i) => i.type)).toEqual(['message', 'function_call', 'function_call_output']);

    const bodies = wsBodies(upstream);
    expect(bodies.map(sentState)).toEqual([undefined, 'c1', 'c1']); // 'later' was ignored
    expect(bodies[1]!.previous_response_id).toBeUndefined();
    expect(JSON.stringify(bodies[1]!.input)).toContain('SUMMARY');
    expect(bodies[1]!.input).toHaveLength(1);
    expect(bodies[1]!.client_metadata!['x-codex-window-id']).toBe('th:1');
    expect(bodies[2]!.client_metadata!['x-codex-window-id']).toBe('th:1');
    expect(events.find((e) => e.kind === 'turn.compacted')).toMatchObject({ phase: 'mid-turn', window: 1, itemsBefore: 3, itemsAfter: 1 });
  });

  it('mid-turn with a value already in the cell: the compact request sends it, and its own is ignored', async () => {
    const { upstream, broker, turnEnded } = setup({ limits: { compactAtInputTokens: 1000 } });
    let n = 0;
    upstream.respondWith((request) => {
      if (request.generate === false) return responseEvents({});
      n += 1;
      return n === 1 ? responseEvents({ calls: [{ name: 'list_files', args: {} }], turnState: 'v1', inputTokens: 5000 }) : responseEvents({ text: 'Done.' });
    });
    upstream.compactResponder = () => ({ output: [], turnState: 'c-ignored' });
    await broker.handle({ method: 'startTurn', params: { tabId: 't1', threadId: 'th', turnId: 'turn1', text: 'look' } });
    await turnEnded('turn1');
    expect(upstream.compactions[0]!.headers['x-codex-turn-state']).toBe('v1');
    expect(wsBodies(upstream).map(sentState)).toEqual([undefined, 'v1']);
  });

  it('pre-turn: a large last request compacts before the next turn, whose first request sends the new value', async () => {
    const { upstream, store, runTurn } = setup({ limits: { compactAtInputTokens: 1000 } });
    let n = 0;
    upstream.respondWith((request) => {
      if (request.generate === false) return responseEvents({});
      n += 1;
      return responseEvents({ text: `answer ${n}`, inputTokens: n === 1 ? 9000 : 10 });
    });
    upstream.compactResponder = (body) => ({ output: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: `summary of ${body.input.length}` }] }], turnState: 'p1' });
    await runTurn('th', 'turn1', 'first');
    expect(upstream.compactions).toHaveLength(0);
    await runTurn('th', 'turn2', 'second');
    expect(upstream.compactions).toHaveLength(1);
    expect(JSON.parse(upstream.compactions[0]!.body.client_metadata!['x-codex-turn-metadata']!)).toMatchObject({ turn_id: 'turn2', request_kind: 'compaction' });
    const bodies = wsBodies(upstream);
    expect(bodies.map(sentState)).toEqual([undefined, 'p1']);
    expect(bodies[1]!.previous_response_id).toBeUndefined();
    expect(bodies[1]!.input.map((i) => JSON.stringify(i))).toEqual([expect.stringContaining('summary of 2'), expect.stringContaining('second')]);
    // Saved in the order sent: the compaction's marker, then the message it came before.
    const saved = (await store.listItems('th')).filter((r) => r.turnId === 'turn2').map((r) => r.item);
    expect(saved.slice(0, 2)).toMatchObject([{ type: COMPACTION_MARKER }, { role: 'user', content: [{ text: 'second' }] }]);
  });

  it('"Compact thread" is a turn of its own; the compacted history survives a new broker', async () => {
    const { upstream, broker, store, turnEnded } = setup();
    upstream.respondWith((request) => responseEvents(request.generate === false ? {} : { text: 'hi' }));
    await broker.handle({ method: 'startTurn', params: { tabId: 't1', threadId: 'th', turnId: 'turn1', text: 'hello' } });
    await turnEnded('turn1');
    await broker.handle({ method: 'compactThread', params: { tabId: 't1', threadId: 'th', turnId: 'turn2' } });
    expect((await turnEnded('turn2')).status).toBe('completed');
    const turns = await store.listTurns('th');
    expect(turns[1]).toMatchObject({ kind: 'compaction', status: 'completed', userText: '' });
    const items = await store.listItems('th');
    expect(items.at(-1)!.item).toMatchObject({ type: COMPACTION_MARKER, window: 1, itemsBefore: 2 });

    // A new broker (the app reopened) reads the compacted history back.
    const fresh = setup();
    const again = createBroker({
      openSocket: fresh.upstream.openSocket,
      fetch: fresh.upstream.fetch,
      httpUrl: 'http://relay/v1/responses',
      publish: () => undefined,
      store,
      workspaceFor: async () => fresh.workspace,
      settings: { model: 'm', tools: tools.definitions },
      tools,
      jsRunner: fakeJsRunner,
      clock: instantClock,
      brokerId: 'b3',
      appVersion: 'test',
    });
    fresh.upstream.respondWith(() => responseEvents({ text: 'ok' }));
    await again.handle({ method: 'startTurn', params: { tabId: 't1', threadId: 'th', turnId: 'turn3', text: 'more' } });
    await expect.poll(() => fresh.upstream.requests.filter((r) => r.body.generate !== false).length).toBe(1);
    const first = fresh.upstream.requests.find((r) => r.body.generate !== false)!.body;
    expect(first.input.map((i) => JSON.stringify(i))).toEqual([expect.stringContaining('summary of 2 items'), expect.stringContaining('more')]);
    expect(first.client_metadata!['x-codex-window-id']).toBe('th:1');
  });

  it('a failed compaction mid-turn leaves the history as it was and the turn goes on', async () => {
    const { upstream, broker, turnEnded, events } = setup({ limits: { compactAtInputTokens: 1000 } });
    let n = 0;
    upstream.respondWith((request) => {
      if (request.generate === false) return responseEvents({});
      n += 1;
      return n === 1 ? responseEvents({ calls: [{ name: 'list_files', args: {} }], inputTokens: 5000 }) : responseEvents({ text: 'Done anyway.' });
    });
    upstream.compactResponder = () => ({ status: 500 });
    await broker.handle({ method: 'startTurn', params: { tabId: 't1', threadId: 'th', turnId: 'turn1', text: 'look' } });
    expect((await turnEnded('turn1')).status).toBe('completed');
    expect(events.find((e) => e.kind === 'turn.compacted')).toMatchObject({ error: expect.stringMatching(/Compaction failed: HTTP 500/) });
    const second = wsBodies(upstream)[1]!;
    expect(second.previous_response_id).toBeDefined(); // still the old chain
    expect(second.client_metadata!['x-codex-window-id']).toBe('th:0');
  });
});
