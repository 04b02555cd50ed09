// Starts the tab's run_js worker (sw/jsRunner.worker.ts, driven by jsRunnerHost.ts). The only
// module that knows the worker's file.
import type { SandboxWorkerLike } from './jsRunnerHost.ts';

/** The worker's name, as DevTools and the browser's task manager show it. */
const JS_RUNNER_WORKER_NAME = 'switchboard-run-js';

export function startJsRunnerWorker(): SandboxWorkerLike {
  return new Worker(new URL('../../sw/jsRunner.worker.ts', import.meta.url), { type: 'module', name: JS_RUNNER_WORKER_NAME });
}
