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
// Delivery is measured with no tab drawing the stream: the turn is started from its thread, then
// the tab shows another thread (every tab shows a thread of its own), so the receipt time is the
// transport's, not the renderer's. On the direct side every tab opens its own socket and only
// parses. With 8 tabs every tab receives the stream (each tab's probe opens the thread on a port
// of its own to the broker; the direct side is the per-tab-socket design the broker replaces),
// latencies pooled.
//
// A third side, the floor: the same stream through a bare SharedWorker that only parses each
// frame and forwards it to the tabs' ports, batched by the broker's rule (page/probe.ts
// startRelayWorker). The broker's targets
// are relative to a page socket; this side says how much of the difference is the design's own
// (a worker thread and a port hop, on this machine) and how much is the broker's work.
//
// A context row then measures 1 tab that DOES draw the stream: the app's React transcript vs the
// direct side's plain text blocks — not the same renderer, so no target applies to it.
import { closeAll, openAppTabs, type AppTab } from '../appTab.ts';
import { ms, type BenchContext, type MetricReport, type Row } from '../context.ts';
import { scheduleBetween, threadSchedule, type ThreadSchedule } from '../machineLoad.ts';
import { startRelayWorker } from '../page/probe.ts';
import { quantile, round } from '../stats.ts';

const DELTAS = 200;
const CHARS = 64;
const INTERVAL_MS = 5;
const ROUNDS = 4;
/** The context row (a drawing tab) is not a target: fewer rounds. */
const DRAWN_ROUNDS = 2;
/**
 * The engine waits this long after `response.created` before the first delta, as a model does
 * before its first token (hundreds of milliseconds). Without it the stream began while the tabs
 * still did the turn's start-up work (the sender switching threads twice, 8 tabs re-reading their
 * thread lists, the inspector's states): with 8 tabs, deltas 0–59 then arrived up to 40–145 ms
 * late through the broker (p99 per 20 deltas; scratch runs, 4 rounds), and a run's aftermath fell
 * into the next side's run. With 400 ms, the same buckets' p99 was 2.6–4.4 ms, as the floor's.
 * What the turn's start costs delivery is in the rows that send the first delta at once (AT_ONCE).
 */
const FIRST_TOKEN_DELAY_MS = 400;
/** The first deltas of a run still share the CPU with the socket's and the tabs' first work. */
const WARMUP_DELTAS = 20;
const TARGETS = { p50: 0.3, p99: 1 };

/** relayWorker: a bare SharedWorker that forwards one socket's frames to the tabs' ports
 *  (page/probe.ts startRelayWorker), the floor of any broker in a SharedWorker. */
type Side = 'broker' | 'direct' | 'relayWorker';
const SIDES: readonly Side[] = ['broker', 'direct', 'relayWorker'];

interface Setup {
  tabs: AppTab[];
  /** The thread that streams; shown only while its turn is started (or throughout, when drawn). */
  streamThread: string;
  /** Each tab's own quiet thread. */
  ownThreads: string[];
  draw: boolean;
  rounds: number;
  /** The bare relay worker's script, made in the first tab (null: the drawn context row, which
   *  compares renderers, not transports). */
  relayWorkerUrl: string | null;
}

interface Comparison {
  samples: Record<Side, number[]>;
  /** One run of the broker and one direct with the first delta at once, every delta counted
   *  (AT_ONCE); empty for the drawn context row. */
  atOnce: { broker: number[]; direct: number[] };
  perRound: Record<Side, { p50: number; p99: number }[]>;
  /** The broker's thread during the broker runs, the bare relay worker's during its runs (null:
   *  no Linux schedstat, or no such runs). */
  brokerThread: ThreadSchedule | null;
  floorThread: ThreadSchedule | null;
}

/** Chromium's name for a SharedWorker's thread ("SharedWorker thread", cut to 15 characters). */
const BROKER_THREAD = 'SharedWorker';

