// Metric 2 — throughput of text deltas into tabs while the transcript renders, and long tasks
// during a 1 MB streamed answer.
//
// The engine's firehose sends every delta at once (its send loop never yields), so the browser
// is the bottleneck: the rate measured is how fast deltas get INTO a tab, from its first delta
// to its last (per tab, on the tab's wall clock). Broker side: the real app renders the thread
// in the tab. Direct side: a page socket to the same engine, every frame parsed, the text
// rendered once per animation frame into ~2 kB blocks (bench/page/probe.ts) — cheaper than the
// app's React transcript, so the comparison does not flatter the broker.
//
// 1 tab: a 1 MiB answer (32,768 deltas × 32 characters), a new thread each round.
// 8 tabs: each tab on its own thread, all 8 streaming at once (8 × 8,192 deltas), every tab
// rendering its own; direct = 8 page sockets, one per tab (the per-tab-socket design).
import { closeAll, openAppTabs, type AppTab } from '../appTab.ts';
import type { BenchContext, MetricReport, Row } from '../context.ts';
import type { CaptureResult } from '../page/probe.ts';
import { median, round } from '../stats.ts';

const CHARS = 32;
const ONE_TAB_DELTAS = 32_768; // 1 MiB of text
const EIGHT_TAB_DELTAS = 8_192;
const ROUNDS = 3;
const TARGET_RATIO = 0.9;

type Side = 'broker' | 'direct';

interface RunSummary {
  /** Deltas per second into each tab. */
  perTab: number[];
  /** All tabs' deltas over the span from the first receipt anywhere to the last. */
  aggregate: number;
  longTasksDuring: number[];
  longTasksAfter: number[];
  maxFrameGapMs: number;
}

export async function measureThroughput(ctx: BenchContext): Promise<MetricReport> {
  const rows: Row[] = [];
  const notes: string[] = [];
  const data: Record<string, unknown> = { chars: CHARS, oneTabDeltas: ONE_TAB_DELTAS, eightTabDeltas: EIGHT_TAB_DELTAS, rounds: ROUNDS };

  ctx.progress('throughput, 1 tab (1 MiB answers)');
  const one = await compare(ctx, 1, ONE_TAB_DELTAS);
  const oneBroker = median(one.broker.map((r) => r.perTab[0]!));
  const oneDirect = median(one.direct.map((r) => r.perTab[0]!));
  rows.push({
    metric: 'Throughput into 1 tab (deltas/s)',
    value: rate(oneBroker),
    baseline: `${rate(oneDirect)} direct`,
    comparison: `${pct(oneBroker / oneDirect)} of direct`,
    target: `≥ ${pct(TARGET_RATIO)} of direct`,
    met: oneBroker >= TARGET_RATIO * oneDirect,
  });
  const longDuring = one.broker.flatMap((r) => r.longTasksDuring);
  const longAfter = one.broker.flatMap((r) => r.longTasksAfter);
  rows.push({
    metric: 'Long tasks > 50 ms while a 1 MiB answer streams',
    value: longTasks(longDuring, ROUNDS),
    baseline: `${longTasks(one.direct.flatMap((r) => r.longTasksDuring), ROUNDS)} direct`,
    comparison: `max frame gap ${round(median(one.broker.map((r) => r.maxFrameGapMs)), 0)} ms (direct ${round(median(one.direct.map((r) => r.maxFrameGapMs)), 0)} ms)`,
    target: 'none',
    met: longDuring.length === 0,
  });
  rows.push({
    metric: 'Long tasks > 50 ms when the 1 MiB answer completes',
    value: longTasks(longAfter, ROUNDS),
    baseline: `${longTasks(one.direct.flatMap((r) => r.longTasksAfter), ROUNDS)} direct`,
    comparison: '',
    target: 'none',
    met: longAfter.length === 0,
  });
  if (longAfter.length > 0) {
    notes.push(
      `When the 1 MiB answer completes, the tab replaces the streamed text with the rendered Markdown of the whole message and re-reads the thread: ` +
        `${longAfter.length} long task(s) in ${ROUNDS} rounds (longest ${Math.max(...longAfter)} ms). This is the app's final render, not delivery: ` +
        `no long task occurs while deltas stream.`,
    );
  }

  ctx.progress('throughput, 8 tabs on their own threads');
  const eight = await compare(ctx, 8, EIGHT_TAB_DELTAS);
  const eightBroker = median(eight.broker.map((r) => median(r.perTab)));
  const eightDirect = median(eight.direct.map((r) => median(r.perTab)));
  const eightBrokerAggregate = median(eight.broker.map((r) => r.aggregate));
  const eightDirectAggregate = median(eight.direct.map((r) => r.aggregate));
  rows.push({
    metric: 'Throughput into each of 8 tabs, 8 threads streaming at once (median tab, deltas/s)',
    value: rate(eightBroker),
    baseline: `${rate(eightDirect)} direct (a socket per tab)`,
    comparison: `${pct(eightBroker / oneDirect)} of 1-tab direct; ${pct(eightBroker / eightDirect)} of per-tab sockets`,
    target: `≥ ${pct(TARGET_RATIO)} of 1-tab direct`,
    met: eightBroker >= TARGET_RATIO * oneDirect,
  });
  rows.push({
    metric: 'Aggregate throughput, 8 threads streaming at once (deltas/s)',
    value: rate(eightBrokerAggregate),
    baseline: `${rate(eightDirectAggregate)} direct (a socket per tab)`,
    comparison: `×${(eightBrokerAggregate / eightDirectAggregate).toFixed(2)}`,
    target: '',
    met: null,
  });
  const eightLong = eight.broker.flatMap((r) => r.longTasksDuring);
  rows.push({
    metric: 'Long tasks > 50 ms in 8 tabs while 8 threads stream',
    value: longTasks(eightLong, ROUNDS),
    baseline: `${longTasks(eight.direct.flatMap((r) => r.longTasksDuring), ROUNDS)} direct`,
    comparison: `max frame gap ${round(median(eight.broker.map((r) => r.maxFrameGapMs)), 0)} ms (direct ${round(median(eight.direct.map((r) => r.maxFrameGapMs)), 0)} ms)`,
    target: 'none',
    met: eightLong.length === 0,
  });

  data.oneTab = summarise(one);
  data.eightTabs = summarise(eight);
  return {
    id: 'throughput',
    title: '2. Throughput while the transcript renders',
    method:
      `Engine firehose (no pacing; the browser is the bottleneck), ${CHARS}-character deltas. Rate per tab = deltas / (last receipt − first receipt). ` +
      `1 tab: ${ONE_TAB_DELTAS} deltas (1 MiB), the app rendering the thread vs a page socket rendering into plain blocks. ` +
      `8 tabs: every tab on its own thread, all streaming ${EIGHT_TAB_DELTAS} deltas at once, every tab rendering its own. ` +
      `${ROUNDS} rounds per side, alternating; medians. Long tasks from a PerformanceObserver in each tab.`,
    rows,
    notes,
    data,
  };
}

