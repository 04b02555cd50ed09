// What the tab's run_js worker does (sw/jsRunner.worker.ts is only its entry): runs each request
// in QuickJS with quickJsRunner, exactly as the broker used to, and tells the host when the
// sandbox is loaded, so that the host's hard stop (src/app/jsRunnerHost.ts) counts the code's time
// and not the loading. The worker exposes nothing to the code: QuickJS is a separate interpreter
// that sees only the console quickJsRunner gives it, not this worker's globals.
import type { SandboxMessage, SandboxRequest } from '../src/app/jsRunnerHost.ts';
import { createQuickJsRunner, loadQuickJs, type QuickJsLoader } from '../src/core/tools/quickJsRunner.ts';

/** The worker's global scope, as far as this file uses it. */
export interface SandboxScope {
  postMessage(message: SandboxMessage): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
}

export function serveSandboxRuns(scope: SandboxScope, load: QuickJsLoader = loadQuickJs): void {
  scope.addEventListener('message', (event) => {
    const request = event.data as SandboxRequest | null;
    if (request?.type !== 'run') return;
    const runner = createQuickJsRunner({
      load: async (options) => {
        const module = await load(options);
        scope.postMessage({ type: 'started', id: request.id });
        return module;
      },
    });
    void runner.run(request.code, request.limits).then((result) => scope.postMessage({ type: 'done', id: request.id, result }));
  });
}