export async function measureLatency(ctx: BenchContext): Promise<MetricReport> {
  const rows: Row[] = [];
  const notes: string[] = [];
  const data: Record<string, unknown> = { deltas: DELTAS, chars: CHARS, intervalMs: INTERVAL_MS, firstTokenDelayMs: FIRST_TOKEN_DELAY_MS, rounds: ROUNDS, warmupDeltas: WARMUP_DELTAS };
  for (const tabCount of [1, 8]) {
    ctx.progress(`latency, ${tabCount} tab(s)`);
    const result = await withSetup(ctx, tabCount, { draw: false, rounds: ROUNDS }, (setup) => compare(ctx, setup));
    const label = tabCount === 1 ? '1 tab' : `${tabCount} tabs`;
    const at = (side: Side) => ({ p50: quantile(result.samples[side], 0.5), p99: quantile(result.samples[side], 0.99) });
    const broker = at('broker');
    const direct = at('direct');
    const floor = at('relayWorker');
    for (const [name, target] of [['p50', TARGETS.p50], ['p99', TARGETS.p99]] as const) {
      rows.push({
        metric: `Delivery latency ${name}, ${label}`,
        value: ms(broker[name], 3),
        baseline: `${ms(direct[name], 3)} direct`,
        comparison: `${signed(broker[name] - direct[name])} ms, ×${(broker[name] / direct[name]).toFixed(2)}`,
        target: `≤ direct + ${target} ms`,
        met: broker[name] - direct[name] <= target,
      });
    }
    rows.push({
      metric: `Delivery latency through a bare SharedWorker relay, ${label} (the floor of a broker in a SharedWorker; context)`,
      value: `p50 ${ms(floor.p50, 3)}, p99 ${ms(floor.p99, 3)}`,
      baseline: `direct ${signed(floor.p50 - direct.p50)} ms at p50, ${signed(floor.p99 - direct.p99)} ms at p99`,
      comparison: `broker over it: ${signed(broker.p50 - floor.p50)} ms at p50, ${signed(broker.p99 - floor.p99)} ms at p99`,
      target: '',
      met: null,
    });
    if (broker.p50 - direct.p50 > TARGETS.p50 || broker.p99 - direct.p99 > TARGETS.p99) {
      notes.push(
        `${label}: a bare SharedWorker that only parses each frame and forwards it to the tabs' ports takes ${signed(floor.p50 - direct.p50)} ms at p50 and ` +
          `${signed(floor.p99 - direct.p99)} ms at p99 over a page socket, against targets of +${TARGETS.p50} and +${TARGETS.p99} ms; ` +
          `the broker and the app around it (turn state, storage, the tabs' own updates) come to ${signed(broker.p50 - floor.p50)} and ${signed(broker.p99 - floor.p99)} ms against that floor.`,
      );
    }
    const startBroker = { p50: quantile(result.atOnce.broker, 0.5), p99: quantile(result.atOnce.broker, 0.99) };
    const startDirect = { p50: quantile(result.atOnce.direct, 0.5), p99: quantile(result.atOnce.direct, 0.99) };
    rows.push({
      metric: `Delivery latency, ${label}, the stream starting as the turn does (first delta at once, every delta counted; 1 run per side; context)`,
      value: `p50 ${ms(startBroker.p50, 3)}, p99 ${ms(startBroker.p99, 3)}`,
      baseline: `direct p50 ${ms(startDirect.p50, 3)}, p99 ${ms(startDirect.p99, 3)}`,
      comparison: `${signed(startBroker.p50 - startDirect.p50)} ms at p50, ${signed(startBroker.p99 - startDirect.p99)} ms at p99, where the measured rows, their first delta ${FIRST_TOKEN_DELAY_MS} ms after \`response.created\`, give ${signed(broker.p50 - direct.p50)} and ${signed(broker.p99 - direct.p99)} ms`,
      target: '',
      met: null,
    });
    data[`tabs${tabCount}`] = describe(result);
    const thread = result.brokerThread;
    if (thread && thread.runs > 0) {
      rows.push({
        metric: `Broker thread per wake-up while it forwards the stream, ${label} (context)`,
        value: `${ms(thread.cpuMs / thread.runs, 3)} on a CPU`,
        baseline: `${ms(thread.waitMs / thread.runs, 3)} runnable, waiting for a CPU`,
        comparison:
          `${thread.runs} wake-ups; waiting ${Math.round((100 * thread.waitMs) / (thread.waitMs + thread.cpuMs))} % of the time it had work` +
          (result.floorThread && result.floorThread.runs > 0 ? `; the bare relay worker: ${ms(result.floorThread.cpuMs / result.floorThread.runs, 3)} on a CPU per wake-up` : ''),
        target: '',
        met: null,
      });
    }
  }

  ctx.progress('latency, 1 tab drawing the stream');
  const drawn = await withSetup(ctx, 1, { draw: true, rounds: DRAWN_ROUNDS }, (setup) => compare(ctx, setup));
  const drawnBroker = quantile(drawn.samples.broker, 0.5);
  const drawnDirect = quantile(drawn.samples.direct, 0.5);
  rows.push({
    metric: 'Latency p50, 1 tab drawing the stream (context)',
    value: `${ms(drawnBroker, 3)} (p99 ${ms(quantile(drawn.samples.broker, 0.99), 1)})`,
    baseline: `${ms(drawnDirect, 3)} direct, plain-text renderer (p99 ${ms(quantile(drawn.samples.direct, 0.99), 1)})`,
    comparison: `${signed(drawnBroker - drawnDirect)} ms`,
    target: '',
    met: null,
  });
  data.drawn = describe(drawn);

  return {
    id: 'latency',
    title: '1. Delivery latency (engine send → tab receipt)',
    method:
      `${DELTAS} deltas of ${CHARS} characters paced ${INTERVAL_MS} ms apart, the first ${FIRST_TOKEN_DELAY_MS} ms after \`response.created\` (a model's time to first token: the turn's start-up work in the tabs is over by then; the rows "the stream starting as the turn does" send it at once and count every delta), each stamped with the engine's send time; ` +
      `receipt on the page's wall clock (Chromium rounds it to 0.1 ms); first ${WARMUP_DELTAS} deltas of each run dropped; ` +
      `one run per side not counted (the tabs were just opened), then ${ROUNDS} rounds per side (${DRAWN_ROUNDS} for the context row), alternating, samples pooled. Direct = a WebSocket opened in the page to the same relay, ` +
      'in a tab with no CDP network tracing (bench/browser.ts). Delivery rows: no tab draws the stream (its turn is started, then the tab ' +
      'shows another thread); with 8 tabs every tab receives it (a port of the probe to the broker / a socket per tab). Context row: the one tab draws it. ' +
      "Floor rows: the same stream through a bare SharedWorker (the benchmark's script, not the app's) that parses each frame and posts it to the listening tabs' ports, batched by the broker's rule. " +
      "Broker thread rows: the kernel's account of the SharedWorker's thread over the broker runs (Linux /proc schedstat): time on a CPU and time runnable but waiting for one, per time it was scheduled in (the bare worker's likewise over its runs).",
    rows,
    notes,
    data,
  };
}

