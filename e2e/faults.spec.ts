// Every fault a user meets, in real Chromium against the relay and a scripted upstream. For each:
// nothing already shown is lost or duplicated (checked again after a reload, from IndexedDB), the
// turn ends the way a user would expect, and another tab's turn running alongside is unaffected.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from '@playwright/test';
import { countInTranscript, expect, lastTurn, openNewThread, send, showInspector, test, turnState, type Upstream } from './fixtures.ts';

const transcriptOf = (page: Page) => page.getByRole('log', { name: 'Transcript' });

/** A second tab on its own thread whose turn runs while the fault happens; the offline agent
 *  answers it (the scenario's plans are `onlyFor` the scenario's own message). */
async function startBystander(context: BrowserContext) {
  const page = await context.newPage();
  await openNewThread(page);
  await page.getByRole('textbox', { name: 'Message' }).fill('bystander: how are you?');
  await page.getByRole('button', { name: 'Send' }).click();
  return {
    async finishedUnharmed() {
      await expect(lastTurn(page)).toContainText(/offline engine/i);
      await expect(transcriptOf(page)).toHaveAttribute('aria-busy', 'false');
      await expect(lastTurn(page).getByRole('alert')).toHaveCount(0);
    },
  };
}

/** After a reload the thread is read back from IndexedDB: the text must be there exactly once. */
async function expectPersistedOnce(page: Page, text: string) {
  await page.reload();
  await expect(transcriptOf(page)).toContainText(text);
  expect(await countInTranscript(page, text)).toBe(1);
}

async function sendExpectingFailure(page: Page, text: string, message: RegExp) {
  await page.getByRole('textbox', { name: 'Message' }).fill(text);
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(lastTurn(page).getByRole('alert')).toContainText(message);
  await expect(transcriptOf(page)).toHaveAttribute('aria-busy', 'false');
}

