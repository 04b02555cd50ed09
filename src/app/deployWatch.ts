// Tells a tab that another tab runs a different deployment of Switchboard. Every tab announces
// its version on DEPLOY_CHANNEL (a name that never changes between deployments) when it loads,
// and answers announcements of other versions, so old and new tabs learn of each other whichever
// opened first. Same-version tabs stay silent.
//
// The message carries no "this is an answer" flag, so two tabs of different versions would
// answer each other forever: a tab answers a given version at most once per ANSWER_QUIET_MS.
import type { DeployMessage } from '../core/brokerMessages.ts';

export interface DeployChannelLike {
  postMessage(message: DeployMessage): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
}

export const ANSWER_QUIET_MS = 2_000;

function isDeployMessage(data: unknown): data is DeployMessage {
  return typeof data === 'object' && data !== null && (data as { type?: unknown }).type === 'version' && typeof (data as { appVersion?: unknown }).appVersion === 'string';
}

export function watchDeployments(options: {
  channel: DeployChannelLike;
  appVersion: string;
  now?: () => number;
  /** Called once per other version seen. */
  onOtherVersion(appVersion: string): void;
}): { close(): void } {
  const { channel, appVersion } = options;
  const now = options.now ?? (() => Date.now());
  const seen = new Set<string>();
  const answeredAt = new Map<string, number>();
  const announce = () => channel.postMessage({ type: 'version', appVersion });

  const onMessage = (event: MessageEvent) => {
    if (!isDeployMessage(event.data) || event.data.appVersion === appVersion) return;
    const other = event.data.appVersion;
    const last = answeredAt.get(other);
    if (last === undefined || now() - last >= ANSWER_QUIET_MS) {
      answeredAt.set(other, now());
      announce();
    }
    if (!seen.has(other)) {
      seen.add(other);
      options.onOtherVersion(other);
    }
  };
  channel.addEventListener('message', onMessage);
  announce();
  return { close: () => channel.removeEventListener('message', onMessage) };
}
