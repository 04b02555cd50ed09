// Tabs tell each other about workspace changes they make themselves (created, renamed, deleted,
// files imported): the broker never sees those, so its `workspace.changed` events cannot cover
// them. A tab that hears one re-reads what it shows of that workspace.

/** `workspaceId` null: only the list of workspaces changed. `fromBroker`: a broker's tools wrote
 *  the files; it says so for other brokers' caches, tabs heard it on the broker's own channel. */
export type WorkspaceSyncMessage = { type: 'workspaces.changed'; workspaceId: string | null; fromBroker?: true };

export interface WorkspaceChannelLike {
  postMessage(message: WorkspaceSyncMessage): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  close?(): void;
}

export const workspaceChannelName = (appVersion: string) => `switchboard:workspaces:${appVersion}`;

function isSyncMessage(data: unknown): data is WorkspaceSyncMessage {
  if (typeof data !== 'object' || data === null || (data as { type?: unknown }).type !== 'workspaces.changed') return false;
  const id = (data as { workspaceId?: unknown }).workspaceId;
  return id === null || typeof id === 'string';
}

export interface WorkspaceSync {
  /** Tells the other tabs; this tab updates itself (it knows what it just did). */
  announce(workspaceId: string | null): void;
  close(): void;
}

export function createWorkspaceSync(options: { channel: WorkspaceChannelLike; onRemoteChange(workspaceId: string | null): void }): WorkspaceSync {
  const { channel } = options;
  const onMessage = (event: MessageEvent) => {
    if (isSyncMessage(event.data) && !event.data.fromBroker) options.onRemoteChange(event.data.workspaceId);
  };
  channel.addEventListener('message', onMessage);
  return {
    announce: (workspaceId) => channel.postMessage({ type: 'workspaces.changed', workspaceId }),
    close() {
      channel.removeEventListener('message', onMessage);
      channel.close?.();
    },
  };
}
