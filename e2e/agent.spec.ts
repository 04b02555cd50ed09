// The coding agent end to end (issue 4): every tool through the real SharedWorker broker and an
// OPFS workspace, approvals under each policy and across tabs and reloads, the record of changed
// files and its revert, and compaction inside a turn (PROTOCOL.md §4.8). The scripted upstream
// makes the calls; the frames it receives, and the files in the browser's storage, are the evidence.
import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { strFromU8, unzipSync } from 'fflate';
import { approvalCard, expect, lastTurn, openNewThread, send, setPolicy, startTurn, test, toolOutputs, turnState, workspaceFiles, type Upstream } from './fixtures.ts';

const STARTER_HELLO = "export function hello(name) {\n  return `Hello, ${name}!`;\n}\n";
/** The default workspace's files when it is first made (sw/opfsWorkspace.ts). */
const STARTER_FILES = {
  'README.md': '# Scratch workspace\n\nThis folder lives in your browser (OPFS). The agent can list and read files here.\n',
  'src/hello.js': STARTER_HELLO,
};

async function idle(page: Page): Promise<void> {
  await expect(page.getByRole('log', { name: 'Transcript' })).toHaveAttribute('aria-busy', 'false');
}

test('the read tools run at once, and parallel calls are answered together in the next request', async ({ page, upstream }) => {
  await upstream.script(
    {
      toolCalls: [
        { name: 'list_files', arguments: { path: '', depth: 2 } },
        { name: 'read_file', arguments: { path: 'src/hello.js', offset: 2, limit: 1 } },
        { name: 'grep', arguments: { pattern: 'Hello, \\$\\{', glob: '**/*.js' } },
      ],
    },
    { text: 'Looked around.' },
  );
  await openNewThread(page);
  await send(page, 'look around');
  await expect(lastTurn(page)).toContainText('Looked around.');
  const requests = await upstream.requests();
  expect(requests).toHaveLength(2);
  const [list, read, grep] = toolOutputs(requests[1]!);
  expect(list).toContain('README.md');
  expect(list).toContain('src/hello.js');
  expect(read).toContain('return `Hello, ${name}!`;');
  expect(read).not.toContain('export function hello');
  expect(grep).toContain('src/hello.js:2:');
  await expect(page.getByRole('log', { name: 'Transcript' }).getByRole('group', { name: /^Approval needed/ })).toHaveCount(0);
});

test('run_js asks first, then runs in a sandbox with no network and no storage', async ({ page, upstream }) => {
  const code = "console.log(typeof fetch, typeof XMLHttpRequest, typeof indexedDB, typeof WebSocket); console.log('six times seven'); 6 * 7";
  await upstream.script({ toolCalls: [{ name: 'run_js', arguments: { code } }] }, { text: 'Ran it.' });
  await openNewThread(page);
  await startTurn(page, 'run some code');
  const card = approvalCard(page);
  await expect(card).toContainText('six times seven');
  await card.getByRole('button', { name: 'Approve' }).click();
  await idle(page);
  const output = toolOutputs((await upstream.requests())[1]!)[0]!;
  expect(output).toContain('undefined undefined undefined undefined');
  expect(output).toContain('six times seven');
  expect(output).toContain('42');
});

