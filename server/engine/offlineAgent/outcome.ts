// What a tool's output says about how the call went. The tools report everything as text (the
// broker's contract: failures and denials are outputs too), so the agent reads the words.

/** denied: the call did not run (a person said no, or the thread does not allow it). */
export type CallOutcome = 'ok' | 'denied' | 'failed';

/** The call never ran: "The user denied this … call", "… is not allowed: nothing was run or
 *  changed" (a read-only thread), "stopped the turn before this call was approved", "Denied: …". */
const NOT_RUN = /^\W*(?:denied|the user denied|user denied|rejected by the user)\b|\bdenied by the user\b|\bnothing was run or changed\b/i;
/** "Error: …", a patch that did not apply ("…, nothing was changed"), a parse error naming its line. */
const FAILED = /^\W*(?:error|failed|cannot|could not|invalid)\b|\bnothing was changed\b|^patch line \d+:/i;
/** run_js puts its console output first and the code's error on a line of its own. */
const RUN_ERROR = /^Error: /m;

export function outcomeOf(output: string, tool?: string): CallOutcome {
  if (NOT_RUN.test(output)) return 'denied';
  if (FAILED.test(output) || (tool === 'run_js' && RUN_ERROR.test(output))) return 'failed';
  return 'ok';
}
