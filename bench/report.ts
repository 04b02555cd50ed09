// The results: a table on stdout, bench/results.json (raw numbers) and bench/results.md (the
// table README links), each with the machine, the versions and the date.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, freemem, loadavg, totalmem, release, type as osType } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { MetricReport, Row } from './context.ts';

const REPO = fileURLToPath(new URL('..', import.meta.url));

export interface Environment {
  date: string;
  machine: { os: string; cpu: string; cores: number; memoryGiB: number; freeMemoryGiB: number };
  /** Other work on the machine skews every number: the 1-minute load average before the run
   *  started, and the share of the machine's CPU that other processes used during the run. */
  load: { atStart: number; otherWorkCpuShare?: number | null };
  versions: { switchboard: string; commit: string; node: string; chromium: string; playwright: string };
  durationSeconds?: number;
}

export function describeEnvironment(chromium: string, loadAtStart: number): Environment {
  const cpuList = cpus();
  const pkg = JSON.parse(readFileSync(`${REPO}/package.json`, 'utf8')) as { version: string };
  const playwright = JSON.parse(readFileSync(`${REPO}/node_modules/@playwright/test/package.json`, 'utf8')) as { version: string };
  return {
    date: new Date().toISOString(),
    machine: {
      os: `${osType()} ${release()}`,
      cpu: cpuList[0]?.model.trim() ?? 'unknown',
      cores: cpuList.length,
      memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
      freeMemoryGiB: Math.round((freemem() / 2 ** 30) * 10) / 10,
    },
    load: { atStart: loadAtStart },
    versions: { switchboard: pkg.version, commit: gitCommit(), node: process.version, chromium, playwright: playwright.version },
  };
}

/**
 * Other processes used more than a tenth of the machine during the run; before the run ends (or
 * where that share is unknown), the load average before the start says it instead. The load
 * average is a minute's decaying mean: just after an earlier run it is still over 1 with nothing
 * else running, and a run that other work had used 0 % of the CPU during was flagged busy.
 */
export function busy(env: Environment): boolean {
  const share = env.load.otherWorkCpuShare;
  return share != null ? share > 0.1 : env.load.atStart > env.machine.cores * 0.5;
}

export function currentLoad(): number {
  return Math.round(loadavg()[0]! * 100) / 100;
}

/** Read-only: the commit the run measured, marked when the working tree had local changes
 *  (other than the results files a previous run rewrote). */
function gitCommit(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO, encoding: 'utf8' }).trim();
    const status = ['status', '--porcelain', '--untracked-files=no', '--', '.', ':!bench/results.json', ':!bench/results.md'];
    const dirty = execFileSync('git', status, { cwd: REPO, encoding: 'utf8' }).trim() !== '';
    return dirty ? `${head} + local changes` : head;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

const verdict = (met: boolean | null) => (met === null ? '' : met ? 'met' : 'MISSED');

export function printTable(reports: readonly MetricReport[]): void {
  const rows = reports.flatMap((r) => r.rows);
  const header = ['metric', 'broker / measured', 'baseline (same run)', 'comparison', 'target', ''];
  const cells = rows.map((row: Row) => [row.metric, row.value, row.baseline, row.comparison, row.target, verdict(row.met)]);
  const widths = header.map((h, i) => Math.min(60, Math.max(h.length, ...cells.map((c) => c[i]!.length))));
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i]!)).join('  ');
  console.log(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const c of cells) console.log(line(c));
  console.log('');
}

/** Every raw number of a run, as JSON (bench/results.json, or a partial run's file). */
export function writeResultsJson(path: string, environment: Environment, reports: readonly MetricReport[]): void {
  writeFileSync(path, `${JSON.stringify({ environment, metrics: reports }, null, 2)}\n`);
}

export function writeResults(outDir: string, environment: Environment, reports: readonly MetricReport[]): void {
  writeResultsJson(`${outDir}/results.json`, environment, reports);
  writeFileSync(`${outDir}/results.md`, markdown(environment, reports));
}

function markdown(env: Environment, reports: readonly MetricReport[]): string {
  const escape = (text: string) => text.replace(/\|/g, '\\|');
  const out: string[] = [
    '# Switchboard benchmarks',
    '',
    `Written by \`npm run bench\` (bench/run.ts) on ${env.date}${env.durationSeconds ? ` in ${env.durationSeconds} s` : ''}. ` +
      'Each comparison ran both sides in the same run, alternating; absolute times are context, the comparisons are the result.',
    '',
    `- Machine: ${env.machine.cpu}, ${env.machine.cores} cores, ${env.machine.memoryGiB} GiB RAM, ${env.machine.os}`,
    `- Other work on the machine: load average ${env.load.atStart} before the run; ` +
      (env.load.otherWorkCpuShare == null ? 'its CPU share during the run is unknown (no /proc)' : `${Math.round(env.load.otherWorkCpuShare * 100)} % of the CPU during the run`) +
      (busy(env) ? ' — **the machine was busy: these numbers are noisier and slower than on a quiet machine**' : ''),
    `- Versions: Switchboard ${env.versions.switchboard} (${env.versions.commit}), Node ${env.versions.node}, ${env.versions.chromium} (headless), Playwright ${env.versions.playwright}`,
    '- Setup: the relay (`server/main.ts`) with the embedded engine in its own process; real Chromium; tabs driven over a bare CDP session ' +
      'that never enables network tracing (bench/browser.ts), through the real UI (composer, Send) and the real SharedWorker broker.',
    '',
    '| metric | broker / measured | baseline (same run) | comparison | target | |',
    '|---|---|---|---|---|---|',
    ...reports.flatMap((r) => r.rows.map((row) => `| ${[row.metric, row.value, row.baseline, row.comparison, row.target, verdict(row.met)].map(escape).join(' | ')} |`)),
    '',
  ];
  for (const report of reports) {
    out.push(`## ${report.title}`, '', report.method, '');
    for (const note of report.notes) out.push(`- ${note}`);
    if (report.notes.length > 0) out.push('');
  }
  return `${out.join('\n')}`;
}