test.describe('socket faults', () => {
  test('socket killed mid-stream: the turn resends and finishes once; the other tab is unaffected', async ({ page, context, upstream }) => {
    await upstream.script(
      { onlyFor: 'kill test', text: 'A doomed partial answer that never finishes', chunks: 10, dropAfterEvents: 8 },
      { onlyFor: 'kill test', text: 'Survived the dead socket.' },
    );
    await openNewThread(page);
    const bystander = await startBystander(context);
    await send(page, 'kill test');
    await expect(lastTurn(page)).toContainText('Survived the dead socket.');
    expect(await countInTranscript(page, 'Survived the dead socket.')).toBe(1);
    expect(await countInTranscript(page, 'doomed')).toBe(0);
    await bystander.finishedUnharmed();
    await expectPersistedOnce(page, 'Survived the dead socket.');
  });

  test('upgrade refused with 426: the app switches to HTTP and the turn works', async ({ page, upstream }) => {
    await upstream.refuse(426, 1, 'Upgrade Required');
    await upstream.script({ onlyFor: 'over http', text: 'Answered over HTTP.' });
    await openNewThread(page);
    await expect(page.getByRole('status', { name: 'Connection' })).toContainText(/HTTP/i);
    await send(page, 'over http');
    await expectPersistedOnce(page, 'Answered over HTTP.');
    expect((await upstream.log()).http.length).toBeGreaterThan(0);
  });

  test('upgrade refused once with 404: retried on WebSocket, no fallback', async ({ page, upstream }) => {
    await upstream.refuse(404, 1, 'Not Found');
    await upstream.script({ onlyFor: 'after 404', text: 'Still on WebSocket.' });
    await openNewThread(page);
    await send(page, 'after 404');
    await expect(lastTurn(page)).toContainText('Still on WebSocket.');
    await expect(page.getByRole('status', { name: 'Connection' })).toContainText(/connected/i);
    const log = await upstream.log();
    expect(log.http).toHaveLength(0);
    expect(log.handshakes).toBeGreaterThanOrEqual(1);
  });

  test('upgrade refused with 500 every time: after bounded retries, HTTP', async ({ page, upstream }) => {
    await upstream.refuse(500, 10, 'Internal Server Error');
    await upstream.script({ onlyFor: 'after 500s', text: 'HTTP after the 500s.' });
    await openNewThread(page);
    await send(page, 'after 500s');
    await expect(lastTurn(page)).toContainText('HTTP after the 500s.');
    await expect(page.getByRole('status', { name: 'Connection' })).toContainText(/HTTP/i);
    expect((await upstream.log()).http.length).toBe(1);
  });

  test('connection limit reached while busy: the turn moves to a new socket and finishes', async ({ page, context, upstream }) => {
    await upstream.script(
      { onlyFor: 'limit busy', error: { status: 400, code: 'websocket_connection_limit_reached', message: 'Connection limit reached' } },
      { onlyFor: 'limit busy', text: 'Finished on a fresh socket.' },
    );
    await openNewThread(page);
    const bystander = await startBystander(context);
    await send(page, 'limit busy');
    await bystander.finishedUnharmed();
    await expectPersistedOnce(page, 'Finished on a fresh socket.');
    const mine = (await upstream.requests()).filter((r) => JSON.stringify(r.input).includes('limit busy'));
    expect(mine).toHaveLength(2);
    expect(mine[1]!.previous_response_id).toBeUndefined();
    const sockets = (await upstream.log()).frames.filter((f) => JSON.stringify(f.frame.input).includes('limit busy')).map((f) => f.socket);
    expect(sockets[1]).not.toBe(sockets[0]);
  });

  test('connection limit reached while idle: the socket is dropped and the next turn opens a new one', async ({ page, upstream }) => {
    await upstream.script({ warmup: true, turnState: null }, { onlyFor: 'before idle', text: 'First answer.' }, { onlyFor: 'after idle', text: 'Second answer.' });
    await openNewThread(page);
    await send(page, 'before idle');
    await upstream.errorFrame('websocket_connection_limit_reached', 'This connection reached its 60 minute limit');
    await expect((await showInspector(page)).getByRole('table', { name: 'Sockets' }).getByRole('row')).toHaveCount(2); // header + "no sockets" row
    await send(page, 'after idle');
    await expect(lastTurn(page)).toContainText('Second answer.');
    const requests = await upstream.requests();
    expect(requests.at(-1)!.previous_response_id).toBeUndefined();
    expect(requests.at(-1)!.input).toHaveLength(3);
    expect((await upstream.log()).handshakes).toBe(2);
    await expectPersistedOnce(page, 'First answer.');
  });

  test('previous_response_not_found: one resend with the full input', async ({ page, upstream }) => {
    await upstream.script(
      { onlyFor: 'turn one', text: 'One.' },
      { onlyFor: 'turn two', error: { status: 400, code: 'previous_response_not_found', message: "Previous response with id 'x' not found." } },
      { onlyFor: 'turn two', text: 'Two, resent in full.' },
    );
    await openNewThread(page);
    await send(page, 'turn one');
    await send(page, 'turn two');
    await expect(lastTurn(page)).toContainText('Two, resent in full.');
    const requests = await upstream.requests();
    const [chained, resent] = requests.slice(-2);
    expect(chained!.previous_response_id).toEqual(expect.stringMatching(/^resp_/));
    expect(resent!.previous_response_id).toBeUndefined();
    expect(resent!.input).toHaveLength(3);
    await expectPersistedOnce(page, 'Two, resent in full.');
  });

  test('an error frame on an idle socket: the next turn works and nothing is lost', async ({ page, upstream }) => {
    await upstream.script({ onlyFor: 'idle error one', text: 'Before the error.' }, { onlyFor: 'idle error two', text: 'After the error.' });
    await openNewThread(page);
    await send(page, 'idle error one');
    await upstream.errorFrame('server_error', 'Something went wrong on an idle connection');
    await send(page, 'idle error two');
    await expect(lastTurn(page)).toContainText('After the error.');
    await expect(lastTurn(page).getByRole('alert')).toHaveCount(0);
    await expectPersistedOnce(page, 'Before the error.');
  });

  test('upstream restarted between turns: the next turn reconnects and sends the full history', async ({ page, upstream }) => {
    await upstream.script({ onlyFor: 'before restart', text: 'Before the restart.' }, { onlyFor: 'after restart', text: 'After the restart.' });
    await openNewThread(page);
    await send(page, 'before restart');
    await upstream.offline(300);
    await upstream.waitUntilUp();
    await send(page, 'after restart');
    await expect(lastTurn(page)).toContainText('After the restart.');
    const last = (await upstream.requests()).at(-1)!;
    expect(last.previous_response_id).toBeUndefined();
    expect(last.input).toHaveLength(3);
    await expectPersistedOnce(page, 'Before the restart.');
  });
});

test.describe('bad frames', () => {
  for (const [name, plan, message] of [
    ['malformed JSON', { malformedAfterEvents: 3 }, /not valid JSON/],
    ['a binary frame', { binaryAfterEvents: 3 }, /binary frame/],
    ['an oversized frame', { oversizedBytes: 2 * 1024 * 1024 }, /the limit is 1\.0 MiB/],
  ] as const) {
    test(`${name} fails only that turn with a clear message; the other tab and the next turn work`, async ({ page, context, upstream }) => {
      await upstream.script({ onlyFor: 'bad frame', text: 'Never shown in full.', ...plan }, { onlyFor: 'good frame', text: 'Healthy again.' });
      await openNewThread(page);
      const bystander = await startBystander(context);
      await sendExpectingFailure(page, 'bad frame', message);
      await bystander.finishedUnharmed();
      await send(page, 'good frame');
      await expect(lastTurn(page)).toContainText('Healthy again.');
      await expectPersistedOnce(page, 'Healthy again.');
      // The failed turn keeps its message after the reload.
      await expect(page.getByRole('log', { name: 'Transcript' }).getByRole('alert')).toContainText(message);
    });
  }
});

