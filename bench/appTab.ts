// A benchmark tab running the real app: the user's steps (page/ui.ts) and the measurement hook
// (page/probe.ts), from the Node side.
import type { BenchBrowser } from './browser.ts';
import { installProbe, type CaptureResult, type CaptureSpec } from './page/probe.ts';
import { uiComposerReady, uiIdle, uiNewThread, uiSend, uiShowThread, type SendResult } from './page/ui.ts';
import { openTab, type Tab } from './tab.ts';
import { DEFAULT_DB_NAME } from '../src/storage/idbThreadStore.ts';

export interface AppTab {
  readonly tab: Tab;
  /** Opens `path` (e.g. `/t/<id>`) on the relay and waits for the composer. */
  open(path: string): Promise<void>;
  newThread(): Promise<string>;
  /** Sends through the composer; with `wait`, until the turn finished. */
  send(text: string, wait: boolean): Promise<SendResult>;
  /** Resolves once the open thread has no running turn. */
  idle(): Promise<void>;
  startCapture(spec: CaptureSpec): Promise<void>;
  collect(timeoutMs: number, settleMs: number, until?: { idle?: boolean; ended?: boolean }): Promise<CaptureResult>;
  /** Shows another thread, as a click on it in the thread list does. */
  show(threadId: string): Promise<void>;
  close(): Promise<void>;
}

export async function openAppTab(browser: BenchBrowser, relayUrl: string, path = '/'): Promise<AppTab> {
  const tab = await openTab(browser);
  await tab.addInitScript(installProbe);
  const app: AppTab = {
    tab,
    async open(target) {
      await tab.goto(`${relayUrl}${target}`);
      await tab.run(uiComposerReady);
      const connected = await tab.run(() => window.__benchProbe?.brokerWorker != null);
      if (!connected) throw new Error('the app started no broker SharedWorker');
    },
    newThread: () => tab.run(uiNewThread, DEFAULT_DB_NAME),
    send: (text, wait) => tab.run(uiSend, { text, wait }),
    idle: () => tab.run(uiIdle),
    async startCapture(spec) {
      await tab.run((s: CaptureSpec) => window.__benchProbe!.start(s), spec);
    },
    collect: (timeoutMs, settleMs, until = {}) =>
      tab.run((o: { timeoutMs: number; settleMs: number; untilIdle: boolean; untilEnded: boolean }) => window.__benchProbe!.collect(o), {
        timeoutMs,
        settleMs,
        untilIdle: until.idle ?? false,
        untilEnded: until.ended ?? false,
      }),
    show: (threadId) => tab.run(uiShowThread, threadId),
    close: () => tab.close(),
  };
  await app.open(path);
  return app;
}

/** Opens `count` app tabs on `path`, one after another (as a user would). */
export async function openAppTabs(browser: BenchBrowser, relayUrl: string, count: number, path = '/'): Promise<AppTab[]> {
  const tabs: AppTab[] = [];
  for (let i = 0; i < count; i++) tabs.push(await openAppTab(browser, relayUrl, path));
  return tabs;
}

export async function closeAll(tabs: readonly AppTab[]): Promise<void> {
  await Promise.all(tabs.map((t) => t.close()));
}
