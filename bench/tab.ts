// One browser tab as the benchmarks drive it: navigate, and run a function in the page.
//
// Page functions are ordinary TypeScript functions serialised with `toString()`, so they must be
// self-contained: no imports, no closures over Node values; their one argument is JSON.
import type { BenchBrowser, TargetSession } from './browser.ts';

export interface Tab {
  readonly targetId: string;
  /** Runs `fn(arg)` in the page and returns its (awaited, JSON-serialisable) result. */
  run<A, R>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R>;
  run<R>(fn: () => R | Promise<R>): Promise<R>;
  /** Runs `fn()` at the start of every document this tab loads from now on (before the page's
   *  own scripts). */
  addInitScript(fn: () => void): Promise<void>;
  /** Navigates and waits until the new document has loaded. */
  goto(url: string): Promise<void>;
  reload(): Promise<void>;
  close(): Promise<void>;
}

interface EvaluateResult {
  result?: { value?: unknown };
  exceptionDetails?: { text: string; exception?: { description?: string } };
}

/** tsx compiles functions with esbuild's keepNames, which wraps inner functions in `__name(…)`. */
const PRELUDE = 'const __name = (f) => f;';
const LOAD_TIMEOUT_MS = 20_000;

export async function openTab(browser: BenchBrowser, url?: string): Promise<Tab> {
  const { targetId, session } = await browser.newPage();
  const tab = createTab(browser, targetId, session);
  if (url) await tab.goto(url);
  return tab;
}

function createTab(browser: BenchBrowser, targetId: string, session: TargetSession): Tab {
  async function run(fn: (arg?: unknown) => unknown, arg?: unknown): Promise<unknown> {
    const expression = `(() => { ${PRELUDE} return (${fn.toString()})(${arg === undefined ? '' : JSON.stringify(arg)}); })()`;
    const reply = await session.send<EvaluateResult>('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true, userGesture: true });
    if (reply.exceptionDetails) {
      throw new Error(`in page: ${reply.exceptionDetails.exception?.description ?? reply.exceptionDetails.text}`);
    }
    return reply.result?.value;
  }

  /** Marks the current document, so that waitForLoad can tell the next one from it (the app
   *  may rewrite the URL as it starts, so the URL cannot tell them apart). */
  const markDocument = () => run(() => void ((window as { __benchOldDocument?: boolean }).__benchOldDocument = true)).catch(() => undefined);

  /** Polls until a new document has committed and loaded; the old document may answer first. */
  async function waitForLoad(what: string) {
    const deadline = Date.now() + LOAD_TIMEOUT_MS;
    for (;;) {
      const ready = await run(() => !(window as { __benchOldDocument?: boolean }).__benchOldDocument && document.readyState === 'complete').catch(() => false);
      if (ready) return;
      if (Date.now() > deadline) throw new Error(`page did not load: ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  return {
    targetId,
    run: run as Tab['run'],
    async addInitScript(fn) {
      await session.send('Page.enable'); // scripts for new documents take effect only with Page on
      await session.send('Page.addScriptToEvaluateOnNewDocument', { source: `(() => { ${PRELUDE} (${fn.toString()})(); })()` });
    },
    async goto(url) {
      await markDocument();
      const reply = await session.send<{ errorText?: string }>('Page.navigate', { url });
      if (reply.errorText) throw new Error(`cannot open ${url}: ${reply.errorText}`);
      await waitForLoad(url);
    },
    async reload() {
      await markDocument();
      await session.send('Page.reload', {});
      await waitForLoad('reload');
    },
    async close() {
      await session.detach();
      await browser.closeTarget(targetId);
    },
  };
}