test.describe('tabs', () => {
  test('a tab closed mid-turn does not cancel it: another tab sees it finish', async ({ page, context, upstream }) => {
    await upstream.script({ onlyFor: 'closing tab', text: 'Finished without the tab that asked.', hold: true });
    await openNewThread(page);
    const url = page.url();
    await page.getByRole('textbox', { name: 'Message' }).fill('closing tab');
    await page.getByRole('button', { name: 'Send' }).click();
    const watcher = await context.newPage();
    await watcher.goto(url);
    await expect(transcriptOf(watcher)).toHaveAttribute('aria-busy', 'true');
    await page.close();
    await upstream.release();
    await expect(lastTurn(watcher)).toContainText('Finished without the tab that asked.');
    expect(await countInTranscript(watcher, 'Finished without the tab that asked.')).toBe(1);
    await expectPersistedOnce(watcher, 'Finished without the tab that asked.');
  });

  test('a tab reloaded mid-turn resumes with no gap and no duplicate', async ({ page, upstream }) => {
    const words = Array.from({ length: 40 }, (_, i) => `w${i}`).join(' ');
    await upstream.script({ onlyFor: 'reload me', text: words, chunks: 40, eventDelayMs: 60 });
    await openNewThread(page);
    await page.getByRole('textbox', { name: 'Message' }).fill('reload me');
    await page.getByRole('button', { name: 'Send' }).click();
    await expect(lastTurn(page)).toContainText('w5');
    await page.reload();
    await expect(transcriptOf(page)).toHaveAttribute('aria-busy', 'true');
    await expect(transcriptOf(page)).toHaveAttribute('aria-busy', 'false', { timeout: 15_000 });
    await expect(lastTurn(page)).toContainText(words);
    expect(await countInTranscript(page, 'w39')).toBe(1);
    expect(await countInTranscript(page, words)).toBe(1);
  });

  test('all tabs closed mid-turn, then reopened: the turn shows as interrupted, with its progress and a Retry', async ({ playwright, upstream }) => {
    // A persistent profile, closed for real: the broker dies with the browser, IndexedDB stays.
    const profile = mkdtempSync(join(tmpdir(), 'switchboard-profile-'));
    const launch = () => playwright.chromium.launchPersistentContext(profile, { ...test.info().project.use.launchOptions, baseURL: test.info().project.use.baseURL! });
    await upstream.script(
      { onlyFor: 'abandon me', text: 'Partial progress that was saved before the app closed', chunks: 8, eventDelayMs: 400 },
      { onlyFor: 'abandon me', text: 'Retried and finished.' },
    );
    let context = await launch();
    const page = context.pages()[0] ?? (await context.newPage());
    await openNewThread(page);
    const url = page.url();
    await page.getByRole('textbox', { name: 'Message' }).fill('abandon me');
    await page.getByRole('button', { name: 'Send' }).click();
    // Wait for a later chunk: the first one's progress save (every 250 ms) is then surely done.
    await expect(lastTurn(page)).toContainText('that was');
    await context.close();
    context = await launch();
    const reopened = context.pages()[0] ?? (await context.newPage());
    await reopened.goto(url);
    const turn = lastTurn(reopened);
    await expect(turn.getByRole('alert')).toContainText(/interrupted/i);
    await expect(turn).toContainText('Partial progress');
    await turn.getByRole('button', { name: 'Retry' }).click();
    await expect(lastTurn(reopened)).toContainText('Retried and finished.');
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  });

  test('Stop is the only way to end a turn early: it drops the socket and keeps the partial answer', async ({ page, context, upstream }) => {
    const words = Array.from({ length: 60 }, (_, i) => `s${i}`).join(' ');
    await upstream.script({ onlyFor: 'stop me', text: words, chunks: 60, eventDelayMs: 80 }, { onlyFor: 'after stop', text: 'A fresh answer after the stop.' });
    await openNewThread(page);
    const bystander = await startBystander(context);
    await page.getByRole('textbox', { name: 'Message' }).fill('stop me');
    await page.getByRole('button', { name: 'Send' }).click();
    await expect(lastTurn(page)).toContainText('s5');
    await page.getByRole('button', { name: 'Stop' }).click();
    await expect(transcriptOf(page)).toHaveAttribute('aria-busy', 'false');
    await expect(lastTurn(page)).toContainText(/stopped/i);
    await expect(lastTurn(page)).not.toContainText('s59');
    await bystander.finishedUnharmed();
    // The partial answer survives a reload, once.
    await page.reload();
    await expect(lastTurn(page)).toContainText('s5');
    expect(await countInTranscript(page, 's1 s2 s3')).toBe(1);
    // The stopped response's socket was dropped: the next turn runs on another one.
    await send(page, 'after stop');
    await expect(lastTurn(page)).toContainText('A fresh answer after the stop.');
    const socketOf = async (text: string) => (await upstream.log()).frames.find((f) => JSON.stringify(f.frame.input).includes(text))!.socket;
    expect(await socketOf('after stop')).not.toBe(await socketOf('stop me'));
  });

  test('two tabs sending on one thread: the second is refused visibly and keeps its text', async ({ page, context, upstream }) => {
    await upstream.script({ onlyFor: 'first sender', text: 'Only one turn at a time.', hold: true });
    await openNewThread(page);
    const other = await context.newPage();
    await other.goto(page.url());
    await page.getByRole('textbox', { name: 'Message' }).fill('first sender');
    await page.getByRole('button', { name: 'Send' }).click();
    await expect(transcriptOf(other)).toHaveAttribute('aria-busy', 'true');
    const composer = other.getByRole('textbox', { name: 'Message' });
    await composer.fill('second sender');
    await composer.press('Enter');
    await expect(other.getByRole('alert').filter({ hasText: /already running/i })).toBeVisible();
    await expect(composer).toHaveValue('second sender');
    await upstream.release();
    await expect(lastTurn(other)).toContainText('Only one turn at a time.');
    await expect(transcriptOf(other).getByRole('article')).toHaveCount(1);
  });
});

