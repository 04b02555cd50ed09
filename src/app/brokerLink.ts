// The tab's link to the broker, kept alive across the broker's death. The broker holds a Web Lock
// for its whole life (brokerLockName); this tab queues for the same lock after each hello, so the
// lock is granted to it only once that broker is gone. Then the link releases the lock at once,
// fails every pending call with a clear error, starts a new broker connection (same worker name:
// a new broker), says hello again and tells the tab to re-open what it shows.
//
// States: connecting → ready ⇄ restarting, and down when the worker cannot start or keeps dying.
// Browser APIs are injected (the lock manager, the connect function, the clock) for tests.
import { isEventBatch, type BrokerEventBatch, type BrokerMethod, type BrokerResults, type ParamsOf } from '../core/brokerMessages.ts';
import type { BrokerLinkState } from '../core/liveTurns.ts';
import { createBrokerClient, type BrokerClient, type Endpoint } from './brokerClient.ts';
import { serveBrokerTasks, type BrokerTaskHandlers, type BrokerTaskServer } from './brokerTasks.ts';

/** The part of `navigator.locks` the link uses. */
export interface LockManagerLike {
  request(name: string, options: { signal?: AbortSignal }, callback: (lock: unknown) => unknown): Promise<unknown>;
}

/** A started broker worker: its endpoint, and a way to hear that its script failed. */
export interface BrokerConnectionLike {
  endpoint: Endpoint;
  onError(listener: (message: string) => void): void;
}

/** The error pending calls fail with when the broker died under them. */
export const BROKER_STOPPED = 'The broker stopped; this request was not completed. A new broker is starting — try again.';

/** A broker that "dies" this soon after saying hello is suspicious: it may not hold the lock at
 *  all (then every request is granted at once). After MAX_QUICK_DEATHS such deaths in a row the
 *  link stops restarting instead of looping. */
export const QUICK_DEATH_MS = 2_000;
export const MAX_QUICK_DEATHS = 3;

export interface BrokerLinkOptions {
  tabId: string;
  connect(): BrokerConnectionLike;
  /** `navigator.locks`; without it a dead broker goes unnoticed (calls then hang). */
  locks: LockManagerLike | undefined;
  lockName: string;
  now?: () => number;
  onState(state: BrokerLinkState): void;
  /** The broker died: called before the new connection is made. */
  onBrokerDied(): void;
  /** After each successful hello; `restarted` after a broker death. */
  onReady(info: { brokerId: string; restarted: boolean }): void;
  /** What this tab does when a broker asks (brokerTasks.ts): served on every connection. */
  tasks?: BrokerTaskHandlers;
}

export interface BrokerLink extends BrokerClient {
  /** Introduces the tab again on the current connection (back from the back/forward cache). */
  rehello(): void;
  /** Event batches the current broker sends this tab on its port: the stream of the thread the
   *  tab opened last (see openThread). A dead broker's late messages are not passed on. */
  onBatch(listener: (batch: BrokerEventBatch) => void): void;
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

export function createBrokerLink(options: BrokerLinkOptions): BrokerLink {
  const { tabId, locks, lockName } = options;
  const now = options.now ?? (() => Date.now());
  let generation = 0;
  let client: BrokerClient;
  let taskServer: BrokerTaskServer | null = null;
  let watching: AbortController | null = null;
  let readyAt = 0;
  let quickDeaths = 0;
  let closed = false;
  const batchListeners: ((batch: BrokerEventBatch) => void)[] = [];

  function start(restarted: boolean): void {
    const gen = ++generation;
    const connection = options.connect();
    connection.endpoint.addEventListener('message', (event: MessageEvent) => {
      if (gen !== generation || closed || !isEventBatch(event.data)) return;
      for (const listener of batchListeners) listener(event.data);
    });
    // Listening before the hello: the broker may send a task as soon as it has heard it.
    taskServer?.close();
    taskServer = options.tasks ? serveBrokerTasks(connection.endpoint, options.tasks) : null;
    client = createBrokerClient(connection.endpoint);
    connection.onError((message) => {
      if (gen === generation && !closed) options.onState({ state: 'down', detail: `the broker failed: ${message}` });
    });
    hello(gen, restarted);
  }

  function hello(gen: number, restarted: boolean): void {
    client.call('hello', { tabId }).then(
      (info) => {
        if (gen !== generation || closed) return;
        readyAt = now();
        options.onState({ state: 'ready' });
        watch();
        options.onReady({ brokerId: info.brokerId, restarted });
      },
      (error: unknown) => {
        if (gen !== generation || closed) return;
        options.onState({ state: 'down', detail: errorText(error) });
      },
    );
  }

  /** Queues for the broker's lock; only its death lets the request through. */
  function watch(): void {
    if (!locks || watching || closed) return;
    const controller = new AbortController();
    watching = controller;
    locks
      .request(lockName, { signal: controller.signal }, () => {
        // Granted: whoever held the lock is gone. Returning releases the lock at once, so the
        // next broker can take it.
        if (watching === controller) watching = null;
        if (!closed) died();
      })
      .catch(() => undefined); // aborted by close()
  }

  function died(): void {
    quickDeaths = now() - readyAt < QUICK_DEATH_MS ? quickDeaths + 1 : 0;
    client.close(BROKER_STOPPED);
    options.onBrokerDied();
    if (quickDeaths >= MAX_QUICK_DEATHS) {
      generation++; // nothing from the old connection counts any more
      options.onState({ state: 'down', detail: 'the broker keeps stopping. Reload the page.' });
      return;
    }
    options.onState({ state: 'restarting' });
    start(true);
  }

  start(false);

  return {
    call<M extends BrokerMethod>(method: M, params: ParamsOf<M>): Promise<BrokerResults[M]> {
      return client.call(method, params);
    },
    rehello() {
      if (!closed) hello(generation, false);
    },
    onBatch(listener) {
      batchListeners.push(listener);
    },
    close(reason) {
      closed = true;
      watching?.abort();
      watching = null;
      taskServer?.close();
      client.close(reason);
    },
  };
}
