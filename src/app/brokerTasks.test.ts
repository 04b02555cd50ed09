import { describe, expect, it } from 'vitest';
import type { TaskReply } from '../core/brokerMessages.ts';
import type { JsRunner } from '../core/tools/toolContract.ts';
import { serveBrokerTasks } from './brokerTasks.ts';
import { endpointPair, flushMicrotasks } from './testing/fakes.ts';

const limits = { timeoutMs: 5_000, outputMaxChars: 16_000, memoryBytes: 64 * 1024 * 1024 };

function setup(runJs: JsRunner) {
  const [tab, broker] = endpointPair();
  const replies: unknown[] = [];
  broker.addEventListener('message', (event) => replies.push(event.data));
  const server = serveBrokerTasks(tab, { runJs });
  return { broker, replies, server };
}

describe('serveBrokerTasks', () => {
  it('answers a runJs task with the runner’s result, under the task’s id', async () => {
    const seen: unknown[] = [];
    const { broker, replies } = setup({
      async run(code, l) {
        seen.push([code, l]);
        return { console: '', result: '42', truncated: false };
      },
    });
    broker.postMessage({ kind: 'task', id: 7, task: 'runJs', code: '6 * 7', limits });
    await flushMicrotasks();
    expect(seen).toEqual([['6 * 7', limits]]);
    expect(replies).toEqual([{ kind: 'taskResult', id: 7, ok: true, result: { console: '', result: '42', truncated: false } } satisfies TaskReply]);
  });

  it('a runner that throws, and an unknown task, are ok:false answers', async () => {
    const { broker, replies } = setup({
      run: () => Promise.reject(new Error('no Worker here')),
    });
    broker.postMessage({ kind: 'task', id: 1, task: 'runJs', code: '1', limits });
    broker.postMessage({ kind: 'task', id: 2, task: 'paint' });
    await flushMicrotasks();
    // Tasks are independent: each is answered when it is done, in any order.
    expect(replies).toHaveLength(2);
    expect(replies).toEqual(
      expect.arrayContaining([
        { kind: 'taskResult', id: 1, ok: false, error: 'no Worker here' },
        { kind: 'taskResult', id: 2, ok: false, error: 'this tab does not know the task "paint"' },
      ]),
    );
  });

  it('ignores RPC replies and events, and answers nothing once closed', async () => {
    let finish!: () => void;
    const { broker, replies, server } = setup({
      run: () => new Promise((resolve) => (finish = () => resolve({ console: '', result: 'late', truncated: false }))),
    });
    broker.postMessage({ kind: 'reply', id: 1, ok: true, result: {} });
    broker.postMessage({ type: 'batch', events: [] });
    broker.postMessage({ kind: 'task', id: 3, task: 'runJs', code: 'slow()', limits });
    await flushMicrotasks();
    server.close();
    finish();
    await flushMicrotasks();
    expect(replies).toEqual([]);
  });
});