async function withSetup<T>(ctx: BenchContext, tabCount: number, options: Pick<Setup, 'draw' | 'rounds'>, run: (setup: Setup) => Promise<T>): Promise<T> {
  const tabs = await openAppTabs(ctx.browser, ctx.relayUrl, tabCount);
  try {
    const ownThreads: string[] = [];
    for (const tab of tabs) ownThreads.push(await tab.newThread());
    const streamThread = await tabs[0]!.newThread();
    const relayWorkerUrl = options.draw ? null : await tabs[0]!.tab.run(startRelayWorker);
    return await run({ tabs, streamThread, ownThreads, relayWorkerUrl, ...options });
  } finally {
    await closeAll(tabs);
  }
}

async function compare(ctx: BenchContext, setup: Setup): Promise<Comparison> {
  const samples: Record<Side, number[]> = { broker: [], direct: [], relayWorker: [] };
  const perRound: Record<Side, { p50: number; p99: number }[]> = { broker: [], direct: [], relayWorker: [] };
  const sides = SIDES.filter((side) => side !== 'relayWorker' || setup.relayWorkerUrl !== null);
  // Both workers' threads are named alike; the other one is idle while one side runs.
  const threads: Partial<Record<Side, ThreadSchedule | null>> = { broker: { cpuMs: 0, waitMs: 0, runs: 0 }, relayWorker: { cpuMs: 0, waitMs: 0, runs: 0 } };
  // One run of each side first, not counted. The tabs were just opened and the first round's runs
  // had the tails of the whole metric: with 8 tabs, p99 8.7 (broker) and 9.3 ms (direct) in the
  // first round against 1.6–4.9 ms in the three after it (a run of 2026-12-07), and the broker
  // always went first in it.
  for (const side of sides) await runSide(ctx, setup, side);
  for (let r = 0; r < setup.rounds; r++) {
    // Rotate the order, so a drift in the machine's state hits every side alike (over 4 rounds
    // and 3 sides, the broker leads twice, the others once).
    const order = sides.map((_, i) => sides[(i + r) % sides.length]!);
    for (const side of order) {
      const before = side === 'direct' ? null : threadSchedule(BROKER_THREAD);
      const latencies = await runSide(ctx, setup, side);
      if (side !== 'direct') {
        const run = scheduleBetween(before, threadSchedule(BROKER_THREAD));
        const sum = threads[side];
        threads[side] = run && sum ? { cpuMs: sum.cpuMs + run.cpuMs, waitMs: sum.waitMs + run.waitMs, runs: sum.runs + run.runs } : null;
      }
      samples[side].push(...latencies);
      perRound[side].push({ p50: round(quantile(latencies, 0.5), 3), p99: round(quantile(latencies, 0.99), 3) });
    }
  }
  const floorThread = samples.relayWorker.length > 0 ? (threads.relayWorker ?? null) : null;
  // The stream starting as the turn does: what the 400 ms before the first delta leaves out.
  const atOnce = setup.draw ? { broker: [], direct: [] } : { broker: await runSide(ctx, setup, 'broker', AT_ONCE), direct: await runSide(ctx, setup, 'direct', AT_ONCE) };
  return { samples, atOnce, perRound, brokerThread: threads.broker ?? null, floorThread };
}

