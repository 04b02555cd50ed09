// Batches broker events for the BroadcastChannel. One channel message per stream event halves
// the socket's throughput and stalls tabs; one message per 4 ms or per 64 events keeps the full
// rate at 60 fps (measured, see bench/).
import type { BrokerEvent, BrokerEventBatch } from './brokerMessages.ts';
import type { Clock, TimerHandle } from './clock.ts';

export const BATCH_MAX_EVENTS = 64;
export const BATCH_MAX_DELAY_MS = 4;

export interface EventBatcher {
  push(event: BrokerEvent): void;
  /** Sends whatever is pending now (e.g. before a reply the tab will act on). */
  flush(): void;
}

export function createEventBatcher(options: {
  clock: Clock;
  publish(batch: BrokerEventBatch): void;
  /** Called at each flush for state events that only the latest value of matters (inspector). */
  collectState?(): BrokerEvent[];
  maxEvents?: number;
  maxDelayMs?: number;
}): EventBatcher & { schedule(): void } {
  const maxEvents = options.maxEvents ?? BATCH_MAX_EVENTS;
  const maxDelay = options.maxDelayMs ?? BATCH_MAX_DELAY_MS;
  let pending: BrokerEvent[] = [];
  let timer: TimerHandle | null = null;

  const flush = () => {
    if (timer !== null) {
      options.clock.clearTimeout(timer);
      timer = null;
    }
    const events = pending;
    pending = [];
    const state = options.collectState?.() ?? [];
    if (events.length === 0 && state.length === 0) return;
    options.publish({ type: 'batch', events: state.length ? events.concat(state) : events });
  };
  const schedule = () => {
    if (timer === null) timer = options.clock.setTimeout(flush, maxDelay);
  };
  return {
    push(event) {
      pending.push(event);
      if (pending.length >= maxEvents) flush();
      else schedule();
    },
    flush,
    schedule,
  };
}
