// The dedicated worker a tab starts for run_js (src/app/jsRunnerWorker.ts): the code runs here,
// in QuickJS, so neither the broker's thread nor the tab's waits for it, and the tab can
// terminate this worker when the code is stuck. The logic is in jsRunnerService.ts.
/// <reference lib="webworker" />
import { serveSandboxRuns } from './jsRunnerService.ts';

declare const self: DedicatedWorkerGlobalScope;

serveSandboxRuns(self);
