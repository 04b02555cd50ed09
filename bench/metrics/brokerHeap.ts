// Metric 6 — the broker's heap after 1,000 turns.
//
// The broker's SharedWorker is attached over CDP (Runtime and HeapProfiler only): a full garbage
// collection, then `Runtime.getHeapUsage`, every 250 turns after a warm-up. Turns run through the
// real UI in one tab, with short scripted answers (1 in 4 turns calls list_files first),
// on a new thread every 100 turns so the transcript stays the size a user would keep open.
//
// Some growth is by design: the broker keeps each thread's history in memory to build requests.
// So the heap's growth per turn is set against what those items weigh on a V8 heap (measured by
// loading the same items from IndexedDB into a tab and weighing that tab's heap before and
// after); what is left is what cells, listeners or buffers would leak.
//
// The same turns also say whether a turn costs the tab more as its thread grows (a context row):
// the tab's main thread over each thread's first and last 25 turns. Each tab used to read every
// item of the thread again after every turn: one tab, short turns, its main thread per turn was
// 69.6 ms over turns 180–205 of a thread against 29.5 ms over turns 5–30.
import { openAppTab, type AppTab } from '../appTab.ts';
import type { TargetSession } from '../browser.ts';
import type { BenchContext, MetricReport } from '../context.ts';
import { rendererMainSchedule, scheduleBetween, type ThreadSchedule } from '../machineLoad.ts';
import { median, round, slope } from '../stats.ts';
import { DEFAULT_DB_NAME } from '../../src/storage/idbThreadStore.ts';

const WARMUP_TURNS = 20;
const TURNS = 1000;
const CHECKPOINT_EVERY = 250;
const TURNS_PER_THREAD = 100;
/** Growth per turn beyond the retained history that still counts as flat (bytes). */
const LEAK_TOLERANCE_BYTES_PER_TURN = 256;
/** The inspector shows the broker's state as of its last published batch; let one arrive. */
const INSPECTOR_SETTLE_MS = 250;
/** The tab's main thread per turn is compared over a thread's first and last turns this many. */
const CPU_WINDOW_TURNS = 25;

export async function measureBrokerHeap(ctx: BenchContext): Promise<MetricReport> {
  ctx.progress(`broker heap: ${TURNS} turns`);
  const tab = await openAppTab(ctx.browser, ctx.relayUrl);
  const threads: string[] = [];
  let turn = 0;
  // The tab's main thread (Linux schedstat) over each thread's first and last CPU_WINDOW_TURNS
  // turns: a turn that costs the tab more as its thread grows re-reads or re-renders history.
  const tabCpu = { early: [] as number[], late: [] as number[] };
  let windowStart: ThreadSchedule | null = null;
  /** A checkpoint (forced GCs over CDP) fell inside the open window: it is not counted. */
  let windowDisturbed = false;
  const closeWindow = (into: number[]) => {
    const run = scheduleBetween(windowStart, rendererMainSchedule());
    if (run && !windowDisturbed) into.push(run.cpuMs / CPU_WINDOW_TURNS);
    windowStart = null;
    windowDisturbed = false;
  };
  const checkpoint = async (session: TargetSession) => {
    if (windowStart) windowDisturbed = true;
    return usedHeap(session);
  };
  const runTurns = async (count: number) => {
    // One tab, one turn at a time: plans are taken in order, so a block's are queued at once.
    const toolTurn = (n: number) => n % 4 === 3;
    const plans = Array.from({ length: count }, (_, i) => turn + i).flatMap((n) =>
      toolTurn(n) ? [{ toolCalls: [{ name: 'list_files', arguments: {} }] }, { text: `Listed (${n}).` }] : [{ text: `Answer ${n}.` }],
    );
    await ctx.engine.script(...plans);
    for (let i = 0; i < count; i++, turn++) {
      const position = turn % TURNS_PER_THREAD;
      if (position === 0 && windowStart) closeWindow(tabCpu.late);
      if (position === CPU_WINDOW_TURNS && windowStart) closeWindow(tabCpu.early);
      if (position === 0) threads.push(await tab.newThread());
      if (position === 0 || position === TURNS_PER_THREAD - CPU_WINDOW_TURNS) windowStart = rendererMainSchedule();
      await tab.send(toolTurn(turn) ? `list the files (${turn})` : `hello ${turn}`, true);
    }
  };

  await runTurns(WARMUP_TURNS);
  const worker = await attachBroker(ctx);
  const checkpoints: { turns: number; usedBytes: number }[] = [{ turns: 0, usedBytes: await checkpoint(worker) }];
  while (checkpoints.at(-1)!.turns < TURNS) {
    await runTurns(CHECKPOINT_EVERY);
    checkpoints.push({ turns: turn - WARMUP_TURNS, usedBytes: await checkpoint(worker) });
    ctx.progress(`broker heap: ${turn - WARMUP_TURNS} turns`);
  }
  await worker.detach();
  await new Promise((resolve) => setTimeout(resolve, INSPECTOR_SETTLE_MS));
  const cells = await tab.tab.run(liveCellRows);
  const history = await weighHistory(ctx, tab, threads);
  await tab.close();

  const heapPerTurn = slope(checkpoints.map((c) => c.turns), checkpoints.map((c) => c.usedBytes));
  const historyPerTurn = history.heapBytes / turn;
  const first = checkpoints[0]!;
  const last = checkpoints.at(-1)!;
  return {
    id: 'heap',
    title: '6. Broker heap after 1,000 turns',
    method:
      `${WARMUP_TURNS} warm-up turns, then ${TURNS} turns through the UI of one tab (short scripted answers; 1 in 4 with a list_files call first; a new thread every ${TURNS_PER_THREAD}). ` +
      `Every ${CHECKPOINT_EVERY} turns: two full GCs in the broker's SharedWorker, then its used heap (CDP Runtime.getHeapUsage); growth = least-squares slope. ` +
      `Renderer row: the renderers' main threads (Linux /proc schedstat; one tab is open) over each thread's first and last ${CPU_WINDOW_TURNS} turns, per turn, leaving out windows with a heap checkpoint in them. ` +
      `Retained history = the V8 heap the same ${history.items} items take when loaded into a tab (the broker keeps threads' histories in memory by design).`,
    rows: [
      {
        metric: `Broker heap after ${last.turns} turns`,
        value: `${mib(last.usedBytes)} (+${mib(last.usedBytes - first.usedBytes)})`,
        baseline: `${mib(first.usedBytes)} after warm-up`,
        comparison: `+${Math.round(heapPerTurn)} B/turn; retained history ${Math.round(historyPerTurn)} B/turn`,
        target: 'flat beyond retained history',
        met: heapPerTurn - historyPerTurn <= LEAK_TOLERANCE_BYTES_PER_TURN,
      },
      ...(tabCpu.early.length > 0 && tabCpu.late.length > 0
        ? [
            {
              metric: `Renderer main threads (1 tab open) per turn, a thread's last ${CPU_WINDOW_TURNS} of ${TURNS_PER_THREAD} turns (context)`,
              value: `${median(tabCpu.late).toFixed(1)} ms on a CPU`,
              baseline: `${median(tabCpu.early).toFixed(1)} ms over its first ${CPU_WINDOW_TURNS}`,
              comparison: `×${(median(tabCpu.late) / median(tabCpu.early)).toFixed(2)} (medians over ${tabCpu.late.length} and ${tabCpu.early.length} threads; windows with a heap checkpoint left out)`,
              target: '',
              met: null,
            },
          ]
        : []),
      {
        metric: `Turn-state cells alive after ${last.turns} turns`,
        value: String(cells),
        baseline: '',
        comparison: '',
        target: '0',
        met: cells === 0,
      },
    ],
    notes: [],
    data: {
      checkpoints,
      heapBytesPerTurn: round(heapPerTurn, 1),
      retainedHistory: { ...history, bytesPerTurn: round(historyPerTurn, 1) },
      liveCells: cells,
      tabMainCpuMsPerTurn: { early: tabCpu.early.map((v) => round(v, 2)), late: tabCpu.late.map((v) => round(v, 2)) },
    },
  };
}

