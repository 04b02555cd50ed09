import { describe, expect, it } from 'vitest';
import { describeSettings, draftFrom, readDraft, SETTINGS_MESSAGES } from './settingsForm.ts';

const inForce = { maxSockets: 4, socketIdleMs: 300_000, compactAtInputTokens: 200_000 };

describe('settings form', () => {
  it('shows the values in force, the idle time in seconds', () => {
    expect(draftFrom(inForce)).toEqual({ maxSockets: '4', idleSeconds: '300', compactAtInputTokens: '200000' });
    expect(draftFrom({ maxSockets: 1, socketIdleMs: 90_500, compactAtInputTokens: 200_000 })).toEqual({ maxSockets: '1', idleSeconds: '90.5', compactAtInputTokens: '200000' });
  });

  it('saves only the fields changed from the values in force', () => {
    expect(readDraft({ maxSockets: '4', idleSeconds: '300', compactAtInputTokens: '200000' }, inForce)).toEqual({ changes: {}, errors: {} });
    expect(readDraft({ maxSockets: ' 1 ', idleSeconds: '300', compactAtInputTokens: '200000' }, inForce)).toEqual({ changes: { maxSockets: 1 }, errors: {} });
    expect(readDraft({ maxSockets: '4', idleSeconds: '60', compactAtInputTokens: '200000' }, inForce)).toEqual({ changes: { socketIdleMs: 60_000 }, errors: {} });
    expect(readDraft({ maxSockets: '16', idleSeconds: '3600', compactAtInputTokens: '200000' }, inForce)).toEqual({ changes: { maxSockets: 16, socketIdleMs: 3_600_000 }, errors: {} });
    expect(readDraft({ maxSockets: '1', idleSeconds: '10', compactAtInputTokens: '200000' }, inForce).changes).toEqual({ maxSockets: 1, socketIdleMs: 10_000 });
  });

  it('rejects values outside SETTINGS_LIMITS, fractions, text and empty fields', () => {
    for (const bad of ['0', '17', '2.5', '', 'abc', '-1', '1e9']) {
      expect(readDraft({ maxSockets: bad, idleSeconds: '300', compactAtInputTokens: '200000' }, inForce)).toEqual({ changes: {}, errors: { maxSockets: SETTINGS_MESSAGES.maxSockets } });
    }
    for (const bad of ['9', '3601', '10.5', '', 'x']) {
      expect(readDraft({ maxSockets: '2', idleSeconds: bad, compactAtInputTokens: '200000' }, inForce)).toEqual({ changes: { maxSockets: 2 }, errors: { idleSeconds: SETTINGS_MESSAGES.idleSeconds } });
    }
    expect(SETTINGS_MESSAGES.maxSockets).toBe('Pool size must be a whole number from 1 to 16.');
    expect(SETTINGS_MESSAGES.idleSeconds).toBe('Idle time must be a whole number of seconds from 10 to 3600.');
  });

  it('does not block saving on a default in force outside the user’s limits', () => {
    const relayDefault = { maxSockets: 32, socketIdleMs: 5_000, compactAtInputTokens: 200_000 };
    expect(readDraft({ maxSockets: '32', idleSeconds: '5', compactAtInputTokens: '200000' }, relayDefault)).toEqual({ changes: {}, errors: {} });
    expect(readDraft({ maxSockets: '2', idleSeconds: '5', compactAtInputTokens: '200000' }, relayDefault)).toEqual({ changes: { maxSockets: 2 }, errors: {} });
  });

  it('without the values in force, checks and saves every filled field', () => {
    expect(readDraft({ maxSockets: '', idleSeconds: '', compactAtInputTokens: '' }, null)).toEqual({ changes: {}, errors: {} });
    expect(readDraft({ maxSockets: '3', idleSeconds: '', compactAtInputTokens: '' }, null)).toEqual({ changes: { maxSockets: 3 }, errors: {} });
    expect(readDraft({ maxSockets: '99', idleSeconds: '20', compactAtInputTokens: '' }, null)).toEqual({ changes: { socketIdleMs: 20_000 }, errors: { maxSockets: SETTINGS_MESSAGES.maxSockets } });
  });

  it('validates and saves the compaction threshold like the others', () => {
    const draft = (tokens: string) => ({ maxSockets: '4', idleSeconds: '300', compactAtInputTokens: tokens });
    expect(readDraft(draft('50000'), inForce)).toEqual({ changes: { compactAtInputTokens: 50_000 }, errors: {} });
    for (const bad of ['999', '2000001', '1.5', 'lots', '']) {
      expect(readDraft(draft(bad), inForce)).toEqual({ changes: {}, errors: { compactAtInputTokens: SETTINGS_MESSAGES.compactAtInputTokens } });
    }
  });

  it('describes the values in force', () => {
    expect(describeSettings({ maxSockets: 1, socketIdleMs: 300_000, compactAtInputTokens: 200_000 })).toBe('pool size 1 socket, idle sockets closed after 300 s, compaction above 200,000 input tokens');
    expect(describeSettings({ maxSockets: 4, socketIdleMs: 10_000, compactAtInputTokens: 5_000 })).toBe('pool size 4 sockets, idle sockets closed after 10 s, compaction above 5,000 input tokens');
  });
});
