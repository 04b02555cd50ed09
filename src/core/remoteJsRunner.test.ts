import { describe, expect, it } from 'vitest';
import type { TaskCall, TaskReply } from './brokerMessages.ts';
import { createRemoteJsRunner, MAX_TABS_PER_RUN, type TaskPort } from './remoteJsRunner.ts';
import { brokerRunDeadlineMs } from './runJsDeadlines.ts';
import { createManualClock, flushMicrotasks } from './testing/fakes.ts';
import type { JsRunner, JsRunResult } from './tools/toolContract.ts';

const limits = { timeoutMs: 5_000, outputMaxChars: 16_000, memoryBytes: 64 * 1024 * 1024 };
const DEADLINE = brokerRunDeadlineMs(limits.timeoutMs);

/** A tab's port that records the tasks it was sent. */
function fakeTab(tabId: string) {
  const sent: TaskCall[] = [];
  const port: TaskPort & { failNext?: boolean } = {
    postMessage(message) {
      if (port.failNext) throw new Error('port closed');
      sent.push(structuredClone(message));
    },
  };
  return { tabId, port, sent };
}

function setup() {
  const clock = createManualClock();
  const localRuns: string[] = [];
  const local: JsRunner = {
    async run(code) {
      localRuns.push(code);
      return { console: '', result: `local: ${code}`, truncated: false };
    },
  };
  const logs: string[] = [];
  const runner = createRemoteJsRunner({ local, clock, log: (m) => logs.push(m) });
  const answer = (tab: ReturnType<typeof fakeTab>, result: JsRunResult, task = tab.sent.at(-1)!) =>
    runner.taskReply(tab.tabId, tab.port, { kind: 'taskResult', id: task.id, ok: true, result });
  return { clock, runner, local, localRuns, logs, answer };
}

const ok = (result: string): JsRunResult => ({ console: '', result, truncated: false });

/** Collects the outcome of a run without awaiting it, so the test can act meanwhile. */
function start(runner: JsRunner, code: string) {
  const outcome: { result?: JsRunResult } = {};
  void runner.run(code, limits).then((result) => (outcome.result = result));
  return outcome;
}

