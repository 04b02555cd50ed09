import { describe, expect, it } from 'vitest';
import { summariseTasks, tabTasks, type TabWindow, type TraceEvent } from './taskTrace.ts';

const thread = (pid: number, tid: number, name: string): TraceEvent => ({ name: 'thread_name', ph: 'M', ts: 0, pid, tid, args: { name } });
const mark = (pid: number, name: string, ts: number, cat = 'blink.user_timing'): TraceEvent => ({ name, ph: 'I', ts, pid, tid: pid, cat });
const task = (pid: number, tid: number, ts: number, dur: number, tdur: number | undefined, cat = 'toplevel'): TraceEvent => ({
  name: 'ThreadControllerImpl::RunTask',
  ph: 'X',
  ts,
  dur,
  ...(tdur === undefined ? {} : { tdur }),
  pid,
  tid,
  cat,
});

// Tab A (pid 10) made its mark at wall 1,000,000 ms, trace 5,000,000 µs: wall µs = trace µs + 995,000,000.
// Tab B (pid 20) at wall 1,000,000 ms too, but trace 6,000,000 µs: its clock is 1 s off tab A's.
// Each tab counts its own span: A from wall 1,000,005 to 1,000,100 ms (trace 5,005,000–5,100,000 µs),
// B from 1,000,050 to 1,000,060 ms (trace 6,050,000–6,060,000 µs).
const windows = new Map<string, TabWindow>([
  ['sync-0', { syncAtMs: 1_000_000, fromMs: 1_000_005, toMs: 1_000_100 }],
  ['sync-1', { syncAtMs: 1_000_000, fromMs: 1_000_050, toMs: 1_000_060 }],
]);
const threads = [thread(10, 10, 'CrRendererMain'), thread(10, 11, 'Compositor'), thread(20, 20, 'CrRendererMain'), thread(30, 30, 'CrRendererMain')];
const marks = [mark(10, 'sync-0', 5_000_000), mark(20, 'sync-1', 6_000_000)];

function tasksOf(events: TraceEvent[]) {
  const result = tabTasks(events, windows);
  if (!result.ok) throw new Error(result.problem);
  return result.tasks;
}

describe('tabTasks', () => {
  it("keeps each tab's own top-level main-thread tasks in its own span, on its own clock", () => {
    const events = [
      // Out of order on purpose: the trace is not sorted by thread.
      task(10, 10, 5_020_000, 1_000, 900), // inside the long task below: part of it, not a task
      task(20, 20, 6_055_000, 2_000, 1_500), // tab B, in its span
      task(10, 10, 5_010_000, 5_000, 4_900), // starts with the long task, inside it
      task(10, 10, 5_010_000, 60_000, 6_000), // tab A: long, 6 ms of CPU
      task(10, 10, 5_090_000, 30_000, 25_000), // straddles the end of A's span
      task(10, 11, 5_010_000, 80_000, 80_000), // A's compositor thread
      task(20, 20, 5_050_000, 2_000, 2_000), // B's thread, inside A's span but not B's
      task(30, 30, 5_050_000, 90_000, 90_000), // a renderer no tab marked
      task(10, 10, 5_300_000, 70_000, 70_000), // after A's span
      task(10, 10, 5_200_000, 90_000, 90_000, 'disabled-by-default-devtools.timeline'), // not a top-level task
      ...threads,
      ...marks,
    ];
    expect(tasksOf(events)).toEqual(
      expect.arrayContaining([
        { wallMs: 60, cpuMs: 6 },
        { wallMs: 30, cpuMs: 25 },
        { wallMs: 2, cpuMs: 1.5 },
      ]),
    );
    expect(tasksOf(events)).toHaveLength(3);
  });

  it('counts a task that began before the span and ends in it', () => {
    expect(tasksOf([...threads, ...marks, task(10, 10, 4_990_000, 20_000, 3_000)])).toEqual([{ wallMs: 20, cpuMs: 3 }]);
  });

  it("says why it cannot tell: a tab's mark missing, a mark of another category, no thread time", () => {
    const one = task(10, 10, 5_010_000, 60_000, 6_000);
    expect(tabTasks([...threads, marks[0]!, one], windows)).toEqual({ ok: false, problem: 'the marks of 1 of 2 tabs are not in the trace' });
    expect(tabTasks([...threads, marks[0]!, mark(20, 'sync-1', 6_000_000, 'devtools.timeline'), one], windows)).toMatchObject({ ok: false });
    expect(tabTasks([...threads, ...marks, task(10, 10, 5_010_000, 60_000, undefined)], windows)).toEqual({
      ok: false,
      problem: "the trace gives no thread (CPU) time for 1 of the tabs' tasks over 1 ms",
    });
  });

  it("says so when a marked tab's renderer has no main thread in the trace, or no task overlaps the spans", () => {
    const withoutB = threads.filter((t) => t.pid !== 20);
    expect(tabTasks([...withoutB, ...marks, task(10, 10, 5_010_000, 60_000, 6_000)], windows)).toEqual({ ok: false, problem: 'the main threads of 1 of 2 renderers are not in the trace' });
    expect(tabTasks([...threads, ...marks, task(10, 10, 5_300_000, 1_000, 1_000)], windows)).toEqual({ ok: false, problem: "no task of the tabs' main threads in the trace overlaps their spans" });
  });

  it('counts each span of two tabs that share a renderer', () => {
    // Both tabs in pid 10, on the same clock: spans 5,005,000–5,010,000 and 5,050,000–5,060,000 µs.
    const shared = new Map<string, TabWindow>([
      ['sync-0', { syncAtMs: 1_000_000, fromMs: 1_000_005, toMs: 1_000_010 }],
      ['sync-1', { syncAtMs: 1_000_000, fromMs: 1_000_050, toMs: 1_000_060 }],
    ]);
    const events = [...threads, mark(10, 'sync-0', 5_000_000), mark(10, 'sync-1', 5_000_000), task(10, 10, 5_006_000, 1_000, 500), task(10, 10, 5_030_000, 1_000, 500), task(10, 10, 5_055_000, 2_000, 700)];
    const result = tabTasks(events, shared);
    expect(result).toEqual({ ok: true, tasks: [{ wallMs: 1, cpuMs: 0.5 }, { wallMs: 2, cpuMs: 0.7 }] });
  });

  it('bounds the CPU time of a tiny task without a thread time by its wall time', () => {
    expect(tasksOf([...threads, ...marks, task(10, 10, 5_010_000, 1, undefined), task(10, 10, 5_011_000, 2_000, 1_000)])).toEqual([
      { wallMs: 0.001, cpuMs: 0.001 },
      { wallMs: 2, cpuMs: 1 },
    ]);
  });
});

describe('summariseTasks', () => {
  it('gives the long tasks and the CPU they got apart from the heaviest task', () => {
    expect(
      summariseTasks([
        { wallMs: 60, cpuMs: 6 },
        { wallMs: 55, cpuMs: 9 },
        { wallMs: 40, cpuMs: 30 },
        { wallMs: 2, cpuMs: 1 },
      ]),
    ).toEqual({ tasks: 4, long: 2, longMaxCpuMs: 9, maxCpuMs: 30, maxCpuWallMs: 40 });
  });
});
