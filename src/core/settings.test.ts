import { describe, expect, it } from 'vitest';
import { createMemorySettingsStore, sanitizeSettings } from './settings.ts';

describe('user settings', () => {
  it('keeps only known keys with whole numbers inside their limits', () => {
    expect(sanitizeSettings({ maxSockets: 3, socketIdleMs: 60_000, extra: 1 })).toEqual({ maxSockets: 3, socketIdleMs: 60_000 });
    expect(sanitizeSettings({ maxSockets: 0, socketIdleMs: 1.5 })).toEqual({});
    expect(sanitizeSettings({ maxSockets: 17 })).toEqual({});
    expect(sanitizeSettings('garbage')).toEqual({});
    expect(sanitizeSettings(null)).toEqual({});
  });

  it('merges saved values and drops invalid ones', async () => {
    const store = createMemorySettingsStore({ maxSockets: 2 });
    await store.putSettings({ socketIdleMs: 20_000 });
    await store.putSettings({ maxSockets: -1 } as never);
    expect(await store.getSettings()).toEqual({ maxSockets: 2, socketIdleMs: 20_000 });
  });
});
