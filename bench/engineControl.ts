// The benchmarks' client for the embedded engine's test-control routes (server/engine/testControl.ts),
// served by the relay itself at /__engine/*.
import { CONTROL_PREFIX, type EngineLog, type ScriptedResponse } from '../server/engine/testControl.ts';

export interface EngineControl {
  /** Clears the script and the log and closes every engine socket (the broker reconnects). */
  reset(): Promise<void>;
  script(...responses: ScriptedResponse[]): Promise<void>;
  log(): Promise<EngineLog>;
  /** Closes every engine socket abruptly; the log and the script stay. */
  dropSockets(): Promise<void>;
}

export function engineControl(relayUrl: string): EngineControl {
  async function call(path: string, body?: unknown): Promise<unknown> {
    const init = body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
    const response = await fetch(`${relayUrl}${CONTROL_PREFIX}${path}`, init);
    if (!response.ok) throw new Error(`engine ${path}: ${response.status} ${await response.text()}`);
    return response.json();
  }
  return {
    reset: async () => void (await call('/reset', {})),
    script: async (...responses) => void (await call('/script', { responses })),
    log: async () => (await call('/log')) as EngineLog,
    dropSockets: async () => void (await call('/drop-sockets', {})),
  };
}
