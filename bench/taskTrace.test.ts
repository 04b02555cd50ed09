import { describe, expect, it } from 'vitest';
import { summariseTasks, tabTasks, type TraceEvent } from './taskTrace.ts';

const thread = (pid: number, tid: number, name: string): TraceEvent => ({ name: 'thread_name', ph: 'M', ts: 0, pid, tid, args: { name } });
const mark = (pid: number, name: string, ts: number): TraceEvent => ({ name, ph: 'I', ts, pid, tid: pid, cat: 'blink.user_timing' });
const task = (pid: number, tid: number, ts: number, dur: number, tdur: number): TraceEvent => ({ name: 'ThreadControllerImpl::RunTask', ph: 'X', ts, dur, tdur, pid, tid, cat: 'toplevel' });

describe('tabTasks', () => {
  // Tab A (pid 10) made its mark at wall 1,000,000 ms, trace time 5,000,000 µs: wall µs = trace µs + 995,000,000.
  // Tab B (pid 20) at wall 1,000,001 ms, trace time 5,001,000 µs: the same offset.
  const syncs = new Map([
    ['sync-0', 1_000_000],
    ['sync-1', 1_000_001],
  ]);
  const base = [thread(10, 10, 'CrRendererMain'), thread(10, 11, 'Compositor'), thread(20, 20, 'CrRendererMain'), thread(30, 30, 'CrRendererMain'), mark(10, 'sync-0', 5_000_000), mark(20, 'sync-1', 5_001_000)];

  it("keeps the marked tabs' main-thread tasks that overlap the span, with wall and CPU time", () => {
    const events = [
      ...base,
      task(10, 10, 5_010_000, 60_000, 6_000), // a long task that got 6 ms of CPU
      task(10, 10, 5_020_000, 1_000, 900), // nested in the one before: not a task of its own
      task(10, 11, 5_010_000, 80_000, 80_000), // the compositor thread
      task(20, 20, 5_050_000, 2_000, 1_500),
      task(30, 30, 5_050_000, 90_000, 90_000), // a renderer no tab marked
      task(20, 20, 5_300_000, 70_000, 70_000), // after the span
    ];
    // Span: wall 1,000,005 ms to 1,000,100 ms, i.e. trace 5,005,000 to 5,100,000 µs.
    const tasks = tabTasks(events, syncs, 1_000_005, 1_000_100);
    expect(tasks).toEqual([
      { wallMs: 60, cpuMs: 6 },
      { wallMs: 2, cpuMs: 1.5 },
    ]);
    expect(summariseTasks(tasks!)).toEqual({ tasks: 2, long: 1, longMaxCpuMs: 6, maxCpuMs: 6, maxCpuWallMs: 60 });
  });

  it('counts a task that began before the span and ends in it', () => {
    const tasks = tabTasks([...base, task(10, 10, 4_990_000, 20_000, 3_000)], syncs, 1_000_005, 1_000_100);
    expect(tasks).toEqual([{ wallMs: 20, cpuMs: 3 }]);
  });

  it('says nothing without a mark in the trace', () => {
    expect(tabTasks([thread(10, 10, 'CrRendererMain'), task(10, 10, 5_010_000, 60_000, 6_000)], syncs, 0, Infinity)).toBeNull();
  });
});
