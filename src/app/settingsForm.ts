// The Settings dialog's form logic, kept apart from React so it is tested in Node: the text in
// the number inputs ⇄ UserSettings, validated against SETTINGS_LIMITS.
import { SETTINGS_LIMITS, type UserSettings } from '../core/settings.ts';

/** What the inputs hold, as typed. The idle timeout is shown in seconds, stored in ms. */
export interface SettingsDraft {
  maxSockets: string;
  idleSeconds: string;
  compactAtInputTokens: string;
}

export type SettingsErrors = Partial<Record<keyof SettingsDraft, string>>;

const IDLE_SECONDS = { min: SETTINGS_LIMITS.socketIdleMs.min / 1000, max: SETTINGS_LIMITS.socketIdleMs.max / 1000 };

export const SETTINGS_MESSAGES = {
  maxSockets: `Pool size must be a whole number from ${SETTINGS_LIMITS.maxSockets.min} to ${SETTINGS_LIMITS.maxSockets.max}.`,
  idleSeconds: `Idle time must be a whole number of seconds from ${IDLE_SECONDS.min} to ${IDLE_SECONDS.max}.`,
  compactAtInputTokens: `The compaction threshold must be a whole number of tokens from ${SETTINGS_LIMITS.compactAtInputTokens.min.toLocaleString('en-US')} to ${SETTINGS_LIMITS.compactAtInputTokens.max.toLocaleString('en-US')}.`,
} as const;

export const INPUT_BOUNDS = { maxSockets: SETTINGS_LIMITS.maxSockets, idleSeconds: IDLE_SECONDS, compactAtInputTokens: SETTINGS_LIMITS.compactAtInputTokens } as const;

export function draftFrom(settings: UserSettings): SettingsDraft {
  return { maxSockets: String(settings.maxSockets), idleSeconds: String(settings.socketIdleMs / 1000), compactAtInputTokens: String(settings.compactAtInputTokens) };
}

/** A whole number inside [min, max], or null. */
function wholeIn(text: string, { min, max }: { min: number; max: number }): number | null {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  const n = Number(trimmed);
  return Number.isInteger(n) && n >= min && n <= max ? n : null;
}

/**
 * What to save, or what is wrong. With `inForce` (the broker's values), a field still showing
 * the value in force is neither validated nor saved: it keeps following the relay's default (and
 * a default outside the user's limits never blocks saving the other field). Without it (the
 * broker did not answer), every field is checked and saved, except an empty one.
 */
export function readDraft(draft: SettingsDraft, inForce: UserSettings | null): { changes: Partial<UserSettings>; errors: SettingsErrors } {
  const changes: Partial<UserSettings> = {};
  const errors: SettingsErrors = {};
  const unchanged = (text: string, value: number | undefined) => value !== undefined && text.trim() !== '' && Number(text.trim()) === value;

  if (!unchanged(draft.maxSockets, inForce?.maxSockets) && !(inForce === null && draft.maxSockets.trim() === '')) {
    const n = wholeIn(draft.maxSockets, INPUT_BOUNDS.maxSockets);
    if (n === null) errors.maxSockets = SETTINGS_MESSAGES.maxSockets;
    else changes.maxSockets = n;
  }
  const idleSeconds = inForce ? inForce.socketIdleMs / 1000 : undefined;
  if (!unchanged(draft.idleSeconds, idleSeconds) && !(inForce === null && draft.idleSeconds.trim() === '')) {
    const n = wholeIn(draft.idleSeconds, INPUT_BOUNDS.idleSeconds);
    if (n === null) errors.idleSeconds = SETTINGS_MESSAGES.idleSeconds;
    else changes.socketIdleMs = n * 1000;
  }
  const tokens = draft.compactAtInputTokens ?? '';
  if (!unchanged(tokens, inForce?.compactAtInputTokens) && !(inForce === null && tokens.trim() === '')) {
    const n = wholeIn(tokens, INPUT_BOUNDS.compactAtInputTokens);
    if (n === null) errors.compactAtInputTokens = SETTINGS_MESSAGES.compactAtInputTokens;
    else changes.compactAtInputTokens = n;
  }
  return { changes, errors };
}

/** "pool size 1 socket, idle sockets closed after 300 s, compaction above 200,000 input tokens" */
export function describeSettings(settings: UserSettings): string {
  const sockets = `${settings.maxSockets} ${settings.maxSockets === 1 ? 'socket' : 'sockets'}`;
  return `pool size ${sockets}, idle sockets closed after ${settings.socketIdleMs / 1000} s, compaction above ${settings.compactAtInputTokens.toLocaleString('en-US')} input tokens`;
}
