import { describe, expect, it, vi } from 'vitest';
import type { BrokerLinkState } from '../core/liveTurns.ts';
import { BROKER_STOPPED, createBrokerLink, MAX_QUICK_DEATHS, QUICK_DEATH_MS, type BrokerConnectionLike } from './brokerLink.ts';
import { endpointPair, fakeBroker, fakeLocks, flushMicrotasks, NO_REPLY } from './testing/fakes.ts';

const LOCK = 'switchboard-broker-alive:test';

/** Brokers started by the link: each holds the lock until it is killed. */
function brokerFarm(locks: ReturnType<typeof fakeLocks>) {
  const brokers: { id: string; calls: ReturnType<typeof fakeBroker>; send(message: unknown): void; kill(): void; fail(message: string): void }[] = [];
  const connect = (): BrokerConnectionLike => {
    const [tab, side] = endpointPair();
    const id = `broker-${brokers.length + 1}`;
    const release = locks.hold(LOCK);
    const errorListeners: ((m: string) => void)[] = [];
    const calls = fakeBroker(side, (call) => (call.method === 'hello' ? { brokerId: id, appVersion: 'test' } : call.method === 'startTurn' ? NO_REPLY : {}));
    brokers.push({ id, calls, send: (m) => side.postMessage(m), kill: release, fail: (m) => errorListeners.forEach((l) => l(m)) });
    return { endpoint: tab, onError: (l) => void errorListeners.push(l) };
  };
  return { brokers, connect };
}

function setup(options: { now?: () => number } = {}) {
  const locks = fakeLocks();
  const farm = brokerFarm(locks);
  const states: BrokerLinkState['state'][] = [];
  const ready: { brokerId: string; restarted: boolean }[] = [];
  const died = vi.fn();
  const link = createBrokerLink({
    tabId: 'tab1',
    connect: farm.connect,
    locks: locks.manager,
    lockName: LOCK,
    ...(options.now && { now: options.now }),
    onState: (s) => states.push(s.state),
    onBrokerDied: died,
    onReady: (info) => ready.push(info),
  });
  return { locks, farm, states, ready, died, link };
}

describe('createBrokerLink', () => {
  it('says hello, then waits on the broker’s lock', async () => {
    const { farm, states, ready, locks } = setup();
    await flushMicrotasks();
    expect(farm.brokers[0]!.calls.map((c) => c.method)).toEqual(['hello']);
    expect(states).toEqual(['ready']);
    expect(ready).toEqual([{ brokerId: 'broker-1', restarted: false }]);
    expect(locks.isHeld(LOCK)).toBe(true);
    expect(locks.waiting(LOCK)).toBe(1);
  });

  it('when the broker dies: fails pending calls clearly, releases the lock, connects a new broker and says hello again', async () => {
    let t = 0;
    const { farm, states, ready, died, link, locks } = setup({ now: () => t });
    await flushMicrotasks();
    const pending = link.call('startTurn', { tabId: 'tab1', threadId: 'th', turnId: 'tu', text: 'hi' });
    await flushMicrotasks();
    t += 10 * QUICK_DEATH_MS;
    farm.brokers[0]!.kill();
    await expect(pending).rejects.toThrow(BROKER_STOPPED);
    await flushMicrotasks();
    expect(died).toHaveBeenCalledTimes(1);
    expect(states).toEqual(['ready', 'restarting', 'ready']);
    expect(farm.brokers).toHaveLength(2);
    expect(farm.brokers[1]!.calls.map((c) => c.method)).toEqual(['hello']);
    expect(ready).toEqual([
      { brokerId: 'broker-1', restarted: false },
      { brokerId: 'broker-2', restarted: true },
    ]);
    // New calls go to the new broker, and the link watches the new broker's lock.
    await link.call('nudge', {});
    expect(farm.brokers[1]!.calls.map((c) => c.method)).toEqual(['hello', 'nudge']);
    expect(locks.waiting(LOCK)).toBe(1);
    t += 10 * QUICK_DEATH_MS;
    farm.brokers[1]!.kill();
    await flushMicrotasks();
    expect(farm.brokers).toHaveLength(3);
    expect(ready.at(-1)).toEqual({ brokerId: 'broker-3', restarted: true });
  });

  it('stops restarting a broker that keeps dying right after hello', async () => {
    const { farm, states, locks } = setup({ now: () => 0 });
    await flushMicrotasks();
    for (let i = 0; i < MAX_QUICK_DEATHS; i++) {
      farm.brokers.at(-1)!.kill();
      await flushMicrotasks();
    }
    expect(farm.brokers).toHaveLength(MAX_QUICK_DEATHS);
    expect(states.at(-1)).toBe('down');
    expect(locks.waiting(LOCK)).toBe(0);
  });

  it('reports a worker that failed to start', async () => {
    const { farm, states } = setup();
    farm.brokers[0]!.fail('SyntaxError');
    expect(states).toEqual(['down']);
  });

  it('close stops watching and fails pending calls', async () => {
    const { link, locks } = setup();
    await flushMicrotasks();
    const pending = link.call('startTurn', { tabId: 'tab1', threadId: 'th', turnId: 'tu', text: 'hi' });
    link.close('bye');
    await expect(pending).rejects.toThrow('bye');
    await flushMicrotasks();
    expect(locks.waiting(LOCK)).toBe(0);
  });

  it('without a lock manager it still connects (a death then goes unnoticed)', async () => {
    const locks = fakeLocks();
    const farm = brokerFarm(locks);
    const ready = vi.fn();
    createBrokerLink({ tabId: 't', connect: farm.connect, locks: undefined, lockName: LOCK, onState: () => undefined, onBrokerDied: () => undefined, onReady: ready });
    await flushMicrotasks();
    expect(ready).toHaveBeenCalledWith({ brokerId: 'broker-1', restarted: false });
  });
});

