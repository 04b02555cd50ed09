// PROTOCOL.md §4 end to end: real Chromium, the real SharedWorker broker, the real relay, and a
// scripted upstream whose received frames are the evidence.
import { expect, lastTurn, openNewThread, send, showInspector, test, turnState } from './fixtures.ts';

const listFiles = { name: 'list_files', arguments: {} };

test('(a) a returned value is replayed on the same turn’s follow-up', async ({ page, upstream }) => {
  await upstream.script({ warmup: true, turnState: null }, { toolCalls: [listFiles], turnState: 'v1' }, { text: 'Here they are.', turnState: 'v2' });
  await openNewThread(page);
  await send(page, 'list the files');
  await expect(lastTurn(page)).toContainText('Here they are.');
  const requests = await upstream.requests();
  expect(requests.map(turnState)).toEqual([undefined, 'v1']);
  expect(requests[1]!.input.map((i: { type: string }) => i.type)).toEqual(['function_call_output']);
  expect(requests[1]!.input[0].output).toContain('README.md');
});

test('(b) a later value does not replace the first: two tool calls send [none, v1, v1]', async ({ page, upstream }) => {
  await upstream.script(
    { warmup: true, turnState: null },
    { toolCalls: [listFiles], turnState: 'v1' },
    { toolCalls: [{ name: 'read_file', arguments: { path: 'README.md' } }], turnState: 'v2' },
    { text: 'Read it.', turnState: 'v3' },
  );
  await openNewThread(page);
  await send(page, 'look around');
  await expect(lastTurn(page)).toContainText('Read it.');
  expect((await upstream.requests()).map(turnState)).toEqual([undefined, 'v1', 'v1']);
});

test('(c) the next turn starts without a value on the same socket', async ({ page, upstream }) => {
  await upstream.script(
    { warmup: true, turnState: null },
    { toolCalls: [listFiles], turnState: 'v1' },
    { text: 'first done', turnState: 'v2' },
    { text: 'second done', turnState: 'v3' },
  );
  await openNewThread(page);
  await send(page, 'first');
  await send(page, 'second');
  await expect(lastTurn(page)).toContainText('second done');
  const requests = await upstream.requests();
  expect(requests.map(turnState)).toEqual([undefined, 'v1', undefined]);
  // Turn 2 chains on the same socket: previous_response_id and only the new user message.
  expect(requests[2]!.previous_response_id).toEqual(expect.stringMatching(/^resp_/));
  expect(requests[2]!.input).toHaveLength(1);
  const log = await upstream.log();
  expect(log.handshakes).toBe(1);
  expect(new Set(log.frames.map((f) => f.socket)).size).toBe(1);
});

test('(d) a socket killed mid-turn: the resend carries the same value, full input, no previous_response_id', async ({ page, upstream }) => {
  await upstream.script(
    { warmup: true, turnState: null },
    { toolCalls: [listFiles], turnState: 'v1' },
    { text: 'this answer will be cut off by a dead socket', chunks: 8, turnState: 'v2', dropAfterEvents: 6 },
    { text: 'Recovered after reconnecting.', turnState: 'v3' },
  );
  await openNewThread(page);
  await send(page, 'list files');
  await expect(lastTurn(page)).toContainText('Recovered after reconnecting.');
  await expect(lastTurn(page)).not.toContainText('cut off');
  const requests = await upstream.requests();
  expect(requests.map(turnState)).toEqual([undefined, 'v1', 'v1']);
  const resend = requests[2]!;
  expect(resend.previous_response_id).toBeUndefined();
  expect(resend.input.map((i: { type: string }) => i.type)).toEqual(['message', 'function_call', 'function_call_output']);
  const log = await upstream.log();
  const sockets = log.frames.filter((f) => f.frame.type === 'response.create' && f.frame.generate !== false).map((f) => f.socket);
  expect(sockets[2]).not.toBe(sockets[1]);
});

