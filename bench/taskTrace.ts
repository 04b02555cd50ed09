// What a tab's main thread did, task by task, from a Chromium trace: each task's wall time and the
// CPU time its thread got (`tdur`, the thread clock). A task's wall time counts the time its thread
// was off the CPU: waiting for a core (on a machine whose cores are all in use, a task that needs
// 6 ms of CPU can take 60 ms of wall time and be reported as a long task) or blocked on another
// thread. The trace tells CPU time from time off the CPU, where a PerformanceObserver in the page
// sees only the wall time.

/** The trace events this module reads (Chrome's JSON trace format). */
export interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  tdur?: number;
  pid: number;
  tid: number;
  cat?: string;
  args?: Record<string, unknown>;
}

/** Categories for tabTasks: top-level tasks (with thread time), and the tabs' marks (to find
 *  their renderers and put their clocks on the trace's). */
export const TASK_TRACE_CATEGORIES: readonly string[] = ['toplevel', 'blink.user_timing'];

/** A task on a thread over this much wall time is a long task (the Long Tasks API's threshold). */
export const LONG_TASK_MS = 50;

/** The name of tab i's performance.mark, made at a known wall-clock time. */
export const syncMarkName = (tab: number): string => `bench-trace-sync-${tab}`;

/** One tab: its mark's wall-clock time and the span (ms since the epoch) whose tasks count. */
export interface TabWindow {
  syncAtMs: number;
  fromMs: number;
  toMs: number;
}

export interface TaskStat {
  /** Wall time and thread (CPU) time, ms. */
  wallMs: number;
  cpuMs: number;
}

/** A task of at most this wall time (µs) without a thread time counts its wall time as CPU time. */
const UNTIMED_MAX_US = 1000;

export type TabTasks = { ok: true; tasks: TaskStat[] } | { ok: false; problem: string };

/**
 * The top-level tasks of each tab's renderer main thread that overlap the tab's span. `tabs`:
 * each tab's window, by the name of its mark; the mark's event in the trace tells the tab's
 * renderer process and puts the tab's clock on the trace's. Fails (with why) when a tab's mark
 * or main thread is not in the trace, or when the trace gives no thread time.
 */
export function tabTasks(events: readonly TraceEvent[], tabs: ReadonlyMap<string, TabWindow>): TabTasks {
  /** Per renderer process: its tabs' windows on the trace's clock (µs). Tabs may share one. */
  const windows = new Map<number, { from: number; to: number }[]>();
  const found = new Set<string>();
  for (const e of events) {
    const tab = tabs.get(e.name);
    if (!tab || !(e.cat ?? '').includes('user_timing') || found.has(e.name)) continue;
    found.add(e.name);
    const offset = tab.syncAtMs * 1000 - e.ts; // wall clock (µs) − trace clock (µs)
    const list = windows.get(e.pid) ?? [];
    list.push({ from: tab.fromMs * 1000 - offset, to: tab.toMs * 1000 - offset });
    windows.set(e.pid, list);
  }
  if (found.size < tabs.size) return { ok: false, problem: `the marks of ${tabs.size - found.size} of ${tabs.size} tabs are not in the trace` };

  const mainOf = new Map<number, number>();
  for (const e of events) {
    if (e.ph === 'M' && e.name === 'thread_name' && windows.has(e.pid) && (e.args as { name?: string } | undefined)?.name === 'CrRendererMain') mainOf.set(e.pid, e.tid);
  }
  if (mainOf.size < windows.size) return { ok: false, problem: `the main threads of ${windows.size - mainOf.size} of ${windows.size} renderers are not in the trace` };

  interface Task {
    ts: number;
    dur: number;
    tdur: number | undefined;
  }
  const byProcess = new Map<number, Task[]>();
  for (const e of events) {
    if (e.ph !== 'X' || e.dur === undefined || !(e.cat ?? '').split(',').includes('toplevel') || mainOf.get(e.pid) !== e.tid) continue;
    const list = byProcess.get(e.pid) ?? [];
    list.push({ ts: e.ts, dur: e.dur, tdur: e.tdur });
    byProcess.set(e.pid, list);
  }
  const tasks: TaskStat[] = [];
  /** Tasks over UNTIMED_MAX_US of wall time without a thread time: their CPU time is unknown. */
  let withoutThreadTime = 0;
  for (const [pid, list] of byProcess) {
    const spans = windows.get(pid)!;
    // Outermost first where two start together: the later events inside it are its own parts.
    list.sort((a, b) => a.ts - b.ts || b.dur - a.dur);
    let end = -Infinity;
    for (const task of list) {
      if (task.ts < end) continue; // inside the task before
      end = task.ts + task.dur;
      if (!spans.some((s) => end > s.from && task.ts < s.to)) continue;
      if (task.tdur !== undefined) tasks.push({ wallMs: task.dur / 1000, cpuMs: task.tdur / 1000 });
      // Chromium leaves the thread time out of some tasks of a microsecond or so: their wall
      // time bounds their CPU time, and no claim here gets stronger for it.
      else if (task.dur <= UNTIMED_MAX_US) tasks.push({ wallMs: task.dur / 1000, cpuMs: task.dur / 1000 });
      else withoutThreadTime++;
    }
  }
  if (withoutThreadTime > 0) return { ok: false, problem: `the trace gives no thread (CPU) time for ${withoutThreadTime} of the tabs' tasks over ${UNTIMED_MAX_US / 1000} ms` };
  if (tasks.length === 0) return { ok: false, problem: "no task of the tabs' main threads in the trace overlaps their spans" };
  return { ok: true, tasks };
}

export interface TaskSummary {
  tasks: number;
  /** Tasks over LONG_TASK_MS of wall time, and the most CPU time any of them got (ms; 0 when none). */
  long: number;
  longMaxCpuMs: number;
  /** The most CPU time any one task got, and its wall time. */
  maxCpuMs: number;
  maxCpuWallMs: number;
}

export function summariseTasks(tasks: readonly TaskStat[]): TaskSummary {
  const long = tasks.filter((t) => t.wallMs > LONG_TASK_MS);
  const heaviest = tasks.reduce<TaskStat | null>((best, t) => (best === null || t.cpuMs > best.cpuMs ? t : best), null);
  return {
    tasks: tasks.length,
    long: long.length,
    longMaxCpuMs: Math.max(0, ...long.map((t) => t.cpuMs)),
    maxCpuMs: heaviest?.cpuMs ?? 0,
    maxCpuWallMs: heaviest?.wallMs ?? 0,
  };
}
