// Sums the vitest and Playwright JSON reports into the one line CI reads: "N passed, N failed".
// A report that is missing (its runner never started) counts as one failure, so a broken
// setup can never look green.
import { existsSync, readFileSync } from 'node:fs';

const [unitPath, e2ePath] = process.argv.slice(2);
let passed = 0;
let failed = 0;

function read(path, label) {
  if (!existsSync(path)) {
    console.log(`ci: ${label} report missing (${path}): counted as 1 failure`);
    failed += 1;
    return null;
  }
  return JSON.parse(readFileSync(path, 'utf8'));
}

const unit = read(unitPath, 'unit');
if (unit) {
  passed += unit.numPassedTests;
  failed += unit.numFailedTests;
  console.log(`ci: unit ${unit.numPassedTests} passed, ${unit.numFailedTests} failed`);
}

const e2e = read(e2ePath, 'e2e');
if (e2e) {
  const s = e2e.stats;
  const bad = s.unexpected + s.flaky;
  passed += s.expected;
  failed += bad;
  console.log(`ci: e2e ${s.expected} passed, ${bad} failed${s.skipped ? `, ${s.skipped} skipped` : ''}`);
  if (e2e.errors?.length) {
    failed += e2e.errors.length;
    console.log(`ci: e2e run errors: ${e2e.errors.map((e) => e.message?.split('\n')[0]).join(' | ')}`);
  }
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