async function attachBroker(ctx: BenchContext): Promise<TargetSession> {
  const worker = (await ctx.browser.targets()).find((t) => t.type === 'shared_worker' && t.url.includes('broker'));
  if (!worker) throw new Error('the broker SharedWorker is not running');
  return ctx.browser.attach(worker.targetId);
}

async function usedHeap(session: TargetSession): Promise<number> {
  // Twice: the first collection can leave garbage that only a second one frees (weak maps, finalizers).
  await session.send('HeapProfiler.collectGarbage');
  await session.send('HeapProfiler.collectGarbage');
  const { usedSize } = await session.send<{ usedSize: number }>('Runtime.getHeapUsage');
  return usedSize;
}

/** What the threads' items weigh as JSON and on a V8 heap: loaded from the app's IndexedDB into
 *  the tab (read-only; the `items` store of src/storage/idbThreadStore.ts), heap before/after. */
async function weighHistory(ctx: BenchContext, tab: AppTab, threadIds: string[]): Promise<{ items: number; jsonBytes: number; heapBytes: number }> {
  const session = await ctx.browser.attach(tab.tab.targetId);
  const before = await usedHeap(session);
  const loaded = await tab.tab.run(
    async ({ dbName, threadIds: ids }: { dbName: string; threadIds: string[] }) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open(dbName);
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      const retained: unknown[] = [];
      for (const id of ids) {
        const records = await new Promise<{ item: unknown }[]>((resolve, reject) => {
          const request = db.transaction('items').objectStore('items').index('byThread').getAll(id);
          request.onsuccess = () => resolve(request.result as { item: unknown }[]);
          request.onerror = () => reject(request.error);
        });
        for (const record of records) retained.push(record.item);
      }
      db.close();
      (window as { __benchRetained?: unknown }).__benchRetained = retained;
      return { items: retained.length, jsonBytes: retained.reduce<number>((total, item) => total + JSON.stringify(item).length, 0) };
    },
    { dbName: DEFAULT_DB_NAME, threadIds },
  );
  const after = await usedHeap(session);
  await tab.tab.run(() => void delete (window as { __benchRetained?: unknown }).__benchRetained);
  await session.detach();
  return { ...loaded, heapBytes: after - before };
}

/** Rows of the inspector's "Turn-state cells" table, in the page. */
function liveCellRows(): number {
  const rows = document.querySelectorAll('table[aria-label="Turn-state cells"] tbody tr');
  return [...rows].filter((row) => !row.querySelector('.grid__empty')).length;
}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(2)} MiB`;
