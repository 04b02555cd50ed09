// How much of the machine OTHER work used while the benchmarks ran. The load average cannot tell:
// the benchmarks load the machine themselves (Chromium, the relay). So the CPU time of every
// process descended from this one is subtracted from the machine's busy time (Linux /proc; on
// other systems nothing is reported).
import { existsSync, readdirSync, readFileSync } from 'node:fs';

export interface CpuSample {
  /** Clock ticks, all CPUs. */
  total: number;
  busy: number;
  /** Ticks used by this process and its descendants (reaped children included). */
  ours: number;
}

export function sampleCpu(): CpuSample | null {
  if (!existsSync('/proc/stat')) return null;
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
    const idle = fields[3]! + fields[4]!; // idle + iowait
    return { total, busy: total - idle, ours: ourTicks() };
  } catch {
    return null;
  }
}

/** How much of the machine's CPU capacity (every core) was in use between two samples (0–1):
 *  by anything, and by this process and its descendants (the harness, the relay, the browser). */
export interface CpuUse {
  busy: number;
  ours: number;
}

const clamp = (share: number) => Math.max(0, Math.min(1, share));

/** The shares of the capacity between two samples, unclamped, or null if either is missing. */
function sharesBetween(start: CpuSample | null, end: CpuSample | null): CpuUse | null {
  if (!start || !end || end.total <= start.total) return null;
  const capacity = end.total - start.total;
  return { busy: (end.busy - start.busy) / capacity, ours: (end.ours - start.ours) / capacity };
}

export function cpuUseBetween(start: CpuSample | null, end: CpuSample | null): CpuUse | null {
  const shares = sharesBetween(start, end);
  return shares && { busy: clamp(shares.busy), ours: clamp(shares.ours) };
}

/** Share of the machine's CPU capacity used by other processes between two samples (0–1). */
export function foreignShare(start: CpuSample | null, end: CpuSample | null): number | null {
  const shares = sharesBetween(start, end);
  return shares && clamp(shares.busy - shares.ours);
}

function ourTicks(): number {
  return descendantTicks(() => true);
}

/** Linux's USER_HZ: /proc counts CPU time in these ticks per second. */
const TICKS_PER_SECOND = 100;

/** CPU time (ms) the browser's processes have used: this process's descendants that are not
 *  Node (the relay), reaped children included; null where /proc is missing. */
export function browserCpuMs(): number | null {
  if (!existsSync('/proc/stat')) return null;
  return (descendantTicks((comm) => comm !== 'node') * 1000) / TICKS_PER_SECOND;
}

interface ProcessInfo {
  ppid: number;
  ticks: number;
  comm: string;
}

/** Every process, and which ones descend from this one. */
function processTree(): { processes: Map<number, ProcessInfo>; ours(pid: number): boolean } {
  const processes = new Map<number, ProcessInfo>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // The command name (field 2) may contain spaces: parse after its closing parenthesis.
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // rest[0] is field 3 (state): ppid is field 4, utime..cstime fields 14–17.
      const [utime, stime, cutime, cstime] = [rest[11], rest[12], rest[13], rest[14]].map(Number);
      processes.set(Number(name), { ppid: Number(rest[1]), ticks: utime! + stime! + cutime! + cstime!, comm });
    } catch {
      // The process ended while we looked.
    }
  }
  const ours = (pid: number): boolean => {
    for (let p = pid, hops = 0; p > 1 && hops < 64; hops++) {
      if (p === process.pid) return true;
      p = processes.get(p)?.ppid ?? 0;
    }
    return false;
  };
  return { processes, ours };
}

function descendantTicks(counts: (comm: string) => boolean): number {
  const { processes, ours } = processTree();
  let ticks = 0;
  for (const [pid, info] of processes) if (ours(pid) && counts(info.comm)) ticks += info.ticks;
  return ticks;
}

/** How the kernel ran some threads: time on a CPU, time runnable but waiting for one, and how
 *  many times they were scheduled in (Linux schedstat). */
export interface ThreadSchedule {
  cpuMs: number;
  waitMs: number;
  runs: number;
}

/** Summed over the threads of our descendant processes whose name starts with `prefix` (Chromium
 *  names its threads, e.g. "SharedWorker th[read]"); null where /proc has no schedstat. */
export function threadSchedule(prefix: string): ThreadSchedule | null {
  return scheduleOf((pid) => {
    try {
      return readdirSync(`/proc/${pid}/task`).filter((tid) => readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').startsWith(prefix));
    } catch {
      return []; // the process (or one of its threads) ended while we looked
    }
  });
}

/** Summed over the main threads of our renderer processes (a tab's JavaScript, style, layout
 *  and paint run there; the thread's id is its process's); null where /proc has no schedstat. */
export function rendererMainSchedule(): ThreadSchedule | null {
  return scheduleOf((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--type=renderer') ? [String(pid)] : [];
    } catch {
      return []; // the process ended while we looked
    }
  });
}

/** The schedstat of the threads `threadsOf` picks in each of our descendant processes, summed. */
function scheduleOf(threadsOf: (pid: number) => string[]): ThreadSchedule | null {
  if (!existsSync('/proc/self/schedstat')) return null;
  const { processes, ours } = processTree();
  const total: ThreadSchedule = { cpuMs: 0, waitMs: 0, runs: 0 };
  for (const pid of processes.keys()) {
    if (!ours(pid)) continue;
    for (const tid of threadsOf(pid)) {
      try {
        const [cpuNs, waitNs, runs] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').trim().split(' ').map(Number);
        total.cpuMs += cpuNs! / 1e6;
        total.waitMs += waitNs! / 1e6;
        total.runs += runs!;
      } catch {
        // The thread ended while we looked.
      }
    }
  }
  return total;
}

/** `after` − `before`, or null if either is. */
export function scheduleBetween(before: ThreadSchedule | null, after: ThreadSchedule | null): ThreadSchedule | null {
  if (!before || !after) return null;
  return { cpuMs: after.cpuMs - before.cpuMs, waitMs: after.waitMs - before.waitMs, runs: after.runs - before.runs };
}
