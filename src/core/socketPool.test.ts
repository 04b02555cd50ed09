import { describe, expect, it } from 'vitest';
import { backoffDelay } from './clock.ts';
import { ConnectError, createSocketPool, type OpenSocket, type RawSocketHandlers, type SocketLease, type SocketPoolOptions } from './socketPool.ts';
import { createManualClock, flushMicrotasks } from './testing/fakes.ts';

/** Sockets that open or fail only when the test says so. */
function controllableSockets() {
  const opened: { handlers: RawSocketHandlers; closed: boolean; sent: string[] }[] = [];
  const openSocket: OpenSocket = (handlers) => {
    const entry = { handlers, closed: false, sent: [] as string[] };
    opened.push(entry);
    return { send: (d) => void entry.sent.push(d), close: () => void (entry.closed = true) };
  };
  return { opened, openSocket };
}

const label = (threadId: string) => ({ threadId, turnId: 't', kind: 'turn' as const });
const prewarmLabel = (threadId: string) => ({ threadId, turnId: '', kind: 'prewarm' as const });

/** A pool over controllable sockets and a manual clock. `holding(label)`: a lease on a new socket
 *  that opens at once (the pool must have no idle socket). */
function poolOf(options: Omit<SocketPoolOptions, 'openSocket' | 'clock'>) {
  const clock = createManualClock();
  const { opened, openSocket } = controllableSockets();
  const pool = createSocketPool({ openSocket, clock, ...options });
  const holding = (l: ReturnType<typeof label> | ReturnType<typeof prewarmLabel>) => {
    const granted = pool.acquire(l);
    opened.at(-1)!.handlers.onOpen();
    return granted;
  };
  return { clock, opened, pool, holding };
}

