// run_js off the broker's thread: the broker's JsRunner sends the code to a tab, which runs it in
// a dedicated worker of its own (src/app/jsRunnerHost.ts), because Chromium has no nested Worker
// in a SharedWorker. Meanwhile the broker goes on streaming every tab's turns; a run that cannot
// be interrupted costs a tab's worker, never the broker.
//
// Which tab: of the tabs that said hello on their port, the one with the fewest runs in flight
// (parallel runs of different threads land in different tabs, each with its own thread), among
// those the one that said hello last (the newest tab is the least likely to be closing).
//
// A tab can go away mid-run: it says bye when it closes (the run is given up at once), or it
// crashes or hangs and stops answering (given up at brokerRunDeadlineMs, and the tab is not
// asked again unless its answer still comes: then it was only slow). Running code has no effects
// outside the sandbox, so the run is simply tried again, in another tab, once. With no tab to ask,
// the code runs in the broker itself (the old behaviour: it blocks the broker's thread while it
// runs), so run_js always works. Only when the second tab goes away as well does the run end with
// an error that says so: code that takes two tabs down with it is not then run in the broker.
//
// Pure: the ports, the clock and the in-broker runner are injected (sw/broker.worker.ts wires them).
import type { JsRunLimits, TaskCall, TaskReply } from './brokerMessages.ts';
import type { Clock } from './clock.ts';
import { brokerRunDeadlineMs } from './runJsDeadlines.ts';
import type { JsRunner, JsRunResult } from './tools/toolContract.ts';

/** Tabs asked to run one piece of code: the first, and one more if the first went away. */
export const MAX_TABS_PER_RUN = 2;

/** The one thing the runner does with a tab's port. */
export interface TaskPort {
  postMessage(message: TaskCall): void;
}

export interface RemoteJsRunnerOptions {
  /** Runs the code in the broker itself when no tab can (QuickJS on the broker's thread). */
  local: JsRunner;
  clock: Clock;
  log?: (message: string) => void;
}

export interface RemoteJsRunner extends JsRunner {
  /** The tab said hello on `port`: it runs code from now on, preferred over every older tab. */
  tabHello(tabId: string, port: TaskPort): void;
  /** The tab said bye (it is closing, or going into the back/forward cache): it gets no more
   *  code, and what it was running is tried elsewhere at once. */
  tabBye(tabId: string): void;
  /** A taskResult arrived on the port of the tab that said hello as `tabId`. */
  taskReply(tabId: string, port: TaskPort, reply: TaskReply): void;
  /** The tabs that can run code now, the preferred first. */
  tabs(): string[];
}

/** Why a tab did not answer a run. */
type LostReason = 'closed' | 'silent' | 'unreachable';

type Attempt = { kind: 'answered'; result: JsRunResult } | { kind: 'lost'; reason: LostReason };

interface TabEntry {
  tabId: string;
  port: TaskPort;
  /** Order of the last hello: the highest is the newest tab. */
  helloOrder: number;
  /** Runs sent to this tab and not answered yet. */
  inFlight: number;
}

interface PendingTask {
  tab: TabEntry;
  settle(attempt: Attempt): void;
}

const LOST_DESCRIPTION: Record<LostReason, string> = {
  closed: 'closed',
  silent: 'stopped answering',
  unreachable: 'could not be reached',
};

