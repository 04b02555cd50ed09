// `npm run bench`: builds nothing itself (the npm script runs `vite build` first), starts the
// relay with the embedded engine, launches Chromium, runs every metric and writes
// bench/results.json and bench/results.md.
//
//   npm run bench                      all metrics
//   npm run bench -- latency heap      only these (ids: latency throughput continuation connections history heap coldstart)
//
// Nothing here asserts a timing: a missed target is reported, never a failure. The process fails
// only when a benchmark could not run at all.
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBenchBrowser } from './browser.ts';
import { createMarkers, type BenchContext, type MetricReport } from './context.ts';
import { engineControl } from './engineControl.ts';
import { measureBrokerHeap } from './metrics/brokerHeap.ts';
import { measureColdStart } from './metrics/coldStart.ts';
import { measureConnections } from './metrics/connections.ts';
import { measureContinuation } from './metrics/continuation.ts';
import { measureHistoryBytes } from './metrics/historyBytes.ts';
import { measureLatency } from './metrics/latency.ts';
import { measureThroughput } from './metrics/throughput.ts';
import { startRelay } from './relayProcess.ts';
import { sampleCpu, foreignShare, type CpuSample } from './machineLoad.ts';
import { busy, currentLoad, describeEnvironment, printTable, writeResults, writeResultsJson } from './report.ts';

const BENCH_DIR = fileURLToPath(new URL('.', import.meta.url));
const DIST_INDEX = fileURLToPath(new URL('../dist/index.html', import.meta.url));

const METRICS: Record<string, (ctx: BenchContext) => Promise<MetricReport>> = {
  latency: measureLatency,
  throughput: measureThroughput,
  continuation: measureContinuation,
  connections: measureConnections,
  history: measureHistoryBytes,
  heap: measureBrokerHeap,
  coldstart: measureColdStart,
};

async function main(): Promise<void> {
  const only = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
  const unknown = only.filter((id) => !(id in METRICS));
  if (unknown.length > 0) throw new Error(`unknown metric(s) ${unknown.join(', ')}; known: ${Object.keys(METRICS).join(', ')}`);
  if (!existsSync(DIST_INDEX)) throw new Error('dist/ is missing: run `npm run bench` (it builds first) or `npm run build`');

  const started = performance.now();
  const loadAtStart = currentLoad();
  const cpuAtStart = sampleCpu();
  const relay = await startRelay();
  const browser = await launchBenchBrowser().catch(async (error: unknown) => {
    await relay.stop();
    throw error;
  });
  const ctx: BenchContext = {
    browser,
    relayUrl: relay.url,
    socketUrl: `${relay.url.replace(/^http/, 'ws')}/v1/responses`,
    engine: engineControl(relay.url),
    marker: createMarkers(),
    progress: (message) => console.log(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s] ${message}`),
  };
  const environment = describeEnvironment(browser.version, loadAtStart);
  if (busy(environment)) console.warn(`warning: load average ${environment.load.atStart} on ${environment.machine.cores} cores before the start: other work may skew the numbers`);
  const reports: MetricReport[] = [];
  let cpuAtEnd: CpuSample | null = null;
  try {
    for (const [id, measure] of Object.entries(METRICS)) {
      if (only.length > 0 && !only.includes(id)) continue;
      await ctx.engine.reset();
      reports.push(await measure(ctx));
    }
  } finally {
    // Before the browser and the relay exit: their CPU time counts as ours while they live.
    cpuAtEnd = sampleCpu();
    await browser.close().catch(() => undefined);
    await relay.stop();
  }
  environment.durationSeconds = Math.round((performance.now() - started) / 1000);
  environment.load.otherWorkCpuShare = foreignShare(cpuAtStart, cpuAtEnd);
  printTable(reports);
  if (busy(environment)) console.warn(`warning: other work used ${Math.round((environment.load.otherWorkCpuShare ?? 0) * 100)} % of the CPU during the run: numbers are skewed`);
  if (only.length === 0) {
    writeResults(BENCH_DIR, environment, reports);
    console.log(`wrote bench/results.json and bench/results.md (${environment.durationSeconds} s)`);
  } else {
    // The raw numbers of a partial run still matter while investigating: beside the system's
    // temporary files, never over the committed results.
    const partial = join(tmpdir(), 'switchboard-bench-partial.json');
    writeResultsJson(partial, environment, reports);
    console.log(`partial run (${only.join(', ')}): results files left untouched, raw numbers in ${partial} (${environment.durationSeconds} s)`);
  }
}

// Exit through process.exit so that 'exit' handlers stop the relay and Playwright the browser.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack ?? error.message : error);
  process.exit(1);
});
