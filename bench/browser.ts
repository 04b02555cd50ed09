// Real Chromium for the benchmarks, driven WITHOUT network tracing.
//
// Playwright enables the CDP Network domain on every page (and dedicated worker) it manages;
// that instrumentation makes a WebSocket opened in the page about 2× slower, while the broker's
// SharedWorker socket is never traced. A direct-socket baseline measured in a Playwright page
// would therefore flatter the broker. So Playwright only launches the browser here; every tab is
// created through a bare browser-level CDP session (`Target.createTarget`) in the default
// browser context, which Playwright does not manage (it detaches from such targets at once), and
// is driven through `Target.sendMessageToTarget` with Runtime/Page commands only. No session
// ever sends `Network.enable`, so neither side of any comparison is traced. The Chromium traces the
// benchmarks take (startTracing: top-level tasks and page marks, no network) cover extra runs that
// no comparison counts (metrics/throughput.ts).
import { existsSync } from 'node:fs';
import { chromium, type Browser, type CDPSession } from '@playwright/test';
import type { TraceEvent } from './taskTrace.ts';

const DEBIAN_CHROMIUM = '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** A laptop-sized window: wide enough that the app shows its inspector beside the transcript. */
const WINDOW_SIZE = { width: 1280, height: 720 };

/** A CDP session on one target (page or worker), over the browser session. */
export interface TargetSession {
  send<R = unknown>(method: string, params?: Record<string, unknown>): Promise<R>;
  detach(): Promise<void>;
}

export interface TargetInfo {
  targetId: string;
  type: string;
  url: string;
}

export interface BenchBrowser {
  /** e.g. "Chromium 156.0.8078.108", plus where it came from. */
  version: string;
  executable: string;
  /** A new blank page in the default (on-disk) browser context, untraced. */
  newPage(): Promise<{ targetId: string; session: TargetSession }>;
  attach(targetId: string): Promise<TargetSession>;
  targets(): Promise<TargetInfo[]>;
  closeTarget(targetId: string): Promise<void>;
  /** A browser-wide Chromium trace of these categories, from start to stop (taskTrace.ts). */
  startTracing(categories: readonly string[]): Promise<void>;
  stopTracing(): Promise<TraceEvent[]>;
  close(): Promise<void>;
}

export async function launchBenchBrowser(): Promise<BenchBrowser> {
  const executable = existsSync(DEBIAN_CHROMIUM) ? DEBIAN_CHROMIUM : chromium.executablePath();
  const browser: Browser = await chromium.launch({ executablePath: executable, args: CHROMIUM_ARGS });
  const root: CDPSession = await browser.newBrowserCDPSession();
  const router = createMessageRouter(root);

  return {
    version: `Chromium ${browser.version()}`,
    executable,
    async newPage() {
      // A window per tab, as a user with several windows would have: tabs sharing a window are
      // hidden behind the front one, and hidden tabs get no animation frames (no rendering).
      const { targetId } = await root.send('Target.createTarget', { url: 'about:blank', newWindow: true, ...WINDOW_SIZE });
      return { targetId, session: await router.attach(targetId) };
    },
    attach: (targetId) => router.attach(targetId),
    async targets() {
      const { targetInfos } = await root.send('Target.getTargets');
      return targetInfos.map(({ targetId, type, url }) => ({ targetId, type, url }));
    },
    async closeTarget(targetId) {
      await root.send('Target.closeTarget', { targetId }).catch(() => undefined);
    },
    startTracing: (categories) => browser.startTracing(undefined, { categories: [...categories] }),
    async stopTracing() {
      const trace = JSON.parse((await browser.stopTracing()).toString('utf8')) as { traceEvents?: TraceEvent[] } | TraceEvent[];
      return Array.isArray(trace) ? trace : (trace.traceEvents ?? []);
    },
    close: () => browser.close(),
  };
}

/** Multiplexes non-flattened target sessions over the one browser-level CDP session. */
function createMessageRouter(root: CDPSession) {
  const sessions = new Map<string, Map<number, { resolve(value: unknown): void; reject(error: Error): void }>>();
  let nextId = 1;

  root.on('Target.receivedMessageFromTarget', ({ sessionId, message }) => {
    const parsed = JSON.parse(message) as { id?: number; result?: unknown; error?: { message: string } };
    if (parsed.id === undefined) return; // an event: no session here enables any domain that sends them
    const waiter = sessions.get(sessionId)?.get(parsed.id);
    if (!waiter) return;
    sessions.get(sessionId)!.delete(parsed.id);
    if (parsed.error) waiter.reject(new Error(parsed.error.message));
    else waiter.resolve(parsed.result);
  });
  root.on('Target.detachedFromTarget', ({ sessionId }) => {
    if (!sessionId) return;
    for (const waiter of sessions.get(sessionId)?.values() ?? []) waiter.reject(new Error('target closed'));
    sessions.delete(sessionId);
  });

  return {
    async attach(targetId: string): Promise<TargetSession> {
      const { sessionId } = await root.send('Target.attachToTarget', { targetId, flatten: false });
      const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
      sessions.set(sessionId, pending);
      return {
        send<R>(method: string, params: Record<string, unknown> = {}) {
          const id = nextId++;
          return new Promise<R>((resolve, reject) => {
            pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
            root.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) }).catch((error: Error) => {
              pending.delete(id);
              reject(error);
            });
          });
        },
        async detach() {
          sessions.delete(sessionId);
          await root.send('Target.detachFromTarget', { sessionId }).catch(() => undefined);
        },
      };
    },
  };
}