async function compare(ctx: BenchContext, tabCount: number, deltas: number): Promise<Record<Side, RunSummary[]>> {
  const tabs = await openAppTabs(ctx.browser, ctx.relayUrl, tabCount);
  const runs: Record<Side, RunSummary[]> = { broker: [], direct: [] };
  for (let r = 0; r < ROUNDS; r++) {
    const order: Side[] = r % 2 === 0 ? ['broker', 'direct'] : ['direct', 'broker'];
    for (const side of order) runs[side].push(side === 'broker' ? await brokerRun(ctx, tabs, deltas) : await directRun(ctx, tabs, deltas));
  }
  await closeAll(tabs);
  return runs;
}

async function brokerRun(ctx: BenchContext, tabs: readonly AppTab[], deltas: number): Promise<RunSummary> {
  // A fresh thread per round keeps rounds alike (no transcript growing from round to round).
  const threads = await Promise.all(tabs.map((tab) => tab.newThread()));
  const markers = tabs.map(() => ctx.marker('throughput'));
  await ctx.engine.script(...markers.map((marker) => ({ onlyFor: marker, firehose: { deltas, chars: CHARS } })));
  await Promise.all(tabs.map((tab, i) => tab.startCapture({ mode: 'broker', threadId: threads[i]!, expected: deltas, latencies: false })));
  await Promise.all(tabs.map((tab, i) => tab.send(`throughput run ${markers[i]}`, false)));
  return summary(await Promise.all(tabs.map((tab) => tab.collect(120_000, 300, true))), deltas, 'broker');
}

async function directRun(ctx: BenchContext, tabs: readonly AppTab[], deltas: number): Promise<RunSummary> {
  const markers = tabs.map(() => ctx.marker('throughput-direct'));
  await ctx.engine.script(...markers.map((marker) => ({ onlyFor: marker, firehose: { deltas, chars: CHARS } })));
  await Promise.all(
    tabs.map((tab, i) => tab.startCapture({ mode: 'direct', expected: deltas, latencies: false, socketUrl: ctx.socketUrl, userText: markers[i]!, render: true })),
  );
  return summary(await Promise.all(tabs.map((tab) => tab.collect(120_000, 300))), deltas, 'direct');
}

function summary(results: readonly CaptureResult[], deltas: number, side: Side): RunSummary {
  const short = results.find((r) => r.timedOut);
  if (short) throw new Error(`throughput (${side}): only ${short.count} of ${deltas} deltas arrived`);
  const first = Math.min(...results.map((r) => r.firstAt));
  const last = Math.max(...results.map((r) => r.lastAt));
  return {
    perTab: results.map((r) => ((r.count - 1) * 1000) / (r.lastAt - r.firstAt)),
    aggregate: ((results.length * deltas - 1) * 1000) / (last - first),
    longTasksDuring: results.flatMap((r) => r.longTasksDuring),
    longTasksAfter: results.flatMap((r) => r.longTasksAfter),
    maxFrameGapMs: Math.max(...results.map((r) => r.maxFrameGapMs)),
  };
}

function summarise(runs: Record<Side, RunSummary[]>) {
  const side = (list: RunSummary[]) =>
    list.map((r) => ({
      perTab: r.perTab.map((v) => Math.round(v)),
      aggregate: Math.round(r.aggregate),
      longTasksDuring: r.longTasksDuring,
      longTasksAfter: r.longTasksAfter,
      maxFrameGapMs: r.maxFrameGapMs,
    }));
  return { broker: side(runs.broker), direct: side(runs.direct) };
}

const rate = (value: number) => `${Math.round(value).toLocaleString('en-US')}/s`;
const pct = (value: number) => `${Math.round(value * 100)} %`;

function longTasks(durations: readonly number[], rounds: number): string {
  if (durations.length === 0) return `0 in ${rounds} runs`;
  return `${durations.length} in ${rounds} runs (max ${Math.max(...durations)} ms)`;
}
