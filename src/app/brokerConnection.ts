// Starts the broker worker: a SharedWorker (one broker for every tab of this app version), or a
// dedicated worker where SharedWorker is missing (e.g. Chrome on Android). The broker entry
// supports both. This is the only module that knows the worker's file.
import { brokerWorkerName } from '../core/brokerMessages.ts';
import { APP_VERSION } from '../appVersion.ts';
import type { Endpoint } from './brokerClient.ts';

export interface BrokerConnection {
  endpoint: Endpoint;
  /** 'shared' normally; 'dedicated' when this tab runs its own broker. */
  kind: 'shared' | 'dedicated';
  /** Called when the worker script fails to load or throws at top level. */
  onError(listener: (message: string) => void): void;
}

export function connectBroker(): BrokerConnection {
  const errorListeners: ((message: string) => void)[] = [];
  const reportError = (event: Event) => {
    const message = event instanceof ErrorEvent && event.message ? event.message : 'the broker worker failed to start';
    for (const listener of errorListeners) listener(message);
  };

  if (typeof SharedWorker !== 'undefined') {
    const worker = new SharedWorker(new URL('../../sw/broker.worker.ts', import.meta.url), {
      type: 'module',
      name: brokerWorkerName(APP_VERSION),
      // Lets the broker outlive its last tab for a short while (Chromium 148+), so reloading the
      // only tab mid-turn resumes the turn instead of interrupting it.
      extendedLifetime: true,
    } as WorkerOptions);
    worker.addEventListener('error', reportError);
    return { endpoint: worker.port, kind: 'shared', onError: (l) => errorListeners.push(l) };
  }

  const worker = new Worker(new URL('../../sw/broker.worker.ts', import.meta.url), { type: 'module' });
  worker.addEventListener('error', reportError);
  return { endpoint: worker, kind: 'dedicated', onError: (l) => errorListeners.push(l) };
}