describe('createRemoteJsRunner', () => {
  it('sends the code to the tab that said hello last, and answers with its result', async () => {
    const { runner, answer, localRuns } = setup();
    const older = fakeTab('older');
    const newer = fakeTab('newer');
    runner.tabHello(older.tabId, older.port);
    runner.tabHello(newer.tabId, newer.port);
    const run = start(runner, '6 * 7');
    await flushMicrotasks();
    expect(older.sent).toEqual([]);
    expect(newer.sent).toEqual([{ kind: 'task', id: 1, task: 'runJs', code: '6 * 7', limits }]);
    answer(newer, { console: 'hi', result: '42', truncated: false });
    await flushMicrotasks();
    expect(run.result).toEqual({ console: 'hi', result: '42', truncated: false });
    expect(localRuns).toEqual([]);
  });

  it('a tab saying hello again becomes the preferred one', async () => {
    const { runner } = setup();
    const a = fakeTab('a');
    const b = fakeTab('b');
    runner.tabHello('a', a.port);
    runner.tabHello('b', b.port);
    expect(runner.tabs()).toEqual(['b', 'a']);
    runner.tabHello('a', a.port);
    expect(runner.tabs()).toEqual(['a', 'b']);
  });

  it('spreads runs in flight at once over tabs, the newest first', async () => {
    const { runner, answer } = setup();
    const a = fakeTab('a');
    const b = fakeTab('b');
    runner.tabHello('a', a.port);
    runner.tabHello('b', b.port);
    const first = start(runner, 'first');
    const second = start(runner, 'second');
    await flushMicrotasks();
    expect(b.sent.map((t) => t.code)).toEqual(['first']);
    expect(a.sent.map((t) => t.code)).toEqual(['second']);
    answer(a, ok('2'));
    answer(b, ok('1'));
    await flushMicrotasks();
    expect([first.result?.result, second.result?.result]).toEqual(['1', '2']);
  });

  it('runs the code in the broker itself when no tab said hello', async () => {
    const { runner, localRuns, logs } = setup();
    expect(await runner.run('1 + 2', limits)).toEqual({ console: '', result: 'local: 1 + 2', truncated: false });
    expect(localRuns).toEqual(['1 + 2']);
    expect(logs).toEqual(['no tab can run run_js: running it in the broker']);
  });

  it('a tab that says bye mid-run: the run goes to another tab at once', async () => {
    const { runner, answer, clock } = setup();
    const a = fakeTab('a');
    const b = fakeTab('b');
    runner.tabHello('a', a.port);
    runner.tabHello('b', b.port);
    const run = start(runner, 'work()');
    await flushMicrotasks();
    expect(b.sent).toHaveLength(1);
    runner.tabBye('b');
    await flushMicrotasks();
    expect(a.sent.map((t) => t.code)).toEqual(['work()']);
    expect(run.result).toBeUndefined();
    answer(a, ok('done'));
    await flushMicrotasks();
    expect(run.result?.result).toBe('done');
    expect(runner.tabs()).toEqual(['a']);
    expect(clock.pending()).toBe(0);
  });

  it('the only tab says bye mid-run: the run goes on in the broker', async () => {
    const { runner, localRuns, logs } = setup();
    const a = fakeTab('a');
    runner.tabHello('a', a.port);
    const run = start(runner, 'work()');
    await flushMicrotasks();
    runner.tabBye('a');
    await flushMicrotasks();
    expect(localRuns).toEqual(['work()']);
    expect(run.result?.result).toBe('local: work()');
    expect(logs).toEqual(['tab a closed while it ran run_js', 'no other tab can run run_js: running it in the broker']);
  });

  it('a tab that stops answering is given up at the deadline and asked no more', async () => {
    const { runner, clock, answer } = setup();
    const a = fakeTab('a');
    const b = fakeTab('b');
    runner.tabHello('a', a.port);
    runner.tabHello('b', b.port);
    const run = start(runner, 'work()');
    await clock.advance(DEADLINE - 1);
    expect(a.sent).toEqual([]);
    await clock.advance(1);
    expect(a.sent.map((t) => t.code)).toEqual(['work()']);
    expect(runner.tabs()).toEqual(['a']);
    answer(a, ok('done'));
    await flushMicrotasks();
    expect(run.result?.result).toBe('done');
  });

  it('when the second tab goes away too, the result says so and the code is not run again', async () => {
    const { runner, clock, localRuns } = setup();
    const a = fakeTab('a');
    const b = fakeTab('b');
    const c = fakeTab('c');
    runner.tabHello('c', c.port);
    runner.tabHello('a', a.port);
    runner.tabHello('b', b.port);
    const run = start(runner, 'crash()');
    await flushMicrotasks();
    runner.tabBye('b');
    await clock.advance(DEADLINE);
    expect(run.result).toEqual({
      console: '',
      error: 'the code did not finish: the browser tab running it closed mid-run, and the tab it was then run again in stopped answering too; it was not run a third time',
      truncated: false,
    });
    expect(a.sent).toHaveLength(1);
    expect(c.sent).toEqual([]);
    expect(localRuns).toEqual([]);
    expect(MAX_TABS_PER_RUN).toBe(2);
  });

  it('a port that cannot be posted to counts as a tab gone', async () => {
    const { runner, localRuns } = setup();
    const a = fakeTab('a');
    a.port.failNext = true;
    runner.tabHello('a', a.port);
    expect((await runner.run('x', limits)).result).toBe('local: x');
    expect(localRuns).toEqual(['x']);
    expect(runner.tabs()).toEqual([]);
  });

  it('a tab given up for silence that answers after all runs code again, after the others', async () => {
    const { runner, clock, answer } = setup();
    const slow = fakeTab('slow');
    const other = fakeTab('other');
    runner.tabHello('other', other.port);
    runner.tabHello('slow', slow.port);
    const run = start(runner, 'work()');
    await clock.advance(DEADLINE);
    expect(runner.tabs()).toEqual(['other']);
    answer(slow, ok('late'), slow.sent[0]);
    answer(other, ok('on time'));
    await flushMicrotasks();
    expect(run.result?.result).toBe('on time');
    expect(runner.tabs()).toEqual(['other', 'slow']);
  });

  it('a tab given up for silence that said bye since, or a stranger, does not become a runner by answering', async () => {
    const { runner, clock } = setup();
    const slow = fakeTab('slow');
    runner.tabHello('slow', slow.port);
    const run = start(runner, 'work()');
    await flushMicrotasks();
    await clock.advance(DEADLINE);
    expect(run.result?.result).toBe('local: work()');
    runner.tabBye('slow');
    runner.taskReply('slow', slow.port, { kind: 'taskResult', id: slow.sent[0]!.id, ok: true, result: ok('late') });
    runner.taskReply('stranger', slow.port, { kind: 'taskResult', id: 42, ok: true, result: ok('?') });
    expect(runner.tabs()).toEqual([]);
  });

  it('ignores replies from another tab than the one asked, unknown ids and tabs that said bye', async () => {
    const { runner, answer } = setup();
    const a = fakeTab('a');
    const b = fakeTab('b');
    runner.tabHello('a', a.port);
    runner.tabHello('b', b.port);
    const run = start(runner, 'work()');
    await flushMicrotasks();
    answer(a, ok('wrong tab'), b.sent[0]);
    runner.taskReply('b', b.port, { kind: 'taskResult', id: 99, ok: true, result: ok('unknown') });
    await flushMicrotasks();
    expect(run.result).toBeUndefined();
    runner.tabBye('a');
    answer(a, ok('after bye'), b.sent[0]);
    expect(runner.tabs()).toEqual(['b']);
    answer(b, ok('right'));
    await flushMicrotasks();
    expect(run.result?.result).toBe('right');
  });

  it('a tab that could not run the task, or sent a malformed result, is an error result', async () => {
    const { runner } = setup();
    const a = fakeTab('a');
    runner.tabHello('a', a.port);
    const failed = start(runner, 'x');
    await flushMicrotasks();
    runner.taskReply('a', a.port, { kind: 'taskResult', id: a.sent[0]!.id, ok: false, error: 'no Worker here' });
    const malformed = start(runner, 'y');
    await flushMicrotasks();
    runner.taskReply('a', a.port, { kind: 'taskResult', id: a.sent[1]!.id, ok: true, result: { console: 3 } } as unknown as TaskReply);
    await flushMicrotasks();
    expect(failed.result).toEqual({ console: '', error: 'the JavaScript sandbox failed: no Worker here', truncated: false });
    expect(malformed.result).toEqual({ console: '', error: 'the JavaScript sandbox failed: the tab sent back a malformed result', truncated: false });
  });

  it('keeps a result’s optional fields as they came', async () => {
    const { runner, answer } = setup();
    const a = fakeTab('a');
    runner.tabHello('a', a.port);
    const run = start(runner, 'throw 1');
    await flushMicrotasks();
    answer(a, { console: 'x'.repeat(10), error: 'Uncaught 1', truncated: true });
    await flushMicrotasks();
    expect(run.result).toEqual({ console: 'x'.repeat(10), error: 'Uncaught 1', truncated: true });
  });
});
