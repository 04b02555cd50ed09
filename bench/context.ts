// What every benchmark gets, and what it returns.
import type { BenchBrowser } from './browser.ts';
import type { EngineControl } from './engineControl.ts';

export interface BenchContext {
  browser: BenchBrowser;
  /** e.g. http://127.0.0.1:43817 — the relay serving the built app and the embedded engine. */
  relayUrl: string;
  /** ws://…/v1/responses on the same relay: the direct baseline's endpoint. */
  socketUrl: string;
  engine: EngineControl;
  /** A marker unique in this run, for a user message and the engine plan that waits for it
   *  (`onlyFor`). The closing bracket keeps one marker from being a prefix of another. */
  marker(label: string): string;
  progress(message: string): void;
}

/** One line of the results table. */
export interface Row {
  metric: string;
  /** The measured value (the broker's side of a comparison). */
  value: string;
  /** The other side of the comparison, measured in the same run, or '' when there is none. */
  baseline: string;
  /** Difference and/or ratio to the baseline, or '' . */
  comparison: string;
  target: string;
  /** null: context only, no target. */
  met: boolean | null;
}

export interface MetricReport {
  id: string;
  title: string;
  /** How it was measured, in a sentence or two (goes under the table). */
  method: string;
  rows: Row[];
  /** Findings: why a target was missed, what limits a number. */
  notes: string[];
  /** Raw numbers for results.json. */
  data: Record<string, unknown>;
}

export function createMarkers(): (label: string) => string {
  let next = 0;
  return (label) => `⟦bench:${label}:${++next}⟧`;
}

export const ms = (value: number, digits = 2): string => (Number.isFinite(value) ? `${value.toFixed(digits)} ms` : '—');