export function createRemoteJsRunner({ local, clock, log = () => undefined }: RemoteJsRunnerOptions): RemoteJsRunner {
  const tabs = new Map<string, TabEntry>();
  const pending = new Map<number, PendingTask>();
  /** Runs given up because their tab stopped answering (task id → tab id): an answer that comes
   *  after all shows the tab was only slow. Few, and each is dropped when its tab says bye. */
  const givenUp = new Map<number, string>();
  let nextTaskId = 1;
  let helloCount = 0;

  function pickTab(tried: ReadonlySet<string>): TabEntry | undefined {
    let best: TabEntry | undefined;
    for (const tab of tabs.values()) {
      if (tried.has(tab.tabId)) continue;
      if (!best || tab.inFlight < best.inFlight || (tab.inFlight === best.inFlight && tab.helloOrder > best.helloOrder)) best = tab;
    }
    return best;
  }

  /** Stops asking the tab; only the entry given, so a newer hello of the same tab stays. */
  function forget(tab: TabEntry): void {
    if (tabs.get(tab.tabId) === tab) tabs.delete(tab.tabId);
  }

  function runInTab(tab: TabEntry, code: string, limits: JsRunLimits): Promise<Attempt> {
    return new Promise((resolve) => {
      const id = nextTaskId++;
      const timer = clock.setTimeout(() => {
        log(`tab ${tab.tabId} did not answer run_js within ${brokerRunDeadlineMs(limits.timeoutMs)} ms; it is no longer asked`);
        forget(tab);
        givenUp.set(id, tab.tabId);
        settle({ kind: 'lost', reason: 'silent' });
      }, brokerRunDeadlineMs(limits.timeoutMs));
      const settle = (attempt: Attempt) => {
        if (!pending.delete(id)) return;
        clock.clearTimeout(timer);
        tab.inFlight--;
        resolve(attempt);
      };
      pending.set(id, { tab, settle });
      tab.inFlight++;
      try {
        tab.port.postMessage({ kind: 'task', id, task: 'runJs', code, limits });
      } catch (error) {
        log(`tab ${tab.tabId} could not be sent run_js: ${error instanceof Error ? error.message : String(error)}`);
        forget(tab);
        settle({ kind: 'lost', reason: 'unreachable' });
      }
    });
  }

  return {
    async run(code, limits) {
      const tried = new Set<string>();
      const lost: LostReason[] = [];
      while (tried.size < MAX_TABS_PER_RUN) {
        const tab = pickTab(tried);
        if (!tab) break;
        tried.add(tab.tabId);
        const attempt = await runInTab(tab, code, limits);
        if (attempt.kind === 'answered') return attempt.result;
        lost.push(attempt.reason);
        log(`tab ${tab.tabId} ${LOST_DESCRIPTION[attempt.reason]} while it ran run_js`);
      }
      if (lost.length >= MAX_TABS_PER_RUN) return tabsWentAway(lost);
      log(lost.length > 0 ? 'no other tab can run run_js: running it in the broker' : 'no tab can run run_js: running it in the broker');
      return local.run(code, limits);
    },

    tabHello(tabId, port) {
      const order = ++helloCount;
      const known = tabs.get(tabId);
      if (known) {
        known.port = port;
        known.helloOrder = order;
      } else {
        tabs.set(tabId, { tabId, port, helloOrder: order, inFlight: 0 });
      }
    },

    tabBye(tabId) {
      tabs.delete(tabId);
      for (const task of [...pending.values()]) if (task.tab.tabId === tabId) task.settle({ kind: 'lost', reason: 'closed' });
      for (const [id, silentTab] of givenUp) if (silentTab === tabId) givenUp.delete(id);
    },

    taskReply(tabId, port, reply) {
      const task = pending.get(reply.id);
      if (task && task.tab.tabId === tabId) task.settle({ kind: 'answered', result: reply.ok ? checkedResult(reply.result) : couldNotRun(reply.error) });
      // A tab given up for silence that answers after all was only slow (busy, or throttled in
      // the background): it runs code again, after every tab that never missed a deadline.
      if (givenUp.get(reply.id) === tabId) {
        givenUp.delete(reply.id);
        if (!tabs.has(tabId)) tabs.set(tabId, { tabId, port, helloOrder: 0, inFlight: 0 });
      }
    },

    tabs: () => [...tabs.values()].sort((a, b) => a.inFlight - b.inFlight || b.helloOrder - a.helloOrder).map((tab) => tab.tabId),
  };
}

function tabsWentAway(lost: readonly LostReason[]): JsRunResult {
  const [first, second] = lost.map((reason) => LOST_DESCRIPTION[reason]);
  return {
    console: '',
    error: `the code did not finish: the browser tab running it ${first} mid-run, and the tab it was then run again in ${second} too; it was not run a third time`,
    truncated: false,
  };
}

function couldNotRun(message: string): JsRunResult {
  return { console: '', error: `the JavaScript sandbox failed: ${message}`, truncated: false };
}

/** A tab of the same app version sent it, but it crossed a process boundary: check its shape. */
function checkedResult(value: unknown): JsRunResult {
  const run = value as Partial<Record<keyof JsRunResult, unknown>> | null;
  const optionalText = (field: unknown) => field === undefined || typeof field === 'string';
  if (typeof run === 'object' && run !== null && typeof run.console === 'string' && typeof run.truncated === 'boolean' && optionalText(run.result) && optionalText(run.error)) {
    return {
      console: run.console,
      truncated: run.truncated,
      ...(run.result !== undefined && { result: run.result as string }),
      ...(run.error !== undefined && { error: run.error as string }),
    };
  }
  return couldNotRun('the tab sent back a malformed result');
}
