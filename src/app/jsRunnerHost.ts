// The tab's run_js sandbox: QuickJS in a dedicated worker the tab owns (sw/jsRunner.worker.ts),
// which the broker asks for through its tasks (brokerTasks.ts), because a SharedWorker cannot
// start a worker of its own. QuickJS keeps the code away from the worker's globals; the worker
// keeps the code's time away from every thread that matters: the broker's and this tab's.
//
// Each run has a worker to itself: an idle one is reused, a run while another is running starts
// one more (runs of different threads at once), and at most MAX_IDLE_WORKERS wait for the next.
// A run has two clocks, from the messages its worker sends:
//   run sent → 'started'   loading the sandbox, at most SANDBOX_START_TIMEOUT_MS
//   'started' → 'done'     the code, at most limits.timeoutMs + HARD_STOP_GRACE_MS
// QuickJS stops the code at its own limit and reports; if the worker is still silent a grace
// later, it is stuck in a native call the interrupt handler never sees, and terminating the
// worker is the only stop there is. A terminated worker is never reused.
//
// Browser APIs are injected (the worker factory, the clock), so the host runs under fakes in tests.
import type { JsRunLimits } from '../core/brokerMessages.ts';
import type { Clock, TimerHandle } from '../core/clock.ts';
import { HARD_STOP_GRACE_MS, SANDBOX_START_TIMEOUT_MS } from '../core/runJsDeadlines.ts';
import type { JsRunner, JsRunResult } from '../core/tools/toolContract.ts';

/** Workers kept for the next run: one is what a single conversation needs; each holds a
 *  loaded QuickJS module (about 1 MB), while an idle QuickJS instance is released after its run. */
export const MAX_IDLE_WORKERS = 1;

// ---- The host ↔ worker protocol (private to this file and sw/jsRunnerService.ts) ----

export type SandboxRequest = { type: 'run'; id: number; code: string; limits: JsRunLimits };
export type SandboxMessage =
  /** The sandbox is loaded and the code starts now: its time limit counts from here. */
  | { type: 'started'; id: number }
  | { type: 'done'; id: number; result: JsRunResult };

/** What the host needs of a Worker. */
export interface SandboxWorkerLike {
  postMessage(message: SandboxRequest): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  /** The worker's script failed to load, or threw outside a run. */
  addEventListener(type: 'error', listener: (event: Event) => void): void;
  terminate(): void;
}

export interface JsRunnerHostOptions {
  startWorker(): SandboxWorkerLike;
  clock: Clock;
}

/** What the model reads when the worker had to be terminated: its console output died with it. */
export function hardStopError(timeoutMs: number): string {
  return `timed out: the code ran longer than ${timeoutMs} ms and was stopped (it was stuck where the sandbox could not interrupt it, so the sandbox was ended, and its console output with it)`;
}

export const SANDBOX_START_FAILED = `the JavaScript sandbox could not be started: it did not load within ${SANDBOX_START_TIMEOUT_MS / 1000} s`;

interface ActiveRun {
  id: number;
  limits: JsRunLimits;
  timer: TimerHandle;
  resolve(result: JsRunResult): void;
}

interface Slot {
  worker: SandboxWorkerLike;
  run: ActiveRun | null;
}

const failed = (error: string): JsRunResult => ({ console: '', error, truncated: false });

export function createJsRunnerHost({ startWorker, clock }: JsRunnerHostOptions): JsRunner {
  const idle: Slot[] = [];
  let nextRunId = 1;

  function start(): Slot {
    const slot: Slot = { worker: startWorker(), run: null };
    slot.worker.addEventListener('message', (event) => onMessage(slot, event.data as SandboxMessage));
    slot.worker.addEventListener('error', (event) => {
      const message = (event as Partial<ErrorEvent>).message || 'its worker failed';
      end(slot, failed(`the JavaScript sandbox failed: ${message}`), { reuse: false });
    });
    return slot;
  }

  function onMessage(slot: Slot, message: SandboxMessage): void {
    const run = slot.run;
    if (!run || message?.id !== run.id) return;
    if (message.type === 'started') {
      clock.clearTimeout(run.timer);
      run.timer = clock.setTimeout(() => end(slot, failed(hardStopError(run.limits.timeoutMs)), { reuse: false }), run.limits.timeoutMs + HARD_STOP_GRACE_MS);
    } else if (message.type === 'done') {
      end(slot, message.result, { reuse: true });
    }
  }

  /** Answers the slot's run; a worker that misbehaved or was stopped is terminated, not kept. */
  function end(slot: Slot, result: JsRunResult, { reuse }: { reuse: boolean }): void {
    const run = slot.run;
    slot.run = null;
    if (run) {
      clock.clearTimeout(run.timer);
      run.resolve(result);
    }
    const index = idle.indexOf(slot);
    if (index !== -1) idle.splice(index, 1);
    if (reuse && idle.length < MAX_IDLE_WORKERS) idle.push(slot);
    else slot.worker.terminate();
  }

  return {
    run(code, limits) {
      return new Promise((resolve) => {
        let slot: Slot;
        try {
          slot = idle.pop() ?? start();
        } catch (error) {
          resolve(failed(`the JavaScript sandbox could not be started: ${error instanceof Error ? error.message : String(error)}`));
          return;
        }
        const id = nextRunId++;
        const timer = clock.setTimeout(() => end(slot, failed(SANDBOX_START_FAILED), { reuse: false }), SANDBOX_START_TIMEOUT_MS);
        slot.run = { id, limits, timer, resolve };
        try {
          slot.worker.postMessage({ type: 'run', id, code, limits });
        } catch (error) {
          end(slot, failed(`the JavaScript sandbox could not be reached: ${error instanceof Error ? error.message : String(error)}`), { reuse: false });
        }
      });
    },
  };
}
