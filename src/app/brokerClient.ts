// The tab's side of the tab ↔ broker RPC (see ../core/brokerMessages.ts). The transport is one
// comlink-style `Endpoint`, so the same client runs over a SharedWorker port, a dedicated worker
// (fallback) or an in-memory pair in unit tests.
import type { BrokerMethod, BrokerResults, ParamsOf, RpcCall, RpcReply } from '../core/brokerMessages.ts';

/** The narrowest transport: a MessagePort, a Worker and a test double all fit. */
export interface Endpoint {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  /** MessagePorts queue messages until started; other endpoints need nothing. */
  start?(): void;
}

export interface BrokerClient {
  call<M extends BrokerMethod>(method: M, params: ParamsOf<M>): Promise<BrokerResults[M]>;
  /** Rejects every pending call and stops listening. */
  close(reason?: string): void;
}

export class BrokerError extends Error {
  override name = 'BrokerError';
}

function isReply(data: unknown): data is RpcReply {
  return typeof data === 'object' && data !== null && (data as { kind?: unknown }).kind === 'reply' && typeof (data as { id?: unknown }).id === 'number';
}

export function createBrokerClient(endpoint: Endpoint): BrokerClient {
  let nextId = 1;
  let closedReason: string | null = null;
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();

  const onMessage = (event: MessageEvent) => {
    const reply = event.data;
    if (!isReply(reply)) return;
    const waiter = pending.get(reply.id);
    if (!waiter) return;
    pending.delete(reply.id);
    if (reply.ok) waiter.resolve(reply.result);
    else waiter.reject(new BrokerError(reply.error));
  };
  endpoint.addEventListener('message', onMessage);
  endpoint.start?.();

  return {
    call(method, params) {
      if (closedReason !== null) return Promise.reject(new BrokerError(closedReason));
      const id = nextId++;
      const message = { kind: 'call', id, method, params } as RpcCall;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
        try {
          endpoint.postMessage(message);
        } catch (error) {
          pending.delete(id);
          reject(error instanceof Error ? error : new BrokerError(String(error)));
        }
      });
    },
    close(reason = 'Broker connection closed') {
      if (closedReason !== null) return;
      closedReason = reason;
      endpoint.removeEventListener('message', onMessage);
      for (const waiter of pending.values()) waiter.reject(new BrokerError(reason));
      pending.clear();
    },
  };
}
