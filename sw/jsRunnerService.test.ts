import { describe, expect, it } from 'vitest';
import type { SandboxMessage, SandboxRequest } from '../src/app/jsRunnerHost.ts';
import { serveSandboxRuns } from './jsRunnerService.ts';

const limits = { timeoutMs: 5_000, outputMaxChars: 2_000, memoryBytes: 16 * 1024 * 1024 };

/** The worker's global scope: the test posts requests in and collects what the worker posts out. */
function fakeScope() {
  const listeners: ((event: MessageEvent) => void)[] = [];
  const posted: SandboxMessage[] = [];
  let onPost = () => {};
  return {
    scope: {
      postMessage: (message: SandboxMessage) => {
        posted.push(message);
        onPost();
      },
      addEventListener: (_type: 'message', listener: (event: MessageEvent) => void) => void listeners.push(listener),
    },
    posted,
    request: (request: SandboxRequest | { type: 'other' }) => listeners.forEach((l) => l({ data: request } as MessageEvent)),
    /** Resolves once the worker posted `done` for `id`. */
    doneWith: (id: number) =>
      new Promise<SandboxMessage>((resolve) => {
        onPost = () => {
          const done = posted.find((m) => m.type === 'done' && m.id === id);
          if (done) resolve(done);
        };
      }),
  };
}

describe('serveSandboxRuns (real QuickJS)', () => {
  it('says started once the sandbox is loaded, then done with the result', async () => {
    const { scope, posted, request, doneWith } = fakeScope();
    serveSandboxRuns(scope);
    const done = doneWith(3);
    request({ type: 'run', id: 3, code: 'console.log("hi"); 6 * 7', limits });
    expect(await done).toEqual({ type: 'done', id: 3, result: { console: 'hi', result: '42', truncated: false } });
    expect(posted.map((m) => m.type)).toEqual(['started', 'done']);
  });

  it('shows the code nothing of the worker’s globals', async () => {
    const { scope, request, doneWith } = fakeScope();
    serveSandboxRuns(scope);
    const done = doneWith(1);
    request({ type: 'run', id: 1, code: '[typeof self, typeof postMessage, typeof fetch, typeof importScripts, typeof globalThis.onmessage].join(" ")', limits });
    expect(await done).toMatchObject({ result: { result: 'undefined undefined undefined undefined undefined' } });
  });

  it('stops an endless loop at the time limit itself', async () => {
    const { scope, request, doneWith } = fakeScope();
    serveSandboxRuns(scope);
    const done = doneWith(1);
    request({ type: 'run', id: 1, code: 'for(;;){}', limits: { ...limits, timeoutMs: 200 } });
    expect(await done).toMatchObject({ result: { error: 'timed out: the code ran longer than 200 ms and was stopped' } });
  });

  it('a sandbox that cannot load is a done with the error, and no started', async () => {
    const { scope, posted, request, doneWith } = fakeScope();
    serveSandboxRuns(scope, () => Promise.reject(new Error('no WebAssembly here')));
    const done = doneWith(1);
    request({ type: 'run', id: 1, code: '1', limits });
    expect(await done).toMatchObject({ result: { error: 'the JavaScript sandbox could not be started: no WebAssembly here' } });
    expect(posted.map((m) => m.type)).toEqual(['done']);
  });

  it('ignores other messages', async () => {
    const { scope, posted, request } = fakeScope();
    let loads = 0;
    serveSandboxRuns(scope, () => {
      loads += 1;
      return Promise.reject(new Error('must not load'));
    });
    request({ type: 'other' });
    await new Promise((resolve) => setTimeout(resolve, 0)); // a run would have loaded and answered by now
    expect(loads).toBe(0);
    expect(posted).toEqual([]);
  });
});