test('a multi-file apply_patch (add, update with two hunks, move, delete) is applied exactly', async ({ page, upstream }) => {
  const app = ['// app', 'const a = 1;', 'const b = 2;', 'const c = 3;', 'const d = 4;', 'const e = 5;', 'const f = 6;', 'const g = 7;', 'const h = 8;', 'export { a, h };', ''].join('\n');
  const patch = [
    '*** Begin Patch',
    '*** Add File: docs/guide.md',
    '+# Guide',
    '+Read me first.',
    '*** Update File: src/app.js',
    '@@',
    ' // app',
    '-const a = 1;',
    '+const a = 10;',
    ' const b = 2;',
    '@@',
    ' const g = 7;',
    '-const h = 8;',
    '+const h = 80;',
    ' export { a, h };',
    '*** Update File: README.md',
    '*** Move to: docs/README.md',
    '*** Delete File: src/hello.js',
    '*** End Patch',
  ].join('\n');
  await upstream.script(
    { onlyFor: 'write the app', toolCalls: [{ name: 'write_file', arguments: { path: 'src/app.js', content: app } }] },
    { onlyFor: 'write the app', text: 'Written.' },
    { onlyFor: 'patch the app', toolCalls: [{ name: 'apply_patch', arguments: { patch } }] },
    { onlyFor: 'patch the app', text: 'Patched.' },
  );
  await openNewThread(page);
  await setPolicy(page, 'auto');
  await send(page, 'write the app');
  const readme = (await workspaceFiles(page))['README.md'];
  await send(page, 'patch the app');
  expect(toolOutputs((await upstream.requests())[3]!)[0]).not.toMatch(/error/i);
  expect(await workspaceFiles(page)).toEqual({
    'docs/guide.md': '# Guide\nRead me first.\n',
    'docs/README.md': readme,
    'src/app.js': app.replace('const a = 1;', 'const a = 10;').replace('const h = 8;', 'const h = 80;'),
  });
  // The transcript shows a diff per change.
  const changes = lastTurn(page).getByRole('region', { name: 'Files changed' });
  await expect(changes).toContainText('4 files changed');
  await expect(changes.getByLabel('Diff of src/app.js')).toContainText('+const h = 80;');
  await expect(changes.getByLabel('Diff of src/app.js')).toContainText('-const a = 1;');
});

test('a malformed patch changes nothing, asks nobody, and tells the model exactly where it failed', async ({ page, upstream }) => {
  const patch = ['*** Begin Patch', '*** Update File: src/hello.js', '@@', ' export function hello(name) {', '-  return `Goodbye`;', '+  return `Hi`;', '*** End Patch'].join('\n');
  await upstream.script({ toolCalls: [{ name: 'apply_patch', arguments: { patch } }] }, { text: 'That did not apply.' });
  await openNewThread(page);
  await send(page, 'patch badly');
  const output = toolOutputs((await upstream.requests())[1]!)[0]!;
  expect(output).toContain('nothing was changed');
  expect(output).toMatch(/src\/hello\.js, hunk 1 \(patch line 5\): could not find the line to remove/);
  expect((await workspaceFiles(page))['src/hello.js']).toBe(STARTER_HELLO);
  await expect(page.getByRole('group', { name: /^Approval needed/ })).toHaveCount(0);
});

test('a denied write is not made, and the model is told so', async ({ page, upstream }) => {
  await upstream.script({ toolCalls: [{ name: 'write_file', arguments: { path: 'secrets.txt', content: 'nope' } }] }, { text: 'Understood.' });
  await openNewThread(page);
  await startTurn(page, 'write a file');
  const card = approvalCard(page);
  await expect(card).toContainText('+nope');
  await card.getByRole('button', { name: 'Deny' }).click();
  await idle(page);
  await expect(lastTurn(page)).toContainText('Understood.');
  expect(toolOutputs((await upstream.requests())[1]!)[0]).toMatch(/^The user denied this write_file call/);
  expect(await workspaceFiles(page)).not.toHaveProperty('secrets.txt');
});

test('read-only refuses a write without asking', async ({ page, upstream }) => {
  await upstream.script({ toolCalls: [{ name: 'write_file', arguments: { path: 'x.txt', content: 'x' } }] }, { text: 'Could not.' });
  await openNewThread(page);
  await setPolicy(page, 'read-only');
  await send(page, 'try to write');
  expect(toolOutputs((await upstream.requests())[1]!)[0]).toMatch(/read-only, so write_file is not allowed/);
  expect(await workspaceFiles(page)).not.toHaveProperty('x.txt');
});

test('an approval shows in a second tab on the thread and is answered there', async ({ page, context, upstream }) => {
  await upstream.script({ toolCalls: [{ name: 'write_file', arguments: { path: 'from-tab-two.txt', content: 'approved elsewhere' } }] }, { text: 'Wrote it.' });
  await openNewThread(page);
  await startTurn(page, 'write from anywhere');
  await expect(approvalCard(page)).toBeVisible();
  const second = await context.newPage();
  await second.goto(page.url());
  await approvalCard(second).getByRole('button', { name: 'Approve' }).click();
  // The first tab sees it answered and the turn finish.
  await expect(approvalCard(page)).toHaveCount(0);
  await idle(page);
  await expect(lastTurn(page)).toContainText('Wrote it.');
  await expect(lastTurn(second)).toContainText('Wrote it.');
  expect((await workspaceFiles(page))['from-tab-two.txt']).toBe('approved elsewhere');
});

