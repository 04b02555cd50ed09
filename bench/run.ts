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
import { fileURLToPath } from 'node:url';
import { launchBenchBrowser } from './browser.ts';
import { createMarkers, type BenchContext, type MetricReport } from './context.ts';
import { engineControl } from './engineControl.ts';
import { measureConnections } from './metrics/connections.ts';
import { measureContinuation } from './metrics/continuation.ts';
import { measureHistoryBytes } from './metrics/historyBytes.ts';
import { measureLatency } from './metrics/latency.ts';
import { measureThroughput } from './metrics/throughput.ts';
import { startRelay } from './relayProcess.ts';
import { describeEnvironment, printTable, writeResults } from './report.ts';

const BENCH_DIR = fileURLToPath(new URL('.', import.meta.url));
const DIST_INDEX = fileURLToPath(new URL('../dist/index.html', import.meta.url));

const METRICS: Record<string, (ctx: BenchContext) => Promise<MetricReport>> = {
  latency: measureLatency,
  throughput: measureThroughput,
  continuation: measureContinuation,
  connections: measureConnections,
  history: measureHistoryBytes,
};

async function main(): Promise<void> {
  const only = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
  const unknown = only.filter((id) => !(id in METRICS));
  if (unknown.length > 0) throw new Error(`unknown metric(s) ${unknown.join(', ')}; known: ${Object.keys(METRICS).join(', ')}`);
  if (!existsSync(DIST_INDEX)) throw new Error('dist/ is missing: run `npm run bench` (it builds first) or `npm run build`');

  const started = performance.now();
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
  const environment = describeEnvironment(browser.version);
  const reports: MetricReport[] = [];
  try {
    for (const [id, measure] of Object.entries(METRICS)) {
      if (only.length > 0 && !only.includes(id)) continue;
      await ctx.engine.reset();
      reports.push(await measure(ctx));
    }
  } finally {
    await browser.close().catch(() => undefined);
    await relay.stop();
  }
  environment.durationSeconds = Math.round((performance.now() - started) / 1000);
  printTable(reports);
  if (only.length === 0) {
    writeResults(BENCH_DIR, environment, reports);
    console.log(`wrote bench/results.json and bench/results.md (${environment.durationSeconds} s)`);
  } else {
    console.log(`partial run (${only.join(', ')}): results files left untouched (${environment.durationSeconds} s)`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack ?? error.message : error);
  process.exit(1);
});