describe('socket pool', () => {
  it('opens lazily, reuses an idle socket and counts one handshake', async () => {
    const { opened, pool } = poolOf({ maxSockets: 4, maxAgeMs: 60_000 });
    expect(opened).toHaveLength(0);
    const first = pool.acquire(label('a'));
    opened[0]!.handlers.onOpen();
    const lease = await first;
    lease.release();
    const again = await pool.acquire(label('b'));
    expect(again.socketId).toBe(lease.socketId);
    expect(pool.handshakes).toBe(1);
  });

  it('runs one response per socket, opens up to the cap, then queues', async () => {
    const { opened, pool } = poolOf({ maxSockets: 2, maxAgeMs: 60_000 });
    const a = pool.acquire(label('a'));
    const b = pool.acquire(label('b'));
    opened.forEach((s) => s.handlers.onOpen());
    const [leaseA, leaseB] = await Promise.all([a, b]);
    expect(leaseA.socketId).not.toBe(leaseB.socketId);
    let third: number | undefined;
    void pool.acquire(label('c')).then((l) => (third = l.socketId));
    await flushMicrotasks();
    expect(opened).toHaveLength(2);
    expect(pool.queued).toBe(1);
    leaseB.release();
    await flushMicrotasks();
    expect(third).toBe(leaseB.socketId);
  });

  it('hands a freed socket to the waiter whose chain lives on it', async () => {
    const { opened, pool } = poolOf({ maxSockets: 1, maxAgeMs: 60_000 });
    const p = pool.acquire(label('a'));
    opened[0]!.handlers.onOpen();
    const lease = await p;
    const order: string[] = [];
    void pool.acquire(label('x')).then((l) => {
      order.push('x');
      l.release();
    });
    void pool.acquire(label('y'), lease.socketId).then((l) => {
      order.push('y');
      l.release();
    });
    lease.release();
    await flushMicrotasks();
    expect(order).toEqual(['y', 'x']);
  });

  it('takes a waiting request out of the queue when its signal aborts', async () => {
    const { opened, pool } = poolOf({ maxSockets: 1, maxAgeMs: 60_000 });
    const first = pool.acquire(label('a'));
    opened[0]!.handlers.onOpen();
    const lease = await first;
    const stop = new AbortController();
    const waiting = pool.acquire(label('b'), undefined, stop.signal);
    let third: number | undefined;
    void pool.acquire(label('c')).then((l) => (third = l.socketId));
    expect(pool.queued).toBe(2);
    stop.abort(new Error('stopped'));
    await expect(waiting).rejects.toThrow('stopped');
    expect(pool.queued).toBe(1);
    lease.release();
    await flushMicrotasks();
    expect(third).toBe(lease.socketId);
  });

  it('withdraws a request whose socket is still connecting, and pools that socket once it opens', async () => {
    const { opened, pool } = poolOf({ maxSockets: 1, maxAgeMs: 60_000 });
    const stop = new AbortController();
    const connecting = pool.acquire(label('a'), undefined, stop.signal);
    stop.abort(new Error('stopped'));
    await expect(connecting).rejects.toThrow('stopped');
    opened[0]!.handlers.onOpen();
    expect(pool.snapshot()).toMatchObject([{ id: 1, state: 'open', busyWith: null }]);
    await expect(pool.acquire(label('b'))).resolves.toMatchObject({ socketId: 1 });
  });

  it('serves work waiting on a handshake with a socket that frees up first; the new one then serves the next', async () => {
    const { opened, pool } = poolOf({ maxSockets: 2, maxAgeMs: 60_000 });
    const a = pool.acquire(label('a'));
    opened[0]!.handlers.onOpen();
    const leaseA = await a;
    let leaseB: Awaited<ReturnType<typeof pool.acquire>> | undefined;
    void pool.acquire(label('b')).then((l) => (leaseB = l));
    expect(opened).toHaveLength(2); // a handshake starts for b
    expect(pool.queued).toBe(0); // that handshake covers it
    expect(pool.snapshot().find((x) => x.id === 2)).toMatchObject({ state: 'connecting', busyWith: label('b') });
    leaseA.release();
    await flushMicrotasks();
    expect(leaseB?.socketId).toBe(1); // the open socket freed up first
    expect(pool.snapshot().find((x) => x.id === 2)).toMatchObject({ state: 'connecting', busyWith: null }); // connecting for nobody now
    opened[1]!.handlers.onOpen();
    expect(pool.snapshot().find((x) => x.id === 2)).toMatchObject({ state: 'open', busyWith: null });
    await expect(pool.acquire(label('c'))).resolves.toMatchObject({ socketId: 2 });
    expect(pool.handshakes).toBe(2);
  });

  it('opens no socket for a prewarm while the only socket is busy with another prewarm, and serves waiting turns before prewarms', async () => {
    const { opened, pool } = poolOf({ maxSockets: 4, maxAgeMs: 60_000 });
    const first = pool.acquire(prewarmLabel('a')); // an empty pool: the prewarm opens the first socket
    expect(opened).toHaveLength(1);
    opened[0]!.handlers.onOpen();
    const busy = await first;
    let prewarm: SocketLease | undefined;
    void pool.acquire(prewarmLabel('b')).then((l) => (prewarm = l));
    await flushMicrotasks();
    expect(opened).toHaveLength(1);
    expect(pool.queued).toBe(1);
    // A turn behind it gets a handshake: someone waits for it.
    let turn: SocketLease | undefined;
    void pool.acquire(label('c')).then((l) => (turn = l));
    expect(opened).toHaveLength(2);
    expect(pool.snapshot().find((x) => x.id === 2)).toMatchObject({ state: 'connecting', busyWith: label('c') });
    // The socket that frees up first serves the turn, though the prewarm waited longer.
    busy.release();
    await flushMicrotasks();
    expect(turn?.socketId).toBe(1);
    expect(prewarm).toBeUndefined();
    opened[1]!.handlers.onOpen();
    await flushMicrotasks();
    expect(prewarm?.socketId).toBe(2);
    expect(pool.handshakes).toBe(2);
  });

  it('lets a turn share the handshake a prewarm started and serves it first; the prewarm then gets a socket of its own', async () => {
    const { opened, pool } = poolOf({ maxSockets: 4, maxAgeMs: 60_000 });
    let prewarm: SocketLease | undefined;
    void pool.acquire(prewarmLabel('a')).then((l) => (prewarm = l));
    const turn = pool.acquire(label('b'));
    expect(opened).toHaveLength(1); // the handshake in flight covers the turn
    opened[0]!.handlers.onOpen();
    expect((await turn).socketId).toBe(1);
    // A turn may stream for minutes: the prewarm does not wait behind it.
    expect(opened).toHaveLength(2);
    expect(pool.snapshot().find((x) => x.id === 2)).toMatchObject({ state: 'connecting', busyWith: prewarmLabel('a') });
    opened[1]!.handlers.onOpen();
    await flushMicrotasks();
    expect(prewarm?.socketId).toBe(2);
  });

  it('gives a prewarm a socket of its own when every socket is busy with a turn, up to the cap', async () => {
    const { opened, pool, holding } = poolOf({ maxSockets: 2, maxAgeMs: 60_000 });
    await holding(label('a'));
    void pool.acquire(prewarmLabel('b'));
    expect(opened).toHaveLength(2);
    void pool.acquire(label('c'));
    void pool.acquire(prewarmLabel('d'));
    expect(opened).toHaveLength(2); // the cap
  });

  it('serves a prewarm that a turn waits for (hurry) as a turn: a new socket, ahead of other prewarms', async () => {
    const { opened, pool, holding } = poolOf({ maxSockets: 4, maxAgeMs: 60_000 });
    const busy = await holding(prewarmLabel('a')); // busy with a prewarm: it frees up soon, so prewarms wait for it
    let other: SocketLease | undefined;
    void pool.acquire(prewarmLabel('b')).then((l) => (other = l));
    const hurried = pool.acquire(prewarmLabel('c'));
    await flushMicrotasks();
    expect(opened).toHaveLength(1);
    pool.hurry('c');
    expect(opened).toHaveLength(2);
    expect(pool.snapshot().find((x) => x.id === 2)).toMatchObject({ busyWith: prewarmLabel('c') });
    opened[1]!.handlers.onOpen();
    await expect(hurried).resolves.toMatchObject({ socketId: 2 });
    expect(other).toBeUndefined();
    busy.release();
    await flushMicrotasks();
    expect(other?.socketId).toBe(1);
  });

  it('at the cap, serves a hurried prewarm in its turn among the waiting turns', async () => {
    const { opened, pool, holding } = poolOf({ maxSockets: 1, maxAgeMs: 60_000 });
    const busy = await holding(label('a'));
    let prewarm: SocketLease | undefined;
    let turn: SocketLease | undefined;
    void pool.acquire(prewarmLabel('b')).then((l) => (prewarm = l));
    void pool.acquire(label('c')).then((l) => (turn = l));
    pool.hurry('b');
    busy.release();
    await flushMicrotasks();
    expect(prewarm?.socketId).toBe(1); // it asked before c's turn
    expect(turn).toBeUndefined();
  });

  it('credits a handshake to the waiter it was opened for, and a failure to connect to that one', async () => {
    const { opened, pool, holding } = poolOf({ maxSockets: 4, maxAgeMs: 60_000 });
    await holding(prewarmLabel('x'));
    const prewarm = pool.acquire(prewarmLabel('b'));
    let turn: SocketLease | undefined;
    void pool.acquire(label('c')).then((l) => (turn = l));
    expect(opened).toHaveLength(2); // for c's turn
    pool.hurry('b'); // b asked first, but socket 2 is c's: socket 3 is b's
    expect(opened).toHaveLength(3);
    expect(pool.snapshot().map((x) => x.busyWith)).toEqual([prewarmLabel('x'), label('c'), prewarmLabel('b')]);
    opened[2]!.handlers.onClose(1006, 'refused');
    await expect(prewarm).rejects.toBeInstanceOf(ConnectError);
    opened[1]!.handlers.onOpen();
    await flushMicrotasks();
    expect(turn?.socketId).toBe(2);
  });

  it('gives a failure to connect to a waiter no other handshake covers, once, and starts no handshake for it', async () => {
    const { opened, pool } = poolOf({ maxSockets: 2, maxAgeMs: 60_000 });
    const a = pool.acquire(label('a'));
    opened[0]!.handlers.onOpen();
    const leaseA = await a;
    const b = pool.acquire(label('b')); // opens socket 2
    leaseA.release();
    await expect(b).resolves.toMatchObject({ socketId: 1 });
    const c = pool.acquire(label('c')); // socket 2's handshake covers it
    expect(opened).toHaveLength(2);
    opened[1]!.handlers.onClose(4426, 'upgrade required');
    await expect(c).rejects.toEqual(new ConnectError(4426, 'upgrade required'));
    expect(opened).toHaveLength(2);
    expect(pool.queued).toBe(0);
  });

  it('rejects with the close code when a socket closes before opening, then frees the slot', async () => {
    const { opened, pool } = poolOf({ maxSockets: 1, maxAgeMs: 60_000 });
    const p = pool.acquire(label('a'));
    opened[0]!.handlers.onClose(4426, 'upgrade required');
    await expect(p).rejects.toEqual(new ConnectError(4426, 'upgrade required'));
    const q = pool.acquire(label('a'));
    expect(opened).toHaveLength(2);
    opened[1]!.handlers.onOpen();
    await expect(q).resolves.toMatchObject({ socketId: 2 });
  });

  it('tells the lease holder when its socket dies and forgets the socket', async () => {
    const { opened, pool } = poolOf({ maxSockets: 1, maxAgeMs: 60_000 });
    const p = pool.acquire(label('a'));
    opened[0]!.handlers.onOpen();
    const lease = await p;
    const closes: number[] = [];
    lease.listen({ onFrame: () => undefined, onClose: (code) => void closes.push(code) });
    opened[0]!.handlers.onClose(1006, '');
    expect(closes).toEqual([1006]);
    expect(pool.snapshot()).toEqual([]);
  });

  it('routes frames on an idle socket to onIdleFrame', async () => {
    const idle: string[] = [];
    const { opened, pool } = poolOf({ maxSockets: 1, maxAgeMs: 60_000, onIdleFrame: (_id, d) => void idle.push(String(d)) });
    const p = pool.acquire(label('a'));
    opened[0]!.handlers.onOpen();
    (await p).release();
    opened[0]!.handlers.onMessage('{"type":"error"}');
    expect(idle).toEqual(['{"type":"error"}']);
  });

  it('rotates a socket past its maximum age instead of reusing it', async () => {
    const { clock, opened, pool } = poolOf({ maxSockets: 2, maxAgeMs: 1_000 });
    const p = pool.acquire(label('a'));
    opened[0]!.handlers.onOpen();
    (await p).release();
    await clock.advance(1_500);
    const q = pool.acquire(label('a'));
    expect(opened[0]!.closed).toBe(true);
    expect(opened).toHaveLength(2);
    opened[1]!.handlers.onOpen();
    expect((await q).socketId).toBe(2);
  });
});

