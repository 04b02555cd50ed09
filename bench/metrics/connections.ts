// Metric 4 — connection economy: WebSocket handshakes the engine accepts.
//
// (a) 100 sequential turns spread round-robin over 8 tabs, each tab on its own thread: turns
//     never overlap, so one socket can carry them all.
//     Then the first tab alone runs 30 more (a new thread) with the 8 open: the browser's CPU per turn tells
//     what tabs that only look on cost from what sending from a different window each turn does.
// (b) Then the 8 tabs start a turn at the same moment: the pool may open sockets up to its cap
//     (a socket carries one response at a time), no more. Each turn's wait is measured from its
//     click to the arrival of its request at the engine (wall clocks of page and engine, ms
//     resolution), split by whether the request went out on a socket that existed before the
//     burst or on a new one.
import { closeAll, openAppTab, openAppTabs, type AppTab } from '../appTab.ts';
import { ms, type BenchContext, type MetricReport } from '../context.ts';
import { browserCpuMs } from '../machineLoad.ts';
import { DEFAULT_LIMITS } from '../../src/core/broker.ts';
import { median, quantile } from '../stats.ts';
import type { EngineLog } from '../../server/engine/testControl.ts';

const TABS = 8;
const SEQUENTIAL_TURNS = 100;
/** Turns with one tab open first: what a turn costs the browser when no other tab looks on. */
const ONE_TAB_TURNS = 30;

