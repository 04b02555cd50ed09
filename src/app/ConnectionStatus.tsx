import type { InspectorState } from '../core/brokerMessages.ts';
import type { BrokerLinkState, LiveConnection } from '../core/liveTurns.ts';
import { useLive } from './useLive.ts';

export const BROKER_RESTARTING = 'Broker restarted — reconnecting…';

/** What the status says: this tab's link to the broker first (when it is not ready), then the
 *  broker's connection to the server. */
export function connectionLabel(connection: LiveConnection | null, link: BrokerLinkState = { state: 'ready' }): string {
  if (link.state === 'restarting') return BROKER_RESTARTING;
  if (link.state === 'down') return `Unreachable — ${link.detail}`;
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

/** The broker's connection state, from `connection` events, and this tab's link to the broker. */
export function ConnectionStatus() {
  const event = useLive((s) => s.connection);
  // Only what the status shows of the pool: the inspector's state changes with every turn.
  const fromPool = useLive((s) => (s.connection ? null : (connectionFromInspector(s.inspector)?.state ?? null)));
  const link = useLive((s) => s.link);
  const connection = event ?? (fromPool ? { state: fromPool } : null);
  const state = link.state === 'restarting' ? 'connecting' : link.state === 'down' ? 'unreachable' : (connection?.state ?? 'starting');
  return (
    <div className={`connection connection--${state}`} role="status" aria-label="Connection" title={link.state === 'down' ? link.detail : connection?.detail}>
      <span className="connection__dot" aria-hidden="true" />
      {connectionLabel(connection, link)}
    </div>
  );
}
