// A small pool of persistent sockets shared by every tab and thread (PROTOCOL.md §1).
// Sockets open lazily when work needs one, carry one response at a time, and stay open for the
// next piece of work; work waits in a queue when every socket is busy and the pool is full.
// A socket opened for waiting work is not promised to it: whichever socket is ready first — the
// new one, or a busy one that frees up during the handshake — serves the oldest waiting turn
// (prewarms, which nobody waits on yet, come after turns; see openers). Chromium runs one
// handshake per host at a time, so when several turns start at once a handshake can take longer
// than a short response on an open socket.
import type { Clock, TimerHandle } from './clock.ts';
import type { SocketInfo } from './brokerMessages.ts';

export interface RawSocketHandlers {
  onOpen(): void;
  onMessage(data: string | ArrayBuffer): void;
  onClose(code: number, reason: string): void;
}

/** The only thing the pool needs from a WebSocket; the worker adapter wraps the real one. */
export interface RawSocket {
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type OpenSocket = (handlers: RawSocketHandlers) => RawSocket;

/** A socket closed before it opened. `code` is the close code: the relay reports an upstream
 *  refusal with status S as 4000+S (PROTOCOL.md §1). */
export class ConnectError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
  ) {
    super(reason || `connection closed before it opened (code ${code})`);
    this.name = 'ConnectError';
  }
}

export type LeaseLabel = NonNullable<SocketInfo['busyWith']>;

export interface SocketListener {
  onFrame(data: string | ArrayBuffer): void;
  onClose(code: number, reason: string): void;
}

/** Exclusive use of one open socket for one response at a time. */
export interface SocketLease {
  readonly socketId: number;
  /** The socket's most recent completed response: the only one it can continue (§1). */
  readonly lastResponseId: string | null;
  listen(listener: SocketListener): void;
  send(frame: string): void;
  /** Records the socket's most recent response; null when it no longer holds one we can name. */
  setLastResponseId(id: string | null): void;
  /** Returns the socket to the pool for the next piece of work. */
  release(): void;
  /** Closes the socket (a stop, a protocol error, a socket we no longer trust). */
  discard(reason: string): void;
}

export interface SocketPoolOptions {
  openSocket: OpenSocket;
  clock: Clock;
  maxSockets: number;
  /** Sockets older than this are not handed out again (the server ends them at 60 min). */
  maxAgeMs: number;
  /** Idle sockets are closed after this long unused (the server keeps idle ones alive, but an
   *  idle socket still costs both ends a connection). Default: never. */
  idleTimeoutMs?: number;
  /** A frame on a socket nobody is using (an `error` can arrive on an idle socket, §3). */
  onIdleFrame?(socketId: number, data: string | ArrayBuffer): void;
  onChange?(): void;
}

export interface SocketPool {
  /** A lease on an idle socket (`prefer`'s if it is idle), a new socket while under the cap (for
   *  a prewarm only when the others will not free up soon, see openers), or the next one freed.
   *  Aborting `signal` takes a waiting request out of the queue. */
  acquire(label: LeaseLabel, prefer?: number, signal?: AbortSignal): Promise<SocketLease>;
  /** Work now waits on the thread's prewarm (§4.7: its turn waits for it): if it still waits for
   *  a socket, it is served as a turn would be (a new socket too, while under the cap). */
  hurry(threadId: string): void;
  /** Closes one socket whatever its state (e.g. after `websocket_connection_limit_reached`). */
  close(socketId: number, reason: string): void;
  snapshot(): SocketInfo[];
  /** Changes the cap and the idle timeout live: a higher cap serves queued work at once; a lower
   *  one closes idle sockets over it now and busy ones as they finish. */
  configure(settings: { maxSockets?: number; idleTimeoutMs?: number }): void;
  readonly handshakes: number;
  readonly queued: number;
  closeAll(): void;
}

