// What a tab's main thread did, task by task, from a Chromium trace: each task's wall time and the
// CPU time its thread actually got (`tdur`, the thread clock). A task's wall time counts its waits
// for a CPU; on a machine whose cores are all in use, a task that needs 6 ms of CPU can take
// 60 ms of wall time and be reported as a long task. The trace tells the two apart, where a
// PerformanceObserver in the page sees only the wall time.

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

/** Categories for taskTrace: top-level tasks (with thread time), and the page's marks (to put the
 *  page's clock on the trace's). */
export const TASK_TRACE_CATEGORIES = ['toplevel', 'blink.user_timing'];

/** The performance.mark each tab makes at a known wall-clock time, numbered per tab (syncMark). */
export const SYNC_MARK = 'bench-trace-sync';

export interface TaskStat {
  /** Wall time and thread (CPU) time, ms. */
  wallMs: number;
  cpuMs: number;
}

/**
 * The top-level tasks of the tabs' main threads that overlap the wall-clock span [fromMs, toMs]
 * (ms since the epoch). `syncs`: each tab's mark (by name) and the wall-clock time it was made
 * at; the mark's event in the trace tells the tab's renderer process and puts its clock on the
 * trace's. Null when no mark is in the trace.
 */
export function tabTasks(events: readonly TraceEvent[], syncs: ReadonlyMap<string, number>, fromMs: number, toMs: number): TaskStat[] | null {
  /** Per renderer process: wall clock (µs) − trace clock (µs). */
  const offsets = new Map<number, number>();
  for (const e of events) {
    const at = syncs.get(e.name);
    if (at !== undefined && (e.cat ?? '').includes('user_timing')) offsets.set(e.pid, at * 1000 - e.ts);
  }
  if (offsets.size === 0) return null;
  const mains = new Set<string>();
  for (const e of events) {
    if (e.ph === 'M' && e.name === 'thread_name' && offsets.has(e.pid) && (e.args as { name?: string } | undefined)?.name === 'CrRendererMain') mains.add(`${e.pid}:${e.tid}`);
  }
  const byThread = new Map<string, TraceEvent[]>();
  for (const e of events) {
    if (e.ph !== 'X' || e.dur === undefined || !mains.has(`${e.pid}:${e.tid}`)) continue;
    const key = `${e.pid}:${e.tid}`;
    let list = byThread.get(key);
    if (!list) byThread.set(key, (list = []));
    list.push(e);
  }
  const tasks: TaskStat[] = [];
  for (const list of byThread.values()) {
    const offset = offsets.get(list[0]!.pid)!;
    const from = fromMs * 1000 - offset;
    const to = toMs * 1000 - offset;
    list.sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
    let end = -Infinity;
    for (const e of list) {
      if (e.ts < end) continue; // nested in the task before
      end = e.ts + e.dur!;
      if (end > from && e.ts < to) tasks.push({ wallMs: e.dur! / 1000, cpuMs: (e.tdur ?? e.dur!) / 1000 });
    }
  }
  return tasks;
}

export interface TaskSummary {
  tasks: number;
  /** Tasks over 50 ms of wall time, and the most CPU time any of them got (ms; 0 when none). */
  long: number;
  longMaxCpuMs: number;
  /** The most CPU time any one task got, and its wall time. */
  maxCpuMs: number;
  maxCpuWallMs: number;
}

export const LONG_TASK_MS = 50;

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
