import type { InspectorState } from '../core/brokerMessages.ts';
import type { LiveConnection } from '../core/liveTurns.ts';
import { useLive } from './useLive.ts';

export function connectionLabel(connection: LiveConnection | null): string {
  if (!connection) return 'Starting…';
  switch (connection.state) {
    case 'idle':
      return 'Idle';
    case 'connecting':
      return 'Connecting…';
    case 'connected':
      return 'Connected';
    case 'http-fallback':
      return 'HTTP fallback';
    case 'unreachable':
      return `Unreachable — ${connection.detail ?? 'no connection to the relay'}`;
  }
}

/**
 * Stopgap for a tab that joins a running broker: the broker sends `connection` only when the
 * state changes, so a new tab may never get one. Until it does, read the state off the pool
 * (which `inspect` returns at hello). Cannot tell "unreachable"; the broker's events can.
 */
export function connectionFromInspector(state: InspectorState | null): LiveConnection | null {
  if (!state) return null;
  if (state.transport === 'http') return { state: 'http-fallback' };
  if (state.sockets.some((s) => s.state === 'open')) return { state: 'connected' };
  if (state.sockets.some((s) => s.state === 'connecting')) return { state: 'connecting' };
  return { state: 'idle' };
}

/** The broker's connection state, from `connection` events. */
export function ConnectionStatus() {
  const event = useLive((s) => s.connection);
  const inspector = useLive((s) => s.inspector);
  const connection = event ?? connectionFromInspector(inspector);
  const state = connection?.state ?? 'starting';
  return (
    <div className={`connection connection--${state}`} role="status" aria-label="Connection" title={connection?.detail}>
      <span className="connection__dot" aria-hidden="true" />
      {connectionLabel(connection)}
    </div>
  );
}
