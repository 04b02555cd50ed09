// Test doubles for the tab's injected browser APIs, in one place: a MessageChannel-like endpoint
// pair, a fake broker answering RPCs, a BroadcastChannel-like bus and a Web Locks manager.
import type { RpcCall, RpcReply } from '../../core/brokerMessages.ts';
import type { Endpoint } from '../brokerClient.ts';
import type { LockManagerLike } from '../brokerLink.ts';

export { flushMicrotasks } from '../../core/testing/fakes.ts';

type Listener = (event: MessageEvent) => void;

/** Two connected in-memory endpoints, delivering asynchronously (and cloned) like a MessageChannel. */
export function endpointPair(): [Endpoint, Endpoint] {
  const listeners: [Set<Listener>, Set<Listener>] = [new Set(), new Set()];
  const side = (own: Set<Listener>, peer: Set<Listener>): Endpoint => ({
    postMessage(message) {
      const data = structuredClone(message);
      queueMicrotask(() => {
        for (const listener of peer) listener({ data } as MessageEvent);
      });
    },
    addEventListener: (_type, listener) => void own.add(listener),
    removeEventListener: (_type, listener) => void own.delete(listener),
  });
  return [side(listeners[0], listeners[1]), side(listeners[1], listeners[0])];
}

/**
 * A fake broker answering over one endpoint. `handle` returns a result, throws for an error
 * reply, or returns `NO_REPLY` to leave the call pending (a broker that died mid-call).
 */
export const NO_REPLY = Symbol('no reply');
export function fakeBroker(endpoint: Endpoint, handle: (call: RpcCall) => unknown) {
  const calls: RpcCall[] = [];
  endpoint.addEventListener('message', (event) => {
    const call = event.data as RpcCall;
    calls.push(call);
    let reply: RpcReply;
    try {
      const result = handle(call);
      if (result === NO_REPLY) return;
      reply = { kind: 'reply', id: call.id, ok: true, result };
    } catch (error) {
      reply = { kind: 'reply', id: call.id, ok: false, error: (error as Error).message };
    }
    endpoint.postMessage(reply);
  });
  return calls;
}

/** A BroadcastChannel-like bus: `member()` joins it; a post reaches every other member. */
export function fakeBus() {
  const members = new Set<{ listeners: Set<Listener> }>();
  return {
    member() {
      const self = { listeners: new Set<Listener>() };
      members.add(self);
      return {
        postMessage(message: unknown) {
          const data = structuredClone(message);
          for (const other of members) if (other !== self) for (const l of other.listeners) l({ data } as MessageEvent);
        },
        addEventListener: (_type: 'message', l: Listener) => void self.listeners.add(l),
        removeEventListener: (_type: 'message', l: Listener) => void self.listeners.delete(l),
        /** Delivers `data` to this member only, as if another tab had posted it. */
        receive: (data: unknown) => self.listeners.forEach((l) => l({ data } as MessageEvent)),
        listenerCount: () => self.listeners.size,
      };
    },
  };
}

/** Web Locks with exclusive locks granted in request order, asynchronously like the real ones. */
export function fakeLocks() {
  interface Waiter {
    callback: (lock: unknown) => unknown;
    resolve(value: unknown): void;
    reject(error: unknown): void;
  }
  const held = new Set<string>();
  const queues = new Map<string, Waiter[]>();

  function grantNext(name: string) {
    if (held.has(name)) return;
    const waiter = queues.get(name)?.shift();
    if (!waiter) return;
    held.add(name);
    queueMicrotask(() => {
      Promise.resolve()
        .then(() => waiter.callback({ name }))
        .then(waiter.resolve, waiter.reject)
        .finally(() => {
          held.delete(name);
          grantNext(name);
        });
    });
  }

  const manager: LockManagerLike = {
    request(name, options, callback) {
      return new Promise((resolve, reject) => {
        const waiter: Waiter = { callback, resolve, reject };
        const queue = queues.get(name) ?? [];
        queues.set(name, queue);
        queue.push(waiter);
        options.signal?.addEventListener('abort', () => {
          const i = queue.indexOf(waiter);
          if (i === -1) return;
          queue.splice(i, 1);
          reject(new DOMException('aborted', 'AbortError'));
        });
        grantNext(name);
      });
    },
  };

  return {
    manager,
    /** Takes the lock for as long as the returned `release` is not called (a broker's life). */
    hold(name: string): () => void {
      let release!: () => void;
      const released = new Promise<void>((r) => (release = r));
      void manager.request(name, {}, () => released);
      return () => release();
    },
    isHeld: (name: string) => held.has(name),
    waiting: (name: string) => queues.get(name)?.length ?? 0,
  };
}
