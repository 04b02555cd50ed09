// How long each side of a tab-hosted run_js waits (src/core/remoteJsRunner.ts in the broker,
// src/app/jsRunnerHost.ts in the tab). One file, because the broker's deadline is only right if
// it is longer than the longest a live tab can take to answer.
//
// A run in a tab, from the moment the tab receives it:
//   start    the tab's worker loads a fresh QuickJS instance (≤ SANDBOX_START_TIMEOUT_MS)
//   code     the code runs under its own limit (limits.timeoutMs), stopped by QuickJS's interrupt
//            handler, which then reports within a quarter second (quickJsRunner.ts REPORT_GRACE_MS)
//   stop     HARD_STOP_GRACE_MS after the limit the tab terminates the worker whatever it does
// So a live tab always answers within tabAnswerBudgetMs; the broker gives it TAB_ANSWER_MARGIN_MS
// more before it decides the tab is gone.

/** Loading the sandbox, not charged to the code's time limit: the first run in a worker fetches
 *  and compiles the ~700 kB QuickJS module (a few hundred ms on a slow machine, from the cache);
 *  later runs only instantiate its wasm (tens of ms). */
export const SANDBOX_START_TIMEOUT_MS = 5_000;

/** After the code's own limit, how long the tab waits for QuickJS to stop it and report before
 *  it terminates the worker. The interrupt handler stops interpreted code within milliseconds
 *  and the report takes at most 250 ms; what is still running after a second is a native call
 *  the interrupt handler never sees, and only ending the worker stops it. */
export const HARD_STOP_GRACE_MS = 1_000;

/** The broker's slack on top of the tab's budget: the messages broker → tab → worker and back,
 *  and a background tab's timers, which Chromium fires up to a second late. */
export const TAB_ANSWER_MARGIN_MS = 2_000;

/** The longest a live tab takes to answer a run of code limited to `timeoutMs`. */
export function tabAnswerBudgetMs(timeoutMs: number): number {
  return SANDBOX_START_TIMEOUT_MS + timeoutMs + HARD_STOP_GRACE_MS;
}

/** After this long without an answer the broker takes the tab for gone (crashed, hung, closed
 *  without saying bye): 13 s for run_js's 5 s limit. A tab that closes normally says bye, and
 *  the broker learns that at once. */
export function brokerRunDeadlineMs(timeoutMs: number): number {
  return tabAnswerBudgetMs(timeoutMs) + TAB_ANSWER_MARGIN_MS;
}