/** When a run's first delta goes out, and how many of its first deltas are not counted. */
interface Timing {
  firstTokenDelayMs: number;
  dropFirst: number;
}
const MEASURED: Timing = { firstTokenDelayMs: FIRST_TOKEN_DELAY_MS, dropFirst: WARMUP_DELTAS };
/** The turn-start context rows: the first delta at once, every delta counted. */
const AT_ONCE: Timing = { firstTokenDelayMs: 0, dropFirst: 0 };

function runSide(ctx: BenchContext, setup: Setup, side: Side, timing: Timing = MEASURED): Promise<number[]> {
  return side === 'broker' ? brokerRun(ctx, setup, timing) : side === 'direct' ? directRun(ctx, setup, timing) : relayWorkerRun(ctx, setup, timing);
}

async function brokerRun(ctx: BenchContext, { tabs, streamThread, ownThreads, draw }: Setup, timing: Timing): Promise<number[]> {
  const marker = ctx.marker('latency');
  const starter = tabs[0]!;
  await ctx.engine.script({ onlyFor: marker, firehose: { deltas: DELTAS, chars: CHARS, stamp: true }, eventDelayMs: INTERVAL_MS, firstTokenDelayMs: timing.firstTokenDelayMs });
  await Promise.all(tabs.map((tab) => tab.startCapture({ mode: 'broker', threadId: streamThread, expected: DELTAS, chars: CHARS, latencies: true })));
  await starter.show(streamThread);
  await starter.send(`latency run ${marker}`, false);
  if (!draw) await starter.show(ownThreads[0]!);
  const results = await Promise.all(tabs.map((tab) => tab.collect(30_000, 0, { ended: true })));
  assertComplete(results, 'broker');
  return results.flatMap((r) => r.latencies.slice(timing.dropFirst));
}