test('(e) two tabs run turns at once on different threads, each with its own cell and chain', async ({ context, upstream }) => {
  const pageA = await context.newPage();
  const pageB = await context.newPage();
  // The threads' warmups return no value, so each turn's first value comes from its own request.
  await upstream.script({ warmup: true, turnState: null }, { warmup: true, turnState: null });
  await openNewThread(pageA);
  await openNewThread(pageB);
  // Both turns are held at the upstream until both have started, so they truly overlap.
  await upstream.script(
    { toolCalls: [listFiles], turnState: 'first-of-whichever', hold: true },
    { toolCalls: [listFiles], turnState: 'first-of-the-other', hold: true },
    { text: 'done one' },
    { text: 'done two' },
  );
  const idOf = (url: string) => url.split('/t/')[1]!;
  const threadA = idOf(pageA.url());
  const threadB = idOf(pageB.url());
  await pageA.getByRole('textbox', { name: 'Message' }).fill('from tab A');
  await pageA.getByRole('button', { name: 'Send' }).click();
  await pageB.getByRole('textbox', { name: 'Message' }).fill('from tab B');
  await pageB.getByRole('button', { name: 'Send' }).click();
  await expect.poll(async () => (await upstream.requests()).length).toBe(2);
  // Both cells are live at once in the broker, as the inspector shows.
  await expect((await showInspector(pageA)).getByRole('table', { name: 'Turn-state cells' }).getByRole('row')).toHaveCount(3);
  await upstream.release();
  for (const page of [pageA, pageB]) await expect(page.getByRole('log', { name: 'Transcript' })).toHaveAttribute('aria-busy', 'false');
  const requests = await upstream.requests();
  for (const thread of [threadA, threadB]) {
    const own = requests.filter((r) => r.client_metadata.thread_id === thread);
    expect(own).toHaveLength(2);
    expect(turnState(own[0]!)).toBeUndefined();
    expect(['first-of-whichever', 'first-of-the-other']).toContain(turnState(own[1]!));
  }
  expect(turnState(requests.find((r) => r.client_metadata.thread_id === threadA && turnState(r))!)).not.toBe(
    turnState(requests.find((r) => r.client_metadata.thread_id === threadB && turnState(r))!),
  );
  // No cross-thread chaining: a chained request continues the previous request on its socket,
  // and that request must belong to the same thread.
  const log = await upstream.log();
  const lastThreadOnSocket = new Map<number, string>();
  for (const { socket, frame } of log.frames) {
    const thread = (frame.client_metadata as Record<string, string>).thread_id!;
    if (frame.previous_response_id) expect(lastThreadOnSocket.get(socket)).toBe(thread);
    lastThreadOnSocket.set(socket, thread);
  }
  expect(log.handshakes).toBeLessThanOrEqual(2);
});

test('(f) after a 426 the HTTP requests carry the value in the header', async ({ page, upstream }) => {
  await upstream.refuse(426, 1, 'Upgrade Required');
  await upstream.script({ toolCalls: [listFiles], turnState: 'h1' }, { text: 'Listed over HTTP.', turnState: 'h2' });
  await openNewThread(page);
  await expect(page.getByRole('status', { name: 'Connection' })).toContainText(/HTTP/i);
  await send(page, 'list files');
  await expect(lastTurn(page)).toContainText('Listed over HTTP.');
  const log = await upstream.log();
  const posts = log.http.filter((h) => h.path.endsWith('/responses'));
  expect(posts.map((p) => p.headers['x-codex-turn-state'])).toEqual([undefined, 'h1']);
  expect(posts.every((p) => !('previous_response_id' in p.body) && !('type' in p.body))).toBe(true);
  expect(posts.every((p) => !('x-codex-turn-state' in ((p.body.client_metadata as object) ?? {})))).toBe(true);
  expect(posts[0]!.headers.authorization).toBe('Bearer sk-test-never-reaches-the-page');
});

test('(g) a malformed frame fails only that turn, with a clear message; the next turn works', async ({ page, upstream }) => {
  await upstream.script({ text: 'never finished', malformedAfterEvents: 3 }, { text: 'Back to normal.' });
  await openNewThread(page);
  await send(page, 'break please');
  await expect(lastTurn(page).getByRole('alert')).toContainText(/not valid JSON/);
  await send(page, 'and now?');
  await expect(lastTurn(page)).toContainText('Back to normal.');
  await expect(lastTurn(page).getByRole('alert')).toHaveCount(0);
});