test.describe('network', () => {
  test('upstream unreachable, then back: a clear error and status, then Retry works', async ({ page, context, upstream }) => {
    await upstream.script({ onlyFor: 'while offline', text: 'Back online and answered.' });
    await openNewThread(page);
    await send(page, 'warm up the socket'); // an open pooled socket that the outage then kills
    await upstream.offline(8_000);
    await sendExpectingFailure(page, 'while offline', /Cannot reach the model server/);
    await expect(page.getByRole('status', { name: 'Connection' })).toContainText(/unreachable/i);
    await upstream.waitUntilUp();
    await lastTurn(page).getByRole('button', { name: 'Retry' }).click();
    await expect(lastTurn(page)).toContainText('Back online and answered.');
    await expect(page.getByRole('status', { name: 'Connection' })).toContainText(/connected/i);
    void context;
  });
});

test.describe('pool', () => {
  test('tabs on their own threads share at most the pool’s 4 sockets; 100 sequential turns reuse them', async ({ context, upstream }) => {
    test.setTimeout(240_000);
    const tabs: Page[] = [];
    for (let i = 0; i < 5; i++) {
      const tab = await context.newPage();
      await openNewThread(tab);
      tabs.push(tab);
    }
    // Five turns at once, each held at the upstream: four run (one socket each), the fifth waits
    // in the broker's queue for a free socket instead of opening a fifth.
    await upstream.script(...tabs.map((_, i) => ({ onlyFor: `parallel ${i}`, text: `parallel answer ${i}`, hold: true })));
    for (const [i, tab] of tabs.entries()) {
      await tab.getByRole('textbox', { name: 'Message' }).fill(`parallel ${i}`);
      await tab.getByRole('button', { name: 'Send' }).click();
    }
    const running = async () => (await upstream.requests()).filter((r) => JSON.stringify(r.input).includes('parallel ')).length;
    await expect.poll(running).toBe(4);
    await expect(await showInspector(tabs[0]!)).toContainText(/queued\s*1/i);
    await upstream.release();
    await expect.poll(running).toBe(5);
    await upstream.release();
    for (const [i, tab] of tabs.entries()) await expect(lastTurn(tab)).toContainText(`parallel answer ${i}`);
    const afterParallel = await upstream.log();
    expect(afterParallel.handshakes).toBe(4);
    // Then 100 turns one after another, round-robin over four of the tabs: no new handshake.
    for (let turn = 0; turn < 100; turn++) await send(tabs[turn % 4]!, `sequential ${turn}`);
    const log = await upstream.log();
    console.log(`pool: ${afterParallel.handshakes} handshakes for 5 overlapping turns; ${log.handshakes} after 100 more sequential turns`);
    expect(log.handshakes).toBe(4);
    expect(new Set(log.frames.map((f) => f.socket)).size).toBe(4);
    // Every thread kept its own cell: no value was ever sent on two threads' requests.
    const threadsPerValue = new Map<string, Set<string>>();
    for (const { frame } of log.frames) {
      const value = turnState(frame);
      if (value) threadsPerValue.set(value, (threadsPerValue.get(value) ?? new Set()).add((frame.client_metadata as Record<string, string>).thread_id!));
    }
    for (const threads of threadsPerValue.values()) expect(threads.size).toBe(1);
  });
});

export type { Upstream };
