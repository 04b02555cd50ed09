// What a user can tune, persisted beside the threads (IndexedDB `settings` store). The relay's
// configuration gives the defaults; a user's saved value wins; the broker applies changes live.

export interface UserSettings {
  /** Most sockets the broker keeps open at once (PROTOCOL.md §1: one response per socket). */
  maxSockets: number;
  /** Idle sockets are closed after this long. */
  socketIdleMs: number;
  /** The thread is compacted when a response's usage.input_tokens passes this (PROTOCOL.md §4.8). */
  compactAtInputTokens: number;
}

export const SETTINGS_LIMITS = {
  maxSockets: { min: 1, max: 16 },
  socketIdleMs: { min: 10_000, max: 60 * 60_000 },
  compactAtInputTokens: { min: 1_000, max: 2_000_000 },
} as const;

export interface SettingsStore {
  /** Only what the user saved; absent keys fall back to the relay's or built-in defaults. */
  getSettings(): Promise<Partial<UserSettings>>;
  putSettings(settings: Partial<UserSettings>): Promise<void>;
}

/** Keeps only known keys with whole numbers inside their limits; the rest is dropped. */
export function sanitizeSettings(raw: unknown): Partial<UserSettings> {
  const out: Partial<UserSettings> = {};
  if (!raw || typeof raw !== 'object') return out;
  for (const key of Object.keys(SETTINGS_LIMITS) as (keyof UserSettings)[]) {
    const value = (raw as Record<string, unknown>)[key];
    const { min, max } = SETTINGS_LIMITS[key];
    if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) out[key] = value;
  }
  return out;
}

export function createMemorySettingsStore(initial: Partial<UserSettings> = {}): SettingsStore {
  let saved = sanitizeSettings(initial);
  return {
    getSettings: async () => ({ ...saved }),
    async putSettings(settings) {
      saved = { ...saved, ...sanitizeSettings(settings) };
    },
  };
}