describe('createBrokerLink: event batches on the port', () => {
  const batch = (delta: string) => ({ type: 'batch', events: [{ kind: 'text.delta', threadId: 'th', turnId: 'tu', request: 1, itemId: 'i', delta, seq: 1 }] });

  it('passes on the current broker’s batches, not replies or a dead broker’s late messages', async () => {
    let t = 0;
    const { farm, link } = setup({ now: () => t });
    const heard: string[] = [];
    link.onBatch((b) => heard.push(b.events.map((e) => (e.kind === 'text.delta' ? e.delta : e.kind)).join()));
    await flushMicrotasks();
    const first = farm.brokers[0]!;
    first.send(batch('one'));
    first.send({ kind: 'reply', id: 99, ok: true, result: {} });
    first.send({ type: 'batch' }); // no events: not a batch
    await flushMicrotasks();
    expect(heard).toEqual(['one']);

    t += 10 * QUICK_DEATH_MS;
    first.kill();
    await flushMicrotasks();
    first.send(batch('late'));
    farm.brokers[1]!.send(batch('two'));
    await flushMicrotasks();
    expect(heard).toEqual(['one', 'two']);
  });
});

describe('createBrokerLink: the broker’s tasks', () => {
  /** Brokers that answer hello and can send the tab a runJs task; what the tab answers is kept. */
  function taskFarm(locks: ReturnType<typeof fakeLocks>) {
    const brokers: { kill(): void; sendTask(id: number, code: string): void; results: unknown[] }[] = [];
    const connect = (): BrokerConnectionLike => {
      const [tab, side] = endpointPair();
      const release = locks.hold(LOCK);
      const results: unknown[] = [];
      side.addEventListener('message', (event) => {
        const message = event.data as { kind: string; id: number; method?: string };
        if (message.kind === 'taskResult') results.push(message);
        else if (message.method === 'hello') side.postMessage({ kind: 'reply', id: message.id, ok: true, result: { brokerId: `b${brokers.length}`, appVersion: 'test' } });
      });
      brokers.push({
        kill: release,
        results,
        sendTask: (id, code) => side.postMessage({ kind: 'task', id, task: 'runJs', code, limits: { timeoutMs: 5_000, outputMaxChars: 100, memoryBytes: 1 << 24 } }),
      });
      return { endpoint: tab, onError: () => undefined };
    };
    return { brokers, connect };
  }

  it('answers the tasks of each broker it connects to, the new one after a death', async () => {
    const locks = fakeLocks();
    const farm = taskFarm(locks);
    const ran: string[] = [];
    createBrokerLink({
      tabId: 'tab1',
      connect: farm.connect,
      locks: locks.manager,
      lockName: LOCK,
      now: () => 10 * QUICK_DEATH_MS * farm.brokers.length, // no death counts as quick
      onState: () => undefined,
      onBrokerDied: () => undefined,
      onReady: () => undefined,
      tasks: { runJs: { run: async (code) => (ran.push(code), { console: '', result: code, truncated: false }) } },
    });
    await flushMicrotasks();
    farm.brokers[0]!.sendTask(1, 'first');
    await flushMicrotasks();
    expect(farm.brokers[0]!.results).toEqual([{ kind: 'taskResult', id: 1, ok: true, result: { console: '', result: 'first', truncated: false } }]);

    farm.brokers[0]!.kill();
    await flushMicrotasks();
    expect(farm.brokers).toHaveLength(2);
    farm.brokers[0]!.sendTask(2, 'to the dead broker');
    farm.brokers[1]!.sendTask(1, 'second');
    await flushMicrotasks();
    expect(ran).toEqual(['first', 'second']);
    expect(farm.brokers[0]!.results).toHaveLength(1);
    expect(farm.brokers[1]!.results).toEqual([{ kind: 'taskResult', id: 1, ok: true, result: { console: '', result: 'second', truncated: false } }]);
  });
});
