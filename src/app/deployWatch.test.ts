import { describe, expect, it } from 'vitest';
import { DEPLOY_CHANNEL } from '../core/brokerMessages.ts';
import { ANSWER_QUIET_MS, watchDeployments } from './deployWatch.ts';
import { fakeBus } from './testing/fakes.ts';

function tab(bus: ReturnType<typeof fakeBus>, appVersion: string, clock: { t: number }) {
  const channel = bus.member();
  const posted: string[] = [];
  const seen: string[] = [];
  const post = channel.postMessage;
  channel.postMessage = (m: unknown) => {
    posted.push((m as { appVersion: string }).appVersion);
    post(m);
  };
  const watch = watchDeployments({ channel, appVersion, now: () => clock.t, onOtherVersion: (v) => seen.push(v) });
  return { channel, posted, seen, watch };
}

describe('watchDeployments', () => {
  it('uses a channel name that does not depend on the version', () => {
    expect(DEPLOY_CHANNEL).not.toMatch(/\d/);
  });

  it('announces on load; same-version tabs stay silent', () => {
    const bus = fakeBus();
    const clock = { t: 0 };
    const a = tab(bus, 'v1', clock);
    const b = tab(bus, 'v1', clock);
    expect(a.posted).toEqual(['v1']);
    expect(b.posted).toEqual(['v1']);
    expect(a.seen).toEqual([]);
    expect(b.seen).toEqual([]);
  });

  it('an old tab and a new tab learn of each other whichever loaded first, without an endless exchange', () => {
    const bus = fakeBus();
    const clock = { t: 0 };
    const old = tab(bus, 'v1', clock);
    const fresh = tab(bus, 'v2', clock);
    expect(old.seen).toEqual(['v2']);
    expect(fresh.seen).toEqual(['v1']);
    // Each announced on load and answered the other once; then quiet.
    expect(fresh.posted).toEqual(['v2', 'v2']);
    expect(old.posted).toEqual(['v1', 'v1']);
  });

  it('answers a later tab of another version again after the quiet period, reporting each version once', () => {
    const bus = fakeBus();
    const clock = { t: 0 };
    const newer = tab(bus, 'v2', clock);
    tab(bus, 'v1', clock);
    clock.t += ANSWER_QUIET_MS;
    const another = tab(bus, 'v1', clock);
    expect(another.seen).toEqual(['v2']);
    expect(newer.seen).toEqual(['v1']);
  });

  it('ignores other messages and stops on close', () => {
    const bus = fakeBus();
    const clock = { t: 0 };
    const a = tab(bus, 'v1', clock);
    a.channel.receive({ type: 'other' });
    a.channel.receive(null);
    a.channel.receive({ type: 'version', appVersion: 3 });
    expect(a.seen).toEqual([]);
    a.watch.close();
    expect(a.channel.listenerCount()).toBe(0);
  });
});
