// Metric 5 — bytes per continuation as the thread's history grows (10, 100, 1000 items).
//
// For each size a new thread is grown in one turn: the engine answers with K calls of a tool the
// broker does not have (it answers each at once with an error text, so growing the history
// costs no I/O), then a short answer: 2K + 2 or 2K + 3 items. Then the engine's sockets are dropped and a
// measured turn runs: one tool call, then an answer. Its first request must go out on a new
// socket with the FULL history (nothing to chain from) and its continuation is chained on that
// socket (`previous_response_id` + the tool output only). Both frames' sizes come from the
// engine's log: the full request is the O(history) reference, the continuation must stay flat.
import { openAppTab } from '../appTab.ts';
import type { BenchContext, MetricReport, Row } from '../context.ts';

const SIZES = [10, 100, 1000];
/** A tool name the broker does not declare: its "unknown tool" output costs nothing to produce. */
const CHEAP_TOOL = 'bench_noop';
/** Flat: the continuation at 1000 items may weigh at most this much more than at 10. */
const FLAT_TOLERANCE = 1.1;

interface SizeResult {
  historyItems: number;
  fullRequestBytes: number;
  continuationBytes: number;
  continuationInputItems: number;
  chained: boolean;
}

export async function measureHistoryBytes(ctx: BenchContext): Promise<MetricReport> {
  const tab = await openAppTab(ctx.browser, ctx.relayUrl);
  const results: SizeResult[] = [];
  for (const size of SIZES) {
    ctx.progress(`bytes per continuation, ${size} items of history`);
    await tab.newThread();
    // Items when the measured continuation goes out: the growth turn's user message, an optional
    // text item (to hit odd sizes), K calls, K outputs and the answer; then user + call + output.
    const calls = Math.floor((size - 5) / 2);
    const withText = (size - 5) % 2 === 1;
    const grow = ctx.marker('grow');
    await ctx.engine.script(
      {
        onlyFor: grow,
        ...(withText ? { text: 'Growing.' } : {}),
        toolCalls: Array.from({ length: calls }, (_, i) => ({ name: CHEAP_TOOL, arguments: { i } })),
      },
      { onlyFor: grow, text: 'Grown.' },
    );
    await tab.send(`grow the history ${grow}`, true);
    await ctx.engine.dropSockets();
    const measure = ctx.marker('measure');
    await ctx.engine.script({ onlyFor: measure, toolCalls: [{ name: CHEAP_TOOL, arguments: {} }] }, { onlyFor: measure, text: 'Measured.' });
    await tab.send(`measure ${measure}`, true);

    const log = await ctx.engine.log();
    const requests = log.frames.filter((f) => f.frame.type === 'response.create' && f.frame.generate !== false && JSON.stringify(f.frame.input).includes(measure));
    const full = requests.find((f) => f.frame.previous_response_id === undefined);
    const continuation = log.frames.find((f) => requests[0] && f.t > requests[0].t && (f.frame.input as { type?: string }[] | undefined)?.[0]?.type === 'function_call_output');
    if (!full || !continuation) throw new Error(`history ${size}: the measured turn's requests were not found in the engine log`);
    results.push({
      historyItems: (full.frame.input as unknown[]).length + 2,
      fullRequestBytes: full.bytes,
      continuationBytes: continuation.bytes,
      continuationInputItems: (continuation.frame.input as unknown[]).length,
      chained: typeof continuation.frame.previous_response_id === 'string',
    });
  }
  await tab.close();

  const smallest = results[0]!;
  const rows: Row[] = results.map((r) => ({
    metric: `Bytes per continuation, ${r.historyItems} items of history`,
    value: `${r.continuationBytes.toLocaleString('en-US')} B (${r.continuationInputItems} item${r.continuationInputItems === 1 ? '' : 's'}${r.chained ? ', chained' : ', NOT chained'})`,
    baseline: `${r.fullRequestBytes.toLocaleString('en-US')} B full request`,
    comparison: `×${(r.continuationBytes / smallest.continuationBytes).toFixed(2)} vs ${smallest.historyItems} items`,
    target: 'flat in history size',
    met: r.chained && r.continuationBytes <= smallest.continuationBytes * FLAT_TOLERANCE,
  }));
  return {
    id: 'history',
    title: '5. Bytes per continuation as history grows',
    method:
      `For ${SIZES.join(', ')} items: a thread grown in one turn (K calls of a tool the broker answers at once), the engine's sockets dropped, then one tool-call turn. ` +
      'Its first request goes out on a new socket with the full history (the reference); its continuation is chained. Sizes are the frames\' UTF-8 bytes at the engine. ' +
      'Every request also carries the tool definitions, the instructions and the client metadata (a fixed ~2 kB).',
    rows,
    notes: [],
    data: { sizes: results },
  };
}
