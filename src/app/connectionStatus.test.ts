import { describe, expect, it } from 'vitest';
import { BROKER_RESTARTING, connectionLabel } from './ConnectionStatus.tsx';

describe('connectionLabel', () => {
  it('shows the broker’s word, with the detail when the server is unreachable', () => {
    expect(connectionLabel({ state: 'connected' })).toBe('Connected');
    expect(connectionLabel({ state: 'unreachable', detail: 'Cannot reach the server: refused' })).toBe('Unreachable — Cannot reach the server: refused');
    expect(connectionLabel(null)).toBe('Starting…');
  });

  it('puts this tab’s link to the broker first when it is not ready', () => {
    expect(connectionLabel({ state: 'connected' }, { state: 'restarting' })).toBe(BROKER_RESTARTING);
    expect(BROKER_RESTARTING).toBe('Broker restarted — reconnecting…');
    expect(connectionLabel({ state: 'connected' }, { state: 'down', detail: 'the broker failed: boom' })).toBe('Unreachable — the broker failed: boom');
    expect(connectionLabel({ state: 'idle' }, { state: 'connecting' })).toBe('Idle');
  });
});