test('a pending approval survives a reload of the tab', async ({ page, upstream }) => {
  await upstream.script({ toolCalls: [{ name: 'write_file', arguments: { path: 'after-reload.txt', content: 'still here' } }] }, { text: 'Done after reload.' });
  await openNewThread(page);
  await startTurn(page, 'write, then I reload');
  await expect(approvalCard(page)).toBeVisible();
  await page.reload();
  const card = approvalCard(page);
  await expect(card).toContainText('+still here');
  await card.getByRole('button', { name: 'Approve' }).click();
  await idle(page);
  await expect(lastTurn(page)).toContainText('Done after reload.');
  expect((await workspaceFiles(page))['after-reload.txt']).toBe('still here');
});

test('"Revert this turn’s changes" restores the files', async ({ page, upstream }) => {
  const patch = ['*** Begin Patch', '*** Add File: notes.md', '+temporary', '*** Update File: src/hello.js', '@@', '-  return `Hello, ${name}!`;', '+  return `Bye, ${name}!`;', '*** Delete File: README.md', '*** End Patch'].join('\n');
  await upstream.script({ toolCalls: [{ name: 'apply_patch', arguments: { patch } }] }, { text: 'Changed three files.' });
  await openNewThread(page);
  await setPolicy(page, 'auto');
  await send(page, 'change things');
  expect(await workspaceFiles(page)).toEqual({ 'notes.md': 'temporary\n', 'src/hello.js': STARTER_HELLO.replace('Hello', 'Bye') });
  const changes = lastTurn(page).getByRole('region', { name: 'Files changed' });
  await changes.getByRole('button', { name: 'Revert this turn’s changes' }).click();
  await expect(changes.getByText('Reverted', { exact: true })).toBeVisible();
  expect(await workspaceFiles(page)).toEqual(STARTER_FILES);
});

test('mid-turn compaction: the compact response sets the value, the next request sends it, a later one is ignored', async ({ page, upstream }) => {
  await upstream.script(
    { warmup: true, turnState: null },
    { toolCalls: [{ name: 'list_files', arguments: {} }], turnState: null, usage: { input_tokens: 500_000, output_tokens: 10 } },
    { toolCalls: [{ name: 'read_file', arguments: { path: 'README.md' } }], turnState: 'v-late' },
    { text: 'Finished after compacting.' },
  );
  await upstream.scriptCompact({ turnState: 'c1' });
  await openNewThread(page);
  await send(page, 'a long task');
  await expect(lastTurn(page)).toContainText('Finished after compacting.');
  await expect(lastTurn(page).getByRole('note')).toContainText('Context compacted');
  const requests = await upstream.requests();
  expect(requests.map(turnState)).toEqual([undefined, 'c1', 'c1']);
  expect(requests[1]!.previous_response_id).toBeUndefined();
  expect(requests[1]!.client_metadata['x-codex-window-id']).toMatch(/:1$/);
  expect(requests[0]!.client_metadata['x-codex-window-id']).toMatch(/:0$/);
  const compact = (await upstream.log()).http.filter((h) => h.path === '/v1/responses/compact');
  expect(compact).toHaveLength(1);
  expect(compact[0]!.headers['x-codex-turn-state']).toBeUndefined();
  expect(JSON.parse((compact[0]!.body.client_metadata as Record<string, string>)['x-codex-turn-metadata']!)).toMatchObject({ request_kind: 'compaction' });
});

