import { describe, expect, it } from 'vitest';
import { HARD_STOP_GRACE_MS, SANDBOX_START_TIMEOUT_MS } from '../core/runJsDeadlines.ts';
import { createManualClock, flushMicrotasks } from '../core/testing/fakes.ts';
import type { JsRunResult } from '../core/tools/toolContract.ts';
import { createJsRunnerHost, hardStopError, MAX_IDLE_WORKERS, SANDBOX_START_FAILED, type SandboxMessage, type SandboxRequest, type SandboxWorkerLike } from './jsRunnerHost.ts';

const limits = { timeoutMs: 5_000, outputMaxChars: 16_000, memoryBytes: 64 * 1024 * 1024 };

/** A Worker stand-in: records what it is asked and lets the test answer as the worker would. */
function fakeWorker(index: number) {
  const messageListeners: ((event: Event) => void)[] = [];
  const errorListeners: ((event: Event) => void)[] = [];
  const requests: SandboxRequest[] = [];
  const state = { terminated: false };
  const worker: SandboxWorkerLike = {
    postMessage: (message) => void requests.push(message),
    addEventListener: ((type: 'message' | 'error', listener: (event: Event) => void) => {
      (type === 'message' ? messageListeners : errorListeners).push(listener);
    }) as SandboxWorkerLike['addEventListener'],
    terminate: () => void (state.terminated = true),
  };
  return {
    index,
    worker,
    requests,
    state,
    send: (message: SandboxMessage) => messageListeners.forEach((l) => l({ data: message } as MessageEvent)),
    fail: (message: string) => errorListeners.forEach((l) => l({ message } as unknown as Event)),
  };
}

function setup() {
  const clock = createManualClock();
  const workers: ReturnType<typeof fakeWorker>[] = [];
  const host = createJsRunnerHost({
    clock,
    startWorker: () => {
      const w = fakeWorker(workers.length);
      workers.push(w);
      return w.worker;
    },
  });
  return { clock, workers, host };
}

function start(host: ReturnType<typeof setup>['host'], code: string) {
  const outcome: { result?: JsRunResult } = {};
  void host.run(code, limits).then((r) => (outcome.result = r));
  return outcome;
}

const done = (id: number, result: string): SandboxMessage => ({ type: 'done', id, result: { console: '', result, truncated: false } });

describe('createJsRunnerHost', () => {
  it('starts no worker before the first run, then runs the code in one and keeps it for the next', async () => {
    const { host, workers, clock } = setup();
    expect(workers).toHaveLength(0);
    const first = start(host, '1 + 1');
    expect(workers).toHaveLength(1);
    expect(workers[0]!.requests).toEqual([{ type: 'run', id: 1, code: '1 + 1', limits }]);
    workers[0]!.send({ type: 'started', id: 1 });
    workers[0]!.send(done(1, '2'));
    await flushMicrotasks();
    expect(first.result).toEqual({ console: '', result: '2', truncated: false });
    expect(clock.pending()).toBe(0);

    const second = start(host, '2 + 2');
    expect(workers).toHaveLength(1);
    workers[0]!.send(done(2, '4'));
    await flushMicrotasks();
    expect(second.result?.result).toBe('4');
    expect(workers[0]!.state.terminated).toBe(false);
  });

  it('gives runs at the same time a worker each, and keeps only MAX_IDLE_WORKERS afterwards', async () => {
    const { host, workers } = setup();
    start(host, 'a');
    start(host, 'b');
    expect(workers).toHaveLength(2);
    workers[1]!.send(done(2, 'b'));
    workers[0]!.send(done(1, 'a'));
    expect(MAX_IDLE_WORKERS).toBe(1);
    expect(workers.map((w) => w.state.terminated)).toEqual([true, false]);
  });

  it('the time limit counts from the sandbox’s start: loading is not charged to the code', async () => {
    const { host, workers, clock } = setup();
    const run = start(host, 'work()');
    await clock.advance(SANDBOX_START_TIMEOUT_MS - 1);
    workers[0]!.send({ type: 'started', id: 1 });
    await clock.advance(limits.timeoutMs + HARD_STOP_GRACE_MS - 1);
    expect(run.result).toBeUndefined();
    workers[0]!.send(done(1, 'in time'));
    await flushMicrotasks();
    expect(run.result?.result).toBe('in time');
  });

  it('terminates a worker still silent a grace after the time limit, reports the timeout, and starts a fresh one next', async () => {
    const { host, workers, clock } = setup();
    const run = start(host, 'stuckInNativeCode()');
    workers[0]!.send({ type: 'started', id: 1 });
    await clock.advance(limits.timeoutMs + HARD_STOP_GRACE_MS);
    expect(workers[0]!.state.terminated).toBe(true);
    expect(run.result).toEqual({ console: '', error: hardStopError(limits.timeoutMs), truncated: false });
    expect(run.result?.error).toMatch(/^timed out: the code ran longer than 5000 ms and was stopped/);

    workers[0]!.send(done(1, 'too late')); // a message already in flight is ignored
    start(host, '3');
    expect(workers).toHaveLength(2);
    expect(workers[1]!.requests[0]).toMatchObject({ type: 'run', code: '3' });
  });

  it('a sandbox that does not load in time is stopped with a clear error', async () => {
    const { host, workers, clock } = setup();
    const run = start(host, '1');
    await clock.advance(SANDBOX_START_TIMEOUT_MS);
    expect(run.result).toEqual({ console: '', error: SANDBOX_START_FAILED, truncated: false });
    expect(workers[0]!.state.terminated).toBe(true);
  });

  it('a worker that fails (its script did not load) ends its run with the error and is not reused', async () => {
    const { host, workers } = setup();
    const run = start(host, '1');
    workers[0]!.fail('Failed to fetch a dynamically imported module');
    await flushMicrotasks();
    expect(run.result).toEqual({ console: '', error: 'the JavaScript sandbox failed: Failed to fetch a dynamically imported module', truncated: false });
    expect(workers[0]!.state.terminated).toBe(true);
    start(host, '2');
    expect(workers).toHaveLength(2);
  });

  it('an idle worker that fails is dropped', async () => {
    const { host, workers } = setup();
    start(host, '1');
    workers[0]!.send(done(1, '1'));
    workers[0]!.fail('boom');
    start(host, '2');
    expect(workers).toHaveLength(2);
  });

  it('a Worker that cannot be created is an error result, not a rejection', async () => {
    const clock = createManualClock();
    const host = createJsRunnerHost({
      clock,
      startWorker: () => {
        throw new Error('Worker is not defined');
      },
    });
    expect(await host.run('1', limits)).toEqual({ console: '', error: 'the JavaScript sandbox could not be started: Worker is not defined', truncated: false });
  });

  it('ignores messages for another run', async () => {
    const { host, workers } = setup();
    const run = start(host, '1');
    workers[0]!.send(done(7, 'stale'));
    await flushMicrotasks();
    expect(run.result).toBeUndefined();
    workers[0]!.send(done(1, 'fresh'));
    await flushMicrotasks();
    expect(run.result?.result).toBe('fresh');
  });
});
