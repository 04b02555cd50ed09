// Metric 7 — cold start: time from navigation start to an interactive composer on reload, with
// the service worker's cache warm (the installed PWA) vs from the HTTP cache alone (the service
// worker unregistered before the reload; hashed assets are then `immutable` in the HTTP cache,
// index.html is revalidated). Alternating, on a thread with a few turns in it.
import { openAppTab } from '../appTab.ts';
import { ms, type BenchContext, type MetricReport } from '../context.ts';
import { median, round } from '../stats.ts';

const ROUNDS = 5;
const TURNS_IN_THREAD = 3;

type Side = 'serviceWorker' | 'httpCache';

interface Load {
  composerMs: number;
  /** Chromium's first paint, when it reported one (it may not count the app's paint as contentful). */
  firstPaintMs: number | null;
  controlled: boolean;
}

declare global {
  interface Window {
    __benchColdStart?: { composerMs: number | null; firstPaintMs: number | null; controlled: boolean };
  }
}

/** Runs at document start of every load (Page.addScriptToEvaluateOnNewDocument). */
function watchColdStart(): void {
  const record = { composerMs: null as number | null, firstPaintMs: null as number | null, controlled: navigator.serviceWorker?.controller != null };
  window.__benchColdStart = record;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) if (entry.name === 'first-paint') record.firstPaintMs = entry.startTime;
  }).observe({ type: 'paint', buffered: true });
  const observer = new MutationObserver(() => {
    if (!document.querySelector('textarea[aria-label="Message"]')) return;
    record.composerMs = performance.now();
    observer.disconnect();
  });
  observer.observe(document, { childList: true, subtree: true });
}

export async function measureColdStart(ctx: BenchContext): Promise<MetricReport> {
  ctx.progress('cold start');
  const app = await openAppTab(ctx.browser, ctx.relayUrl);
  await app.newThread();
  for (let i = 0; i < TURNS_IN_THREAD; i++) await app.send(`hello ${i}`, true);
  const tab = app.tab;
  await tab.addInitScript(watchColdStart);

  const loads: Record<Side, Load[]> = { serviceWorker: [], httpCache: [] };
  for (let r = 0; r < ROUNDS; r++) {
    const order: Side[] = r % 2 === 0 ? ['serviceWorker', 'httpCache'] : ['httpCache', 'serviceWorker'];
    for (const side of order) {
      if (side === 'serviceWorker') {
        // After an unregister, the app's register() may revive the old registration, which then
        // never claims the page: an unmeasured reload puts the page under its control.
        if (!(await tab.run(activeWorker))) throw new Error('the app did not register its service worker');
        await tab.reload();
      } else {
        await tab.run(unregisterServiceWorkers);
      }
      await tab.reload();
      loads[side].push(await tab.run(untilComposer));
    }
  }
  await app.close();

  const composer = (side: Side) => median(loads[side].map((l) => l.composerMs));
  const sw = composer('serviceWorker');
  const http = composer('httpCache');
  const notes: string[] = [];
  if (loads.serviceWorker.some((l) => !l.controlled)) notes.push('Some service-worker loads were not controlled by the worker; they were served from the network.');
  return {
    id: 'coldstart',
    title: '7. Cold start (reload to an interactive composer)',
    method:
      `Reload of a thread with ${TURNS_IN_THREAD} turns; time from navigation start to the composer in the DOM (a MutationObserver installed at document start). ` +
      `${ROUNDS} reloads per side, alternating: the service worker controlling the page (precache warm) vs the worker unregistered (HTTP cache only).`,
    rows: [
      {
        metric: 'Cold start to interactive composer, service worker cache',
        value: ms(sw, 1),
        baseline: `${ms(http, 1)} HTTP cache only`,
        comparison: `×${(sw / http).toFixed(2)}`,
        target: '',
        met: null,
      },
    ],
    notes,
    data: { loads: Object.fromEntries(Object.entries(loads).map(([k, v]) => [k, v.map((l) => ({ ...l, composerMs: round(l.composerMs, 1), firstPaintMs: l.firstPaintMs === null ? null : round(l.firstPaintMs, 1) }))])) },
  };
}

/** Resolves true once the page's service worker registration is active. */
async function activeWorker(): Promise<boolean> {
  const ready = await Promise.race([navigator.serviceWorker.ready, new Promise<null>((resolve) => setTimeout(() => resolve(null), 20_000))]);
  return ready?.active != null;
}

async function unregisterServiceWorkers(): Promise<void> {
  for (const registration of await navigator.serviceWorker.getRegistrations()) await registration.unregister();
}

async function untilComposer(): Promise<Load> {
  const deadline = performance.now() + 20_000;
  for (;;) {
    const record = window.__benchColdStart;
    if (record?.composerMs != null) return { composerMs: record.composerMs, firstPaintMs: record.firstPaintMs, controlled: record.controlled };
    if (performance.now() > deadline) throw new Error('the composer did not appear after the reload');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