test('pre-turn compaction establishes the value the first sampling request sends', async ({ page, upstream }) => {
  await upstream.script(
    { warmup: true, turnState: null },
    { onlyFor: 'first turn', text: 'A big answer.', turnState: null, usage: { input_tokens: 500_000, output_tokens: 10 } },
    { onlyFor: 'second turn', text: 'Second, after compaction.', turnState: 'v-ignored' },
  );
  await upstream.scriptCompact({ turnState: 'p1' });
  await openNewThread(page);
  await send(page, 'first turn');
  await send(page, 'second turn');
  await expect(lastTurn(page)).toContainText('Second, after compaction.');
  const requests = await upstream.requests();
  expect(requests.map(turnState)).toEqual([undefined, 'p1']);
  expect(requests[1]!.previous_response_id).toBeUndefined();
  const compact = (await upstream.log()).http.filter((h) => h.path === '/v1/responses/compact');
  expect(compact).toHaveLength(1);
  expect(JSON.parse((compact[0]!.body.client_metadata as Record<string, string>)['x-codex-turn-metadata']!)).toMatchObject({ turn_id: requests[1]!.client_metadata.turn_id });
});

test('"Compact thread" runs a compaction as a turn of its own', async ({ page, upstream }) => {
  await openNewThread(page);
  await send(page, 'hello there');
  await page.getByRole('button', { name: 'Compact thread' }).click();
  await expect(lastTurn(page)).toContainText('Compact thread');
  await expect(lastTurn(page).getByRole('note')).toContainText('Context compacted');
  await idle(page);
  expect((await upstream.log()).http.filter((h) => h.path === '/v1/responses/compact')).toHaveLength(1);
});

test('on the offline engine: ask for a small project, watch the patch, approve it, download the zip', async ({ page }) => {
  // No script: the embedded engine's offline agent answers, as it does for a person with no key.
  await openNewThread(page);
  await startTurn(page, 'create a small project called calc');
  const card = approvalCard(page);
  await expect(card).toContainText('apply_patch');
  await expect(card.getByLabel('Changes apply_patch will make')).toContainText('+++ b/calc/package.json');
  await card.getByRole('button', { name: 'Approve' }).click();
  await idle(page);
  await expect(lastTurn(page).getByRole('region', { name: 'Files changed' })).toContainText('calc/src/sum.js');
  const files = page.getByRole('complementary', { name: 'Files' });
  const show = files.getByRole('button', { name: 'Show files' });
  if (await show.isVisible()) await show.click();
  await expect(files.getByRole('tree', { name: 'Workspace files' })).toContainText('calc');
  const [download] = await Promise.all([page.waitForEvent('download'), files.getByRole('button', { name: 'Download zip' }).click()]);
  const zip = unzipSync(new Uint8Array(readFileSync((await download.path())!)));
  expect(Object.keys(zip)).toEqual(expect.arrayContaining(['calc/package.json', 'calc/src/sum.js', 'calc/test/sum.test.js', 'calc/index.html']));
  expect(strFromU8(zip['calc/src/sum.js']!)).toContain('export function sum');
});

/** A new thread whose turn streams `lines` paragraphs ("Line N: …") in `chunks` deltas 40 ms
 *  apart (`next`: the answer to the message after it); its caret and closed chunks. */
async function startLineStream(page: Page, upstream: Upstream, o: { lines: number; chunks: number; words: string; next?: string }) {
  const text = Array.from({ length: o.lines }, (_, i) => `Line ${i + 1}: ${`${o.words} `.repeat(3).trim()}`).join('\n\n');
  await upstream.script({ text, chunks: o.chunks, eventDelayMs: 40 }, ...(o.next ? [{ text: o.next }] : []));
  await openNewThread(page);
  await startTurn(page, 'stream a lot');
  return { caret: lastTurn(page).locator('.streaming__caret'), closed: lastTurn(page).locator('.answer__plain--closed') };
}

