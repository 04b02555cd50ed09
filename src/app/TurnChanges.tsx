import { useState } from 'react';
import type { TurnChangeSet } from '../core/brokerMessages.ts';
import { DiffView } from './DiffView.tsx';
import { useServices } from './ServicesContext.ts';

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Diffs up to this many lines show open; longer ones start folded. */
const DIFF_OPEN_MAX_LINES = 40;

const VERB = { add: 'added', update: 'updated', move: 'moved', delete: 'deleted' } as const;

/** The files a turn changed, a diff per change, and "Revert this turn's changes". */
export function TurnChanges({ threadId, turnId, changes, revertedAt, canRevert }: { threadId: string; turnId: string; changes: readonly TurnChangeSet[]; revertedAt?: number; canRevert: boolean }) {
  const { broker } = useServices();
  const [state, setState] = useState<{ kind: 'idle' | 'reverting' } | { kind: 'error'; text: string }>({ kind: 'idle' });
  const files = changes.flatMap((set) => set.changes.map((change, i) => ({ key: `${set.callId}:${i}`, tool: set.tool, change })));
  if (files.length === 0) return null;

  const revert = () => {
    setState({ kind: 'reverting' });
    broker.call('revertTurn', { threadId, turnId }).then(
      () => setState({ kind: 'idle' }),
      (error: unknown) => setState({ kind: 'error', text: errorText(error) }),
    );
  };

  return (
    <section className="changes" aria-label="Files changed">
      <div className="changes__head">
        <span className="changes__title">
          {files.length} {files.length === 1 ? 'file' : 'files'} changed
        </span>
        {revertedAt !== undefined ? (
          <span className="changes__reverted">Reverted</span>
        ) : (
          canRevert && (
            <button type="button" className="button button--small" disabled={state.kind === 'reverting'} onClick={revert}>
              {state.kind === 'reverting' ? 'Reverting…' : 'Revert this turn’s changes'}
            </button>
          )
        )}
      </div>
      {files.map(({ key, tool, change }) => {
        const where = change.kind === 'move' && change.from ? `${change.from} → ${change.path}` : change.path;
        return (
          <details key={key} className="changes__file" open={change.diff.split('\n').length <= DIFF_OPEN_MAX_LINES}>
            <summary>
              <span className={`changes__kind changes__kind--${change.kind}`}>{VERB[change.kind]}</span> <code>{where}</code> <span className="changes__tool">by {tool}</span>
            </summary>
            <DiffView diff={change.diff} label={`Diff of ${change.path}`} />
          </details>
        );
      })}
      {state.kind === 'error' && (
        <p className="changes__error" role="alert">
          {state.text}
        </p>
      )}
    </section>
  );
}
