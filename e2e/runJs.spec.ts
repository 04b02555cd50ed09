// run_js off the broker's thread (src/core/remoteJsRunner.ts): the broker asks a tab, which runs
// the code in a dedicated worker of its own (src/app/jsRunnerHost.ts). The evidence: another
// tab's stream keeps arriving while an endless loop runs, the worker is in the tab the broker
// asked (the newest), and a tab closing mid-run costs a re-run in another tab, not the result.
import type { Page } from '@playwright/test';
import { expect, lastTurn, openNewThread, setPolicy, startTurn, test, toolOutputs } from './fixtures.ts';

/** The tab's run_js workers (sw/jsRunner.worker.ts); the broker itself is a SharedWorker, not listed. */
const runJsWorkers = (page: Page) => page.workers().filter((worker) => /jsRunner\.worker/.test(worker.url()));

/** How often the streaming tab samples its transcript during the run. */
const SAMPLE_MS = 100;
/** The stream sends a delta every 80 ms; a slow machine may hold a few back, never for seconds. */
const MAX_STALL_MS = 2_000;

/** A tool's output in the transcript (collapsed; its badge shows). */
const toolOutputShown = (page: Page) => lastTurn(page).getByText('output', { exact: true });

test('an endless loop stops at the time limit while another tab’s stream keeps arriving', async ({ page, context, upstream }) => {
  test.setTimeout(60_000);
  const streamed = Array.from({ length: 150 }, (_, i) => `word${i}`).join(' ');
  await upstream.script(
    { onlyFor: 'stream slowly', text: streamed, chunks: 150, eventDelayMs: 80 },
    { onlyFor: 'loop forever', toolCalls: [{ name: 'run_js', arguments: { code: 'for(;;){}' } }] },
    { onlyFor: 'loop forever', text: 'Loop stopped.' },
  );
  await openNewThread(page);
  await setPolicy(page, 'auto');
  // The newer tab: the broker sends run_js code to it.
  const other = await context.newPage();
  await openNewThread(other);
  await startTurn(other, 'stream slowly');
  await expect(lastTurn(other)).toContainText('word3');

  // The other tab notes how much of its transcript has arrived, every SAMPLE_MS, on its own clock.
  await other.getByRole('log', { name: 'Transcript' }).evaluate((log, every) => {
    const samples: [number, number][] = [];
    (window as unknown as { transcriptSamples: typeof samples }).transcriptSamples = samples;
    setInterval(() => samples.push([Date.now(), log.textContent?.length ?? 0]), every);
  }, SAMPLE_MS);

  await startTurn(page, 'loop forever');
  await expect(lastTurn(page)).toContainText('for(;;){}'); // the call is made: the code runs now
  const runStarted = Date.now();
  await expect(toolOutputShown(page)).toBeVisible({ timeout: 15_000 });
  const runEnded = Date.now();
  expect(runEnded - runStarted).toBeGreaterThan(4_500); // the run lasted its limit

  // All along, the other thread's text kept growing: never a stall like the 5 s the broker's
  // thread used to be blocked for.
  const samples = (await other.evaluate(() => (window as unknown as { transcriptSamples: [number, number][] }).transcriptSamples)).filter(
    ([at]) => at >= runStarted && at <= runEnded,
  );
  const growthTimes = samples.filter(([, length], i) => i > 0 && length > samples[i - 1]![1]).map(([at]) => at);
  const stalls = [runStarted, ...growthTimes, runEnded].map((at, i, all) => (i === 0 ? 0 : at - all[i - 1]!));
  const detail = `growth at ${growthTimes.map((at) => at - runStarted).join(' ')} ms into a ${runEnded - runStarted} ms run`;
  expect(growthTimes.length, detail).toBeGreaterThanOrEqual(10);
  expect(Math.max(...stalls), detail).toBeLessThan(MAX_STALL_MS);

  await expect(lastTurn(page)).toContainText('Loop stopped.');
  const output = toolOutputs((await upstream.requests()).find((r) => toolOutputs(r).length > 0)!)[0]!;
  expect(output).toContain('Error: timed out: the code ran longer than 5000 ms and was stopped');
  // The code ran in the newer tab's worker, and no worker was started in the other tab.
  expect(runJsWorkers(other)).toHaveLength(1);
  expect(runJsWorkers(page)).toHaveLength(0);
  await expect(lastTurn(other)).toContainText('word149');
});

test('the tab running the code closes mid-run: the code runs again in the other tab and its result arrives', async ({ page, context, upstream }) => {
  const code = "const end = Date.now() + 3000; while (Date.now() < end) {} 'survived'";
  await upstream.script(
    { onlyFor: 'run it elsewhere', toolCalls: [{ name: 'run_js', arguments: { code } }] },
    { onlyFor: 'run it elsewhere', text: 'Done after all.' },
  );
  await openNewThread(page);
  await setPolicy(page, 'auto');
  const runner = await context.newPage();
  await openNewThread(runner);

  await startTurn(page, 'run it elsewhere');
  await expect(lastTurn(page)).toContainText('survived');
  await expect.poll(() => runJsWorkers(runner).length).toBe(1);
  await page.waitForTimeout(500); // mid-run: the code takes 3 s
  const closedAt = Date.now();
  await runner.close();

  await expect(lastTurn(page)).toContainText('Done after all.', { timeout: 20_000 });
  const afterClose = Date.now() - closedAt;
  const output = toolOutputs((await upstream.requests())[1]!)[0]!;
  expect(output).toContain('Result: survived');
  // Run again at once (the closing tab said bye), not after the deadline for a silent tab, and
  // in this tab's worker, not on the broker's thread.
  expect(afterClose).toBeLessThan(8_000);
  expect(runJsWorkers(page)).toHaveLength(1);
});