async function directRun(ctx: BenchContext, { tabs, draw }: Setup, timing: Timing): Promise<number[]> {
  const markers = tabs.map(() => ctx.marker('latency-direct'));
  await ctx.engine.script(...markers.map((marker) => ({ onlyFor: marker, firehose: { deltas: DELTAS, chars: CHARS, stamp: true }, eventDelayMs: INTERVAL_MS, firstTokenDelayMs: timing.firstTokenDelayMs })));
  await Promise.all(
    tabs.map((tab, i) => tab.startCapture({ mode: 'direct', expected: DELTAS, chars: CHARS, latencies: true, socketUrl: ctx.socketUrl, userText: markers[i]!, render: draw && i === 0 })),
  );
  const results = await Promise.all(tabs.map((tab) => tab.collect(30_000, 0)));
  assertComplete(results, 'direct');
  return results.flatMap((r) => r.latencies.slice(timing.dropFirst));
}

async function relayWorkerRun(ctx: BenchContext, { tabs, relayWorkerUrl }: Setup, timing: Timing): Promise<number[]> {
  const marker = ctx.marker('latency-relay-worker');
  await ctx.engine.script({ onlyFor: marker, firehose: { deltas: DELTAS, chars: CHARS, stamp: true }, eventDelayMs: INTERVAL_MS, firstTokenDelayMs: timing.firstTokenDelayMs });
  // The stream's id is the run's own: nothing a previous run left listening can receive it.
  const spec = (opens: boolean) => ({ mode: 'relayWorker' as const, threadId: marker, expected: DELTAS, chars: CHARS, latencies: true, workerUrl: relayWorkerUrl!, opens, socketUrl: ctx.socketUrl, userText: marker, render: false });
  // Every other tab listens before the first one has the worker open the socket.
  await Promise.all(tabs.slice(1).map((tab) => tab.startCapture(spec(false))));
  await tabs[0]!.startCapture(spec(true));
  const results = await Promise.all(tabs.map((tab) => tab.collect(30_000, 0)));
  assertComplete(results, 'relayWorker');
  return results.flatMap((r) => r.latencies.slice(timing.dropFirst));
}

function assertComplete(results: readonly { timedOut: boolean; count: number }[], side: Side) {
  const short = results.find((r) => r.timedOut);
  if (short) throw new Error(`latency (${side}): only ${short.count} of ${DELTAS} deltas arrived`);
}

function describe({ samples, atOnce, perRound, brokerThread, floorThread }: Comparison) {
  const side = (values: number[]) => ({
    samples: values.length,
    p50: round(quantile(values, 0.5), 3),
    p90: round(quantile(values, 0.9), 3),
    p99: round(quantile(values, 0.99), 3),
    max: round(Math.max(...values), 3),
  });
  return {
    broker: side(samples.broker),
    direct: side(samples.direct),
    ...(samples.relayWorker.length > 0 ? { relayWorker: side(samples.relayWorker) } : {}),
    ...(atOnce.broker.length > 0 ? { atOnce: { broker: side(atOnce.broker), direct: side(atOnce.direct) } } : {}),
    perRound,
    brokerThread,
    floorThread,
  };
}

const signed = (value: number) => `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(3)}`;
