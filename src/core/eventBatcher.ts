// Batches broker events for the BroadcastChannels. One channel message per stream event halves
// the socket's throughput and stalls tabs; one message per 4 ms or per 64 events keeps the full
// rate at 60 fps (measured, see bench/).
//
// Three choices keep batching from costing latency or copies:
// - Leading edge: the first event after a quiet period goes out at the end of the current task
//   (a microtask), together with whatever that task produced, instead of waiting out the window.
//   Only events that follow within BATCH_MAX_DELAY_MS of a flush wait for the next one.
// - Coalescing: consecutive text deltas of one output item, pending in the same batch, become one
//   event with the joined text and one sequence number, so a tab clones and applies one small
//   event per item per batch rather than dozens.
// - One `thread.changed` per thread per batch: each makes tabs re-read the thread from
//   IndexedDB, and a turn's writes (record, items, progress) announce several in a row. The one
//   kept says `record` if any of them did.
// - Topics: events of one thread (those with a `seq`, and a `thread.changed` of its turns and
//   items only) are published on that thread's topic, the rest (inspector, connection, changes
//   of a thread's record, which thread lists show) on the app-wide topic, so a tab receives
//   only the stream of the thread it shows (sw/eventDelivery.ts: a thread's topic goes to the
//   ports of the tabs showing it, the app-wide one to a BroadcastChannel).
import type { BrokerEvent, BrokerEventBatch, ThreadEvent } from './brokerMessages.ts';
import type { Clock, TimerHandle } from './clock.ts';

export const BATCH_MAX_EVENTS = 64;
export const BATCH_MAX_DELAY_MS = 4;
/** A coalesced delta stops growing here, so one event never carries an unbounded string. */
const MERGED_DELTA_MAX_CHARS = 64 * 1024;

/** Where a batch goes: a thread's own topic, or (null) the app-wide one. */
export type EventTopic = string | null;

export interface EventBatcher {
  push(event: BrokerEvent): void;
  /**
   * Appends `delta` to the thread's last pending event when that is a text delta of the same
   * item and request; returns false when it could not (the caller then emits a new event).
   */
  appendDelta(threadId: string, turnId: string, request: number, itemId: string, delta: string): boolean;
  /** Sends whatever is pending now (e.g. before a snapshot, which must not race a merge). */
  flush(): void;
  /** Makes sure a flush comes soon even with nothing pending (state events, see collectState). */
  schedule(): void;
}

type TextDelta = Extract<ThreadEvent, { kind: 'text.delta' }>;
type ThreadChanged = Extract<BrokerEvent, { kind: 'thread.changed' }>;

/** Whether only tabs showing the event's thread need it. */
function ofOneThread(event: BrokerEvent): event is ThreadEvent | ThreadChanged {
  return 'seq' in event || (event.kind === 'thread.changed' && !event.record);
}

export function createEventBatcher(options: {
  clock: Clock;
  publish(topic: EventTopic, batch: BrokerEventBatch): void;
  /** Called at each flush for state events that only the latest value of matters (inspector). */
  collectState?(): BrokerEvent[];
  maxEvents?: number;
  maxDelayMs?: number;
}): EventBatcher {
  const maxEvents = options.maxEvents ?? BATCH_MAX_EVENTS;
  const maxDelay = options.maxDelayMs ?? BATCH_MAX_DELAY_MS;
  /** Pending events in emission order. */
  let pending: BrokerEvent[] = [];
  /** The last pending event of each thread, when it is a text delta that may still grow. */
  let openDeltas = new Map<string, TextDelta>();
  /** The pending `thread.changed` of each thread: a second one in the same batch adds at most
   *  its `record` flag. */
  let changedThreads = new Map<string, ThreadChanged>();
  let timer: TimerHandle | null = null;
  let microtaskQueued = false;
  /** When the last batch went out; -Infinity: never (the next event goes out at once). */
  let lastFlushAt = -Infinity;

  const flush = () => {
    if (timer !== null) {
      options.clock.clearTimeout(timer);
      timer = null;
    }
    const events = pending;
    pending = [];
    openDeltas = new Map();
    changedThreads = new Map();
    const state = options.collectState?.() ?? [];
    if (events.length === 0 && state.length === 0) return;
    lastFlushAt = options.clock.now();
    const byThread = new Map<string, BrokerEvent[]>();
    const app: BrokerEvent[] = [];
    for (const event of events) {
      if (ofOneThread(event)) {
        const list = byThread.get(event.threadId);
        if (list) list.push(event);
        else byThread.set(event.threadId, [event]);
      } else {
        app.push(event);
      }
    }
    app.push(...state);
    for (const [threadId, list] of byThread) options.publish(threadId, { type: 'batch', events: list });
    if (app.length > 0) options.publish(null, { type: 'batch', events: app });
  };

  const schedule = () => {
    if (timer !== null || microtaskQueued) return;
    const wait = lastFlushAt + maxDelay - options.clock.now();
    if (wait <= 0) {
      // Leading edge: out at the end of this task, with everything the task produces.
      microtaskQueued = true;
      queueMicrotask(() => {
        microtaskQueued = false;
        flush();
      });
    } else {
      // The timer alone closes the window, and it runs late when the worker is busy: while a
      // stream floods the worker with socket tasks, batches went out every 100–150 ms instead
      // of 4 (Chromium trace of the broker during a 1 MiB answer), each carrying more text.
      // Flushing as soon as 4 ms had passed (checked on every event) sent ~20× the batches for
      // nothing measurable (A/B in one browser, timer only vs checked, 3–4 rounds each): long
      // tasks in the tab drawing a 1 MiB answer 14 vs 10 warm, 22 vs 20 in fresh tabs; 8 tabs
      // streaming at once 3,750 vs 3,445 deltas/s in aggregate, long tasks 132 vs 162.
      timer = options.clock.setTimeout(flush, wait);
    }
  };

  return {
    push(event) {
      if (event.kind === 'thread.changed') {
        const pendingChange = changedThreads.get(event.threadId);
        if (pendingChange) {
          pendingChange.record ||= event.record;
          return;
        }
        // A copy is what may be upgraded: the caller's object stays as it was given.
        const own = { ...event };
        changedThreads.set(event.threadId, own);
        pending.push(own);
      } else if (event.kind === 'text.delta') {
        // A copy is what may grow (appendDelta): the caller's object stays as it was given.
        const open = { ...event };
        openDeltas.set(event.threadId, open);
        pending.push(open);
      } else {
        if ('seq' in event) openDeltas.delete(event.threadId);
        pending.push(event);
      }
      if (pending.length >= maxEvents) flush();
      else schedule();
    },
    appendDelta(threadId, turnId, request, itemId, delta) {
      const open = openDeltas.get(threadId);
      if (!open || open.turnId !== turnId || open.request !== request || open.itemId !== itemId) return false;
      if (open.delta.length + delta.length > MERGED_DELTA_MAX_CHARS) return false;
      open.delta += delta;
      return true;
    },
    flush,
    schedule,
  };
}