describe('socket pool: idle sockets', () => {
  it('closes a socket left idle past the idle timeout, and not one in use', async () => {
    const { clock, opened, pool } = poolOf({ maxSockets: 2, maxAgeMs: 60_000, idleTimeoutMs: 1_000 });
    const p = pool.acquire(label('a'));
    opened[0]!.handlers.onOpen();
    const busy = await p;
    await clock.advance(5_000);
    expect(opened[0]!.closed).toBe(false);
    busy.release();
    await clock.advance(900);
    // Reused before the timeout: the timer restarts only when it is idle again.
    const again = await pool.acquire(label('b'));
    await clock.advance(2_000);
    expect(opened[0]!.closed).toBe(false);
    again.release();
    await clock.advance(1_000);
    expect(opened[0]!.closed).toBe(true);
    expect(pool.snapshot()).toEqual([]);
  });
});

describe('socket pool: live settings', () => {
  it('serves queued work at once when the cap rises, and shrinks to a lower cap as sockets free up', async () => {
    const { opened, pool } = poolOf({ maxSockets: 1, maxAgeMs: 60_000 });
    const a = pool.acquire(label('a'));
    opened[0]!.handlers.onOpen();
    const leaseA = await a;
    let leaseB: Awaited<ReturnType<typeof pool.acquire>> | undefined;
    void pool.acquire(label('b')).then((l) => (leaseB = l));
    expect(pool.queued).toBe(1);
    pool.configure({ maxSockets: 2 });
    expect(opened).toHaveLength(2);
    opened[1]!.handlers.onOpen();
    await flushMicrotasks();
    expect(leaseB?.socketId).toBe(2);
    pool.configure({ maxSockets: 1 });
    leaseA.release(); // over the new cap: closed rather than kept
    expect(opened[0]!.closed).toBe(true);
    leaseB!.release();
    expect(opened[1]!.closed).toBe(false);
    expect(pool.snapshot()).toHaveLength(1);
  });
});

describe('backoff', () => {
  it('grows exponentially with full jitter and a cap', () => {
    expect(backoffDelay(0, () => 1)).toBe(250);
    expect(backoffDelay(3, () => 1)).toBe(2000);
    expect(backoffDelay(20, () => 1)).toBe(8000);
    expect(backoffDelay(3, () => 0.5)).toBe(1000);
    expect(backoffDelay(3, () => 0)).toBe(0);
  });
});