interface PooledSocket {
  id: number;
  raw: RawSocket;
  state: SocketInfo['state'];
  openedAt: number;
  lastUsedAt: number;
  lastResponseId: string | null;
  responses: number;
  busyWith: LeaseLabel | null;
  listener: SocketListener | null;
  idleTimer: TimerHandle | null;
  /** While connecting: the work it was opened for, which hears of a failure to connect. */
  openedFor: Waiter | null;
}

interface Waiter {
  label: LeaseLabel;
  /** Someone waits on this work: a turn, or a prewarm a turn waits for (hurry). */
  urgent: boolean;
  prefer: number | undefined;
  resolve(lease: SocketLease): void;
  reject(error: Error): void;
}

export function createSocketPool(initial: SocketPoolOptions): SocketPool {
  const options = { ...initial };
  const { clock } = options;
  const sockets = new Map<number, PooledSocket>();
  const queue: Waiter[] = [];
  let nextId = 1;
  let handshakes = 0;
  const changed = () => options.onChange?.();

  const live = () => [...sockets.values()].filter((s) => s.state === 'connecting' || s.state === 'open');
  const tooOld = (s: PooledSocket) => clock.now() - s.openedAt >= options.maxAgeMs;

  function lease(socket: PooledSocket, label: LeaseLabel): SocketLease {
    if (socket.idleTimer !== null) {
      clock.clearTimeout(socket.idleTimer);
      socket.idleTimer = null;
    }
    socket.busyWith = label;
    socket.lastUsedAt = clock.now();
    let done = false;
    const finish = () => {
      if (done) return false;
      done = true;
      socket.listener = null;
      socket.busyWith = null;
      socket.lastUsedAt = clock.now();
      return true;
    };
    changed();
    return {
      socketId: socket.id,
      get lastResponseId() {
        return socket.lastResponseId;
      },
      listen(listener) {
        if (!done) socket.listener = listener;
      },
      send(frame) {
        if (done || socket.state !== 'open') throw new Error(`socket ${socket.id} is not usable`);
        socket.raw.send(frame);
      },
      setLastResponseId(id) {
        socket.lastResponseId = id;
        if (id !== null) socket.responses += 1;
        changed();
      },
      release() {
        if (!finish()) return;
        if (socket.state === 'open' && tooOld(socket)) closeSocket(socket, 'rotated before the connection time limit');
        else if (socket.state === 'open' && live().length > options.maxSockets) closeSocket(socket, 'pool size lowered');
        else if (socket.state === 'open') startIdleTimer(socket);
        dispatch();
        changed();
      },
      discard(reason) {
        if (!finish()) return;
        closeSocket(socket, reason);
        changed();
      },
    };
  }

  function startIdleTimer(socket: PooledSocket) {
    const idleMs = options.idleTimeoutMs;
    if (idleMs === undefined) return;
    socket.idleTimer = clock.setTimeout(() => {
      socket.idleTimer = null;
      if (socket.state === 'open' && !socket.busyWith) closeSocket(socket, 'idle');
    }, idleMs);
  }

  function closeSocket(socket: PooledSocket, reason: string) {
    if (socket.state === 'closed' || socket.state === 'closing') return;
    socket.state = 'closing';
    socket.listener = null;
    try {
      socket.raw.close(1000, reason.slice(0, 120));
    } catch {
      // Closing a socket that is already gone is not an error worth surfacing.
    }
    forget(socket);
  }

  function forget(socket: PooledSocket) {
    if (socket.idleTimer !== null) clock.clearTimeout(socket.idleTimer);
    socket.idleTimer = null;
    socket.state = 'closed';
    sockets.delete(socket.id);
    dispatch();
    changed();
  }

  const connectingCount = () => {
    let n = 0;
    for (const s of sockets.values()) if (s.state === 'connecting') n += 1;
    return n;
  };

  /** Opens a socket for `waiter`, which stays in the queue: the first socket ready serves it. */
  function open(waiter: Waiter) {
    const id = nextId++;
    handshakes += 1;
    const socket: PooledSocket = {
      id,
      raw: undefined as unknown as RawSocket,
      state: 'connecting',
      openedAt: clock.now(),
      lastUsedAt: clock.now(),
      lastResponseId: null,
      responses: 0,
      busyWith: null,
      listener: null,
      idleTimer: null,
      openedFor: waiter,
    };
    sockets.set(id, socket);
    socket.raw = options.openSocket({
      onOpen() {
        if (socket.state !== 'connecting') return;
        socket.state = 'open';
        socket.openedAt = clock.now();
        socket.openedFor = null;
        dispatch();
        if (!socket.busyWith) startIdleTimer(socket); // its work was served (or withdrawn) meanwhile
        changed();
      },
      onMessage(data) {
        if (socket.state !== 'open') return;
        if (socket.listener) socket.listener.onFrame(data);
        else options.onIdleFrame?.(socket.id, data);
      },
      onClose(code, reason) {
        const wasConnecting = socket.state === 'connecting';
        const listener = socket.listener;
        if (socket.state === 'closed') return;
        // A failure to connect goes to the work the socket was opened for or, if that was served
        // meanwhile, to the newest waiter no other handshake covers: one failure, one refusal,
        // so a server refusing upgrades is not asked again and again for the same work.
        const failed = wasConnecting ? takeFailedWaiter(socket) : null;
        forget(socket);
        if (failed) failed.reject(new ConnectError(code, reason));
        else if (!wasConnecting) listener?.onClose(code, reason);
      },
    });
    changed();
  }

  function takeFailedWaiter(socket: PooledSocket): Waiter | null {
    const owner = socket.openedFor;
    socket.openedFor = null;
    const own = owner ? queue.indexOf(owner) : -1;
    if (own !== -1) return queue.splice(own, 1)[0]!;
    // The newest waiter that no other handshake in flight covers.
    const uncovered = uncoveredOpeners(socket).at(-1);
    return uncovered ? queue.splice(queue.indexOf(uncovered), 1)[0]! : null;
  }

  function idleSocket(prefer: number | undefined): PooledSocket | undefined {
    for (const s of sockets.values()) if (s.state === 'open' && !s.busyWith && tooOld(s)) closeSocket(s, 'rotated before the connection time limit');
    const idle = [...sockets.values()].filter((s) => s.state === 'open' && !s.busyWith);
    return idle.find((s) => s.id === prefer) ?? idle.sort((a, b) => a.lastUsedAt - b.lastUsedAt)[0];
  }

  /**
   * The waiting work that may have a socket opened for it. A prewarm may not while a socket will
   * free up soon: one connecting, or busy with another prewarm (a prewarm returns no output).
   * Nobody waits on a prewarm yet, and a handshake costs more than that wait, also to others
   * (Chromium runs one handshake per host at a time). Tabs opening threads one after another made
   * two prewarms overlap for a millisecond now and then, and each time the pool opened a second
   * socket that then sat idle (bench, connection economy: 2 handshakes instead of 1 in 7 of about
   * 45 runs). Behind turns, which may stream for minutes, a prewarm does get a socket of its own:
   * it is there to make its thread's next turn quick. Once that turn waits for it (hurry), it is
   * served as a turn is.
   */
  function openers(): Waiter[] {
    const prewarmsMay = live().every((s) => s.state === 'open' && s.busyWith !== null && s.busyWith.kind !== 'prewarm');
    return prewarmsMay ? queue.slice() : queue.filter((w) => w.urgent);
  }

  /** The waiters that may have a socket opened for them and have no handshake in flight opened
   *  for them (`except` aside); a handshake opened for work served meanwhile covers one of them. */
  function uncoveredOpeners(except?: PooledSocket): Waiter[] {
    const connecting = [...sockets.values()].filter((s) => s !== except && s.state === 'connecting');
    const candidates = openers();
    const ownHandshake = new Set(connecting.map((s) => s.openedFor));
    const uncovered = candidates.filter((w) => !ownHandshake.has(w));
    // Handshakes whose work was served (or is no longer an opener) each cover the oldest of the rest.
    const spare = connecting.length - (candidates.length - uncovered.length);
    return uncovered.slice(Math.max(0, spare));
  }

  /** Hands free capacity to waiting work: an idle socket, or a new one while under the cap. */
  function dispatch() {
    while (queue.length > 0) {
      const idle = [...sockets.values()].filter((s) => s.state === 'open' && !s.busyWith);
      if (idle.length > 0) {
        // Work someone waits on before prewarms, which take what it leaves; within each, a waiter
        // whose chain lives on an idle socket gets that one, otherwise first come.
        const urgent = queue.filter((w) => w.urgent);
        const candidates = urgent.length > 0 ? urgent : queue;
        const chosen = candidates.find((w) => idle.some((s) => s.id === w.prefer)) ?? candidates[0]!;
        const waiter = queue.splice(queue.indexOf(chosen), 1)[0]!;
        const socket = idle.find((s) => s.id === waiter.prefer) ?? idle[0]!;
        waiter.resolve(lease(socket, waiter.label));
        continue;
      }
      // Each handshake in flight will serve one waiter; open one for the first waiter that may
      // have one (see openers) and that none covers.
      const next = uncoveredOpeners()[0];
      if (next && live().length < options.maxSockets) {
        open(next);
        continue;
      }
      return;
    }
  }

  return {
    acquire(label, prefer, signal) {
      return new Promise<SocketLease>((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        const onAbort = () => {
          const index = queue.indexOf(waiter);
          if (index !== -1) {
            queue.splice(index, 1);
            changed();
          }
          reject(signal!.reason);
        };
        const waiter: Waiter = {
          label,
          urgent: label.kind !== 'prewarm',
          prefer,
          resolve(granted) {
            signal?.removeEventListener('abort', onAbort);
            resolve(granted);
          },
          reject(error) {
            signal?.removeEventListener('abort', onAbort);
            reject(error);
          },
        };
        const socket = queue.length === 0 ? idleSocket(prefer) : undefined;
        if (socket) return waiter.resolve(lease(socket, label));
        signal?.addEventListener('abort', onAbort, { once: true });
        queue.push(waiter);
        dispatch(); // a new socket, while under the cap
        changed();
      });
    },
    hurry(threadId) {
      const waiter = queue.find((w) => !w.urgent && w.label.threadId === threadId);
      if (!waiter) return;
      waiter.urgent = true;
      dispatch();
      changed();
    },
    close(socketId, reason) {
      const socket = sockets.get(socketId);
      if (!socket) return;
      const listener = socket.listener;
      closeSocket(socket, reason);
      listener?.onClose(4999, reason);
    },
    configure(settings) {
      if (settings.idleTimeoutMs !== undefined) options.idleTimeoutMs = settings.idleTimeoutMs;
      if (settings.maxSockets !== undefined) {
        options.maxSockets = settings.maxSockets;
        const idle = [...sockets.values()].filter((s) => s.state === 'open' && !s.busyWith);
        for (const socket of idle) if (live().length > options.maxSockets) closeSocket(socket, 'pool size lowered');
      }
      dispatch();
      changed();
    },
    snapshot() {
      return [...sockets.values()].map((s) => ({
        id: s.id,
        state: s.state,
        // A socket still connecting shows the work it was opened for while that work still waits.
        busyWith: s.busyWith ?? (s.openedFor && queue.includes(s.openedFor) ? s.openedFor.label : null),
        lastResponseId: s.lastResponseId,
        openedAt: s.openedAt,
        responses: s.responses,
      }));
    },
    get handshakes() {
      return handshakes;
    },
    get queued() {
      // Waiting for a socket to free up: those a handshake in flight will serve are not.
      return Math.max(0, queue.length - connectingCount());
    },
    closeAll() {
      // The waiters first: a socket closing would otherwise open another for them.
      for (const waiter of queue.splice(0)) waiter.reject(new ConnectError(1001, 'broker shutting down'));
      for (const socket of [...sockets.values()]) closeSocket(socket, 'broker shutting down');
    },
  };
}
