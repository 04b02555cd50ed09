// Metric 1 — delivery latency: engine send → tab receipt, through the broker vs a WebSocket
// opened directly in the page to the same engine, with 1 tab and with 8 tabs open.
//
// The engine paces `DELTAS` stamped deltas `INTERVAL_MS` apart (faster than any model streams
// tokens, slow enough that each delta travels alone: this measures delivery, not queueing). Each
// delta carries its send time on the engine's wall clock; the page's hook subtracts it from its
// own wall clock at receipt. Both clocks are the system clock read through
// `performance.timeOrigin + performance.now()`; a constant offset between them would shift both
// sides equally, so the broker − direct difference does not depend on it.
//
// With 8 tabs each tab shows its own thread and one thread streams: on the broker side every tab
// receives the stream on the broker's channel (one renders it); on the direct side every tab
// opens its own socket and receives its own copy at the same pace (one renders it) — the
// per-tab-socket design the broker replaces. Latencies of all tabs are pooled.
import { closeAll, openAppTabs, type AppTab } from '../appTab.ts';
import { ms, type BenchContext, type MetricReport, type Row } from '../context.ts';
import { quantile, round } from '../stats.ts';

const DELTAS = 400;
const CHARS = 64;
const INTERVAL_MS = 5;
const ROUNDS = 3;
/** The first deltas of a run share the CPU with the turn's start-up; they are not delivery. */
const WARMUP_DELTAS = 10;
const TARGETS = { p50: 0.3, p99: 1 };

type Side = 'broker' | 'direct';

export async function measureLatency(ctx: BenchContext): Promise<MetricReport> {
  const rows: Row[] = [];
  const data: Record<string, unknown> = { deltas: DELTAS, chars: CHARS, intervalMs: INTERVAL_MS, rounds: ROUNDS };
  for (const tabCount of [1, 8]) {
    ctx.progress(`latency, ${tabCount} tab(s)`);
    const tabs = await openAppTabs(ctx.browser, ctx.relayUrl, tabCount);
    const threads: string[] = [];
    for (const tab of tabs) threads.push(await tab.newThread());
    const samples: Record<Side, number[]> = { broker: [], direct: [] };
    const perRound: Record<Side, { p50: number; p99: number }[]> = { broker: [], direct: [] };
    for (let r = 0; r < ROUNDS; r++) {
      // Alternate which side goes first, so a drift in the machine's state hits both alike.
      const order: Side[] = r % 2 === 0 ? ['broker', 'direct'] : ['direct', 'broker'];
      for (const side of order) {
        const latencies = side === 'broker' ? await brokerRun(ctx, tabs, threads[0]!) : await directRun(ctx, tabs);
        samples[side].push(...latencies);
        perRound[side].push({ p50: round(quantile(latencies, 0.5), 3), p99: round(quantile(latencies, 0.99), 3) });
      }
    }
    await closeAll(tabs);

    const stat = (side: Side, q: number) => quantile(samples[side], q);
    const label = tabCount === 1 ? '1 tab' : `${tabCount} tabs`;
    for (const [q, name, target] of [[0.5, 'p50', TARGETS.p50], [0.99, 'p99', TARGETS.p99]] as const) {
      const broker = stat('broker', q);
      const direct = stat('direct', q);
      rows.push({
        metric: `Delivery latency ${name}, ${label}`,
        value: ms(broker, 3),
        baseline: `${ms(direct, 3)} direct`,
        comparison: `+${(broker - direct).toFixed(3)} ms, ×${(broker / direct).toFixed(2)}`,
        target: `≤ direct + ${target} ms`,
        met: broker - direct <= target,
      });
    }
    data[`tabs${tabCount}`] = {
      samples: { broker: samples.broker.length, direct: samples.direct.length },
      broker: { p50: round(stat('broker', 0.5), 3), p90: round(stat('broker', 0.9), 3), p99: round(stat('broker', 0.99), 3), max: round(Math.max(...samples.broker), 3) },
      direct: { p50: round(stat('direct', 0.5), 3), p90: round(stat('direct', 0.9), 3), p99: round(stat('direct', 0.99), 3), max: round(Math.max(...samples.direct), 3) },
      perRound,
    };
  }
  return {
    id: 'latency',
    title: '1. Delivery latency (engine send → tab receipt)',
    method:
      `${DELTAS} deltas of ${CHARS} characters paced ${INTERVAL_MS} ms apart, each stamped with the engine's send time; ` +
      `receipt on the page's wall clock (Chromium rounds it to 0.1 ms); first ${WARMUP_DELTAS} deltas of each run dropped; ` +
      `${ROUNDS} rounds per side, alternating, samples pooled. Direct = a WebSocket opened in the page to the same relay, ` +
      'in a tab with no CDP network tracing (see bench/browser.ts). 8 tabs: every tab on its own thread; every tab receives ' +
      'the stream (broker channel / its own socket), one renders it.',
    rows,
    notes: [],
    data,
  };
}

async function brokerRun(ctx: BenchContext, tabs: readonly AppTab[], threadId: string): Promise<number[]> {
  const marker = ctx.marker('latency');
  await ctx.engine.script({ onlyFor: marker, firehose: { deltas: DELTAS, chars: CHARS, stamp: true }, eventDelayMs: INTERVAL_MS });
  await Promise.all(tabs.map((tab) => tab.startCapture({ mode: 'broker', threadId, expected: DELTAS, latencies: true })));
  await tabs[0]!.send(`latency run ${marker}`, false);
  const results = await Promise.all(tabs.map((tab) => tab.collect(30_000, 50)));
  await tabs[0]!.idle();
  assertComplete(results, 'broker');
  return results.flatMap((r) => r.latencies.slice(WARMUP_DELTAS));
}

async function directRun(ctx: BenchContext, tabs: readonly AppTab[]): Promise<number[]> {
  const markers = tabs.map(() => ctx.marker('latency-direct'));
  await ctx.engine.script(...markers.map((marker) => ({ onlyFor: marker, firehose: { deltas: DELTAS, chars: CHARS, stamp: true }, eventDelayMs: INTERVAL_MS })));
  await Promise.all(
    tabs.map((tab, i) => tab.startCapture({ mode: 'direct', expected: DELTAS, latencies: true, socketUrl: ctx.socketUrl, userText: markers[i]!, render: i === 0 })),
  );
  const results = await Promise.all(tabs.map((tab) => tab.collect(30_000, 50)));
  assertComplete(results, 'direct');
  return results.flatMap((r) => r.latencies.slice(WARMUP_DELTAS));
}

function assertComplete(results: readonly { timedOut: boolean; count: number }[], side: Side) {
  const short = results.find((r) => r.timedOut);
  if (short) throw new Error(`latency (${side}): only ${short.count} of ${DELTAS} deltas arrived`);
}