export async function measureConnections(ctx: BenchContext): Promise<MetricReport> {
  ctx.progress(`connection economy: ${ONE_TAB_TURNS} turns with 1 tab open, then ${SEQUENTIAL_TURNS} sequential turns over ${TABS} tabs`);
  const first = await openAppTab(ctx.browser, ctx.relayUrl);
  await first.newThread();
  await runTurns(ctx, [first], 2, 'warm-up'); // the thread's prewarm, the first socket
  const alone = await runTurns(ctx, [first], ONE_TAB_TURNS, 'alone');
  const tabs = [first, ...(await openAppTabs(ctx.browser, ctx.relayUrl, TABS - 1))];
  for (const tab of tabs.slice(1)) await tab.newThread();
  const afterOpen = await ctx.engine.log();
  const sequential = await runTurns(ctx, tabs, SEQUENTIAL_TURNS, 'sequential');
  const afterSequential = await ctx.engine.log();
  const waitsOf = (turns: typeof sequential, log: EngineLog) =>
    turns.sent.flatMap(({ marker, clickedAt }) => {
      const request = requestFor(log.frames, marker);
      return request ? [request.at - clickedAt] : [];
    });
  const sequentialWaits = waitsOf(sequential, afterSequential);
  const aloneWaits = waitsOf(alone, afterSequential);
  const sequentialHandshakes = afterSequential.handshakes - afterOpen.handshakes;
  // The same 8 tabs open, every turn from the first one: what the other tabs cost when they only
  // look on, apart from what sending from another window each time costs. On a new thread with
  // a warm-up turn, as the turns alone were: a turn costs the tab more as its thread grows.
  await first.newThread();
  await runTurns(ctx, [first], 2, 'warm-up');
  const fromOneTab = await runTurns(ctx, [first], ONE_TAB_TURNS, 'from one tab');
  const afterFromOneTab = await ctx.engine.log();
  const fromOneTabWaits = waitsOf(fromOneTab, afterFromOneTab);
  const socketsBefore = new Set(afterFromOneTab.frames.map((f) => f.socket));

  ctx.progress(`connection economy: ${TABS} tabs start a turn at once`);
  const markers = tabs.map(() => ctx.marker('burst'));
  await ctx.engine.script(...markers.map((marker) => ({ onlyFor: marker, text: 'ok' })));
  const clicks = await Promise.all(tabs.map((tab, i) => tab.send(`burst ${markers[i]}`, true)));
  await closeAll(tabs);
  const afterBurst = await ctx.engine.log();
  const burstHandshakes = afterBurst.handshakes - afterFromOneTab.handshakes;

  const waits = { reused: [] as number[], fresh: [] as number[] };
  markers.forEach((marker, i) => {
    const request = requestFor(afterBurst.frames, marker);
    if (!request) return;
    (socketsBefore.has(request.socket) ? waits.reused : waits.fresh).push(request.at - clicks[i]!.clickedAt);
  });

  // More handshakes than the burst could use (a socket per turn, up to the pool's cap) would be
  // sockets nobody needed. Whether a turn ever waits on a handshake while another socket frees
  // up first is the pool's rule (src/core/socketPool.ts), checked in its unit tests: at the
  // engine that wait cannot be told apart from the broker thread waiting for a CPU.
  const usable = Math.max(0, Math.min(DEFAULT_LIMITS.maxSockets, TABS) - socketsBefore.size);
  const notes: string[] = [];
  return {
    id: 'connections',
    title: '4. Connection economy',
    method:
      `First one tab alone runs ${ONE_TAB_TURNS} turns; then ${TABS} tabs, each on its own thread (opening a thread prewarms it), run ${SEQUENTIAL_TURNS} turns one after another, round-robin over the tabs; ` +
      `then, the ${TABS} tabs still open, the first one runs ${ONE_TAB_TURNS} more on a new thread; then all ${TABS} tabs press Send together. Handshakes counted by the engine; waits = click (page clock) → request at the engine (engine clock, 1 ms resolution). ` +
      "Browser CPU = user + system time of all of Chromium's processes (/proc) over the turns, per turn: what the tabs not showing the turn add to it, and what sending from a different window each turn adds.",
    rows: [
      {
        metric: `Handshakes for ${SEQUENTIAL_TURNS} sequential turns over ${TABS} tabs`,
        value: String(sequentialHandshakes),
        baseline: `${afterOpen.handshakes} while the tabs opened their threads (and the first one's turns)`,
        comparison: '',
        target: `0 new (1 socket in all)`,
        met: sequentialHandshakes === 0 && afterOpen.handshakes <= 1,
      },
      {
        metric: `Click on Send → request at the engine, sequential turns, ${TABS} tabs open (context)`,
        value: `${ms(median(sequentialWaits), 1)} median`,
        baseline: `${ms(median(aloneWaits), 1)} with 1 tab open`,
        comparison: `p90 ${ms(quantile(sequentialWaits, 0.9), 1)}, max ${ms(Math.max(...sequentialWaits), 1)}; ${ms(median(fromOneTabWaits), 1)} median with the ${TABS} tabs open, every turn from one of them`,
        target: '',
        met: null,
      },
      {
        metric: `Browser CPU per turn, ${TABS} tabs open (context)`,
        value: sequential.cpuMsPerTurn === null ? '—' : `${sequential.cpuMsPerTurn.toFixed(0)} ms`,
        baseline: alone.cpuMsPerTurn === null ? '' : `${alone.cpuMsPerTurn.toFixed(0)} ms with 1 tab open`,
        comparison:
          sequential.cpuMsPerTurn === null || alone.cpuMsPerTurn === null || fromOneTab.cpuMsPerTurn === null
            ? ''
            : `${fromOneTab.cpuMsPerTurn.toFixed(0)} ms with ${TABS} open, every turn from one of them: ${signedMs((fromOneTab.cpuMsPerTurn - alone.cpuMsPerTurn) / (TABS - 1))} per tab looking on; ` +
              `${signedMs(sequential.cpuMsPerTurn - fromOneTab.cpuMsPerTurn)} per turn for sending from another window each time`,
        target: '',
        met: null,
      },
      {
        metric: `Handshakes when ${TABS} tabs start a turn at once`,
        value: String(burstHandshakes),
        baseline: `wait click → request: ${ms(median(waits.reused), 1)} median on the open socket (${waits.reused.length} turns)`,
        comparison: `${ms(median(waits.fresh), 1)} on new sockets (${waits.fresh.length} turns); all: max ${ms(Math.max(...waits.reused, ...waits.fresh), 1)}`,
        target: `≤ ${usable} (a socket per turn, up to the pool's ${DEFAULT_LIMITS.maxSockets}); none waited for while another socket freed up first (pool unit tests)`,
        met: burstHandshakes <= usable,
      },
    ],
    notes,
    data: {
      handshakesWhileOpening: afterOpen.handshakes,
      sequentialHandshakes,
      burstHandshakes,
      burstWaitsMs: waits,
      sequentialClickToRequestMs: sequentialWaits.map((w) => Math.round(w * 10) / 10),
      oneTabClickToRequestMs: aloneWaits.map((w) => Math.round(w * 10) / 10),
      browserCpuMsPerTurn: { oneTab: alone.cpuMsPerTurn, tabs: sequential.cpuMsPerTurn, tabsFromOneTab: fromOneTab.cpuMsPerTurn },
      fromOneTabClickToRequestMs: fromOneTabWaits.map((w) => Math.round(w * 10) / 10),
      socketsUsed: new Set(afterBurst.frames.map((f) => f.socket)).size,
    },
  };
}

/** `count` turns one after another, round-robin over `tabs`, each waited for; with the browser's
 *  CPU time (all its processes, Linux /proc) per turn. */
async function runTurns(ctx: BenchContext, tabs: readonly AppTab[], count: number, label: string) {
  const sent: { marker: string; clickedAt: number }[] = [];
  const cpuBefore = browserCpuMs();
  for (let turn = 0; turn < count; turn++) {
    const marker = ctx.marker(label);
    await ctx.engine.script({ onlyFor: marker, text: 'ok' });
    const { clickedAt } = await tabs[turn % tabs.length]!.send(`${label} ${turn} ${marker}`, true);
    sent.push({ marker, clickedAt });
  }
  const cpuAfter = browserCpuMs();
  return { sent, cpuMsPerTurn: cpuBefore === null || cpuAfter === null ? null : (cpuAfter - cpuBefore) / count };
}

const signedMs = (value: number) => `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(1)} ms`;

/** The generating request whose input carries `marker` (the user's message). */
function requestFor(frames: EngineLog['frames'], marker: string): EngineLog['frames'][number] | undefined {
  return frames.find((f) => f.frame.type === 'response.create' && f.frame.generate !== false && JSON.stringify(f.frame.input).includes(marker));
}