test('a long answer becomes markdown in place: the chunks the stream drew are still the same nodes when it finishes', async ({ page, upstream }) => {
  // Over 32,000 characters, so it converts block by block (markdownBlocks.ts), streamed slowly
  // enough to catch it mid-stream.
  const paragraph = (i: number) => `**Part ${i}.** ${'words that stream in and then become markdown '.repeat(20).trim()}`;
  const text = Array.from({ length: 40 }, (_, i) => paragraph(i + 1)).join('\n\n');
  expect(text.length).toBeGreaterThan(32_000);
  await upstream.script({ text, chunks: 40, eventDelayMs: 60 });
  await openNewThread(page);
  await startTurn(page, 'write a long answer');
  const answer = lastTurn(page).locator('.answer');
  await expect(answer.locator('.answer__plain--closed').nth(2)).toBeAttached();
  // Mid-stream: watch for the moment the answer turns into the finished message, and see
  // whether the chunks already drawn are still the same nodes then.
  await answer.evaluate((el) => {
    const chunk = el.querySelectorAll('.answer__plain--closed')[1]!;
    const w = window as unknown as { __swap?: { chunkKept: boolean } };
    new MutationObserver((_, observer) => {
      if (!el.classList.contains('answer--done')) return;
      w.__swap = { chunkKept: chunk.isConnected };
      observer.disconnect();
    }).observe(el, { attributes: true, attributeFilter: ['class'] });
    (window as unknown as { __answer?: Element }).__answer = el;
  });
  await expect(page.getByRole('log', { name: 'Transcript' })).toHaveAttribute('aria-busy', 'false');
  await expect(answer.locator('strong')).toHaveCount(40);
  await expect(answer.locator('.answer__plain')).toHaveCount(0);
  expect(await page.evaluate(() => (window as unknown as { __swap?: { chunkKept: boolean } }).__swap)).toEqual({ chunkKept: true });
  expect(await answer.evaluate((el) => el === (window as unknown as { __answer?: Element }).__answer)).toBe(true);
  // Every part once: nothing dropped or doubled on the way (textContent: blocks off screen are
  // not laid out, so innerText would skip them).
  expect((await answer.textContent())!.split('Part ').length - 1).toBe(40);
});

test('the transcript follows a fast stream to its end, lets the reader scroll up, and follows again for the next turn', async ({ page, upstream }) => {
  const { caret, closed } = await startLineStream(page, upstream, { lines: 400, chunks: 200, words: 'a stream fast enough to grow the page between two frames', next: 'The next answer.' });
  await expect(closed.nth(10)).toBeAttached();
  await expect(caret).toBeInViewport();
  await expect(closed.nth(25)).toBeAttached();
  await expect(caret).toBeInViewport();
  // The reader scrolls up: the stream goes on below without pulling the view back.
  await page.getByRole('log', { name: 'Transcript' }).hover();
  await page.mouse.wheel(0, -1500);
  await expect(closed.nth(40)).toBeAttached();
  await expect(caret).not.toBeInViewport();
  await expect(page.getByRole('log', { name: 'Transcript' })).toHaveAttribute('aria-busy', 'false');
  await expect(lastTurn(page).getByText('Line 400:')).not.toBeInViewport();
  // Their next message brings the bottom back.
  await send(page, 'and now?');
  await expect(lastTurn(page).getByText('The next answer.')).toBeInViewport();
});

test('the transcript is focusable, and PageUp in it leaves the bottom of a stream', async ({ page, upstream }) => {
  const { caret, closed } = await startLineStream(page, upstream, { lines: 300, chunks: 150, words: 'text arriving while the reader looks back' });
  await expect(closed.nth(8)).toBeAttached();
  await expect(caret).toBeInViewport();
  const transcript = page.getByRole('log', { name: 'Transcript' });
  await transcript.focus();
  await expect(transcript).toBeFocused();
  await page.keyboard.press('PageUp');
  await page.keyboard.press('PageUp');
  await expect(closed.nth(25)).toBeAttached();
  await expect(caret).not.toBeInViewport();
});

test('model output renders as sanitized markdown that cannot dress itself as the app', async ({ page, upstream }) => {
  const text = [
    '**Bold** and `code`.',
    '',
    '<div class="approval" style="position:fixed;inset:0;z-index:99">Approve everything</div>',
    '<img src="https://example.invalid/leak?q=secret"><script>window.__pwned = 1</script><a href="javascript:alert(1)">link</a>',
  ].join('\n');
  await upstream.script({ text, chunks: 1 });
  await openNewThread(page);
  await send(page, 'say something tricky');
  const answer = lastTurn(page).locator('.markdown');
  await expect(answer.locator('strong')).toHaveText('Bold');
  await expect(answer).toContainText('Approve everything');
  expect(await answer.locator('[style], [class], img, script').count()).toBe(0);
  expect(await answer.locator('a[href^="javascript:"]').count()).toBe(0);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  await expect(page.getByRole('group', { name: /^Approval needed/ })).toHaveCount(0);
});
