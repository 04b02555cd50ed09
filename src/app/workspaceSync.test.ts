import { describe, expect, it } from 'vitest';
import { fakeBus } from './testing/fakes.ts';
import { createWorkspaceSync, type WorkspaceChannelLike } from './workspaceSync.ts';

describe('createWorkspaceSync', () => {
  it('tells the other tabs, not itself, and ignores foreign messages', () => {
    const bus = fakeBus();
    const heardA: (string | null)[] = [];
    const heardB: (string | null)[] = [];
    const b = bus.member();
    const a = createWorkspaceSync({ channel: bus.member() as unknown as WorkspaceChannelLike, onRemoteChange: (id) => heardA.push(id) });
    createWorkspaceSync({ channel: b as unknown as WorkspaceChannelLike, onRemoteChange: (id) => heardB.push(id) });
    a.announce('w1');
    a.announce(null);
    b.receive({ type: 'workspaces.changed', workspaceId: 7 });
    b.receive({ type: 'thread.changed', threadId: 't' });
    b.receive(null);
    expect(heardB).toEqual(['w1', null]);
    expect(heardA).toEqual([]);
  });

  it('leaves what a broker announces for other brokers to the broker channel tabs already hear', () => {
    const bus = fakeBus();
    const member = bus.member();
    const heard: (string | null)[] = [];
    createWorkspaceSync({ channel: member as unknown as WorkspaceChannelLike, onRemoteChange: (id) => heard.push(id) });
    member.receive({ type: 'workspaces.changed', workspaceId: 'w', fromBroker: true });
    member.receive({ type: 'workspaces.changed', workspaceId: 'w2' });
    expect(heard).toEqual(['w2']);
  });

  it('stops listening once closed', () => {
    const bus = fakeBus();
    const member = bus.member();
    const heard: (string | null)[] = [];
    const sync = createWorkspaceSync({ channel: member as unknown as WorkspaceChannelLike, onRemoteChange: (id) => heard.push(id) });
    sync.close();
    member.receive({ type: 'workspaces.changed', workspaceId: 'w' });
    expect(heard).toEqual([]);
    expect(member.listenerCount()).toBe(0);
  });
});
