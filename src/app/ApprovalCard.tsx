import { useState } from 'react';
import type { ApprovalDecision, ApprovalRequest } from '../core/brokerMessages.ts';
import { DiffView } from './DiffView.tsx';
import { useServices } from './ServicesContext.ts';

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * A call waiting for the user (policy "ask"): what it will do, and Approve / Deny / Allow for this
 * thread. Every tab showing the thread shows it; the first answer wins, and a tab that answers
 * too late is told so.
 */
export function ApprovalCard({ threadId, approval }: { threadId: string; approval: ApprovalRequest }) {
  const { broker } = useServices();
  const [state, setState] = useState<{ kind: 'idle' | 'sending' } | { kind: 'error' | 'late'; text: string }>({ kind: 'idle' });

  const answer = (decision: ApprovalDecision) => {
    setState({ kind: 'sending' });
    broker.call('answerApproval', { threadId, approvalId: approval.approvalId, decision }).then(
      ({ accepted }) => setState(accepted ? { kind: 'sending' } : { kind: 'late', text: 'This was already answered (in another tab, or the turn ended).' }),
      (error: unknown) => setState({ kind: 'error', text: `Could not answer: ${errorText(error)}` }),
    );
  };

  const isCode = approval.access === 'execute';
  const busy = state.kind === 'sending';
  return (
    <section className="approval" role="group" aria-label={`Approval needed: ${approval.name}`}>
      <div className="approval__head">
        <span className="approval__badge">{isCode ? 'run code?' : 'change files?'}</span>
        <span className="approval__summary">{approval.summary}</span>
      </div>
      {isCode ? (
        <pre className="approval__code" aria-label={`Code to run`}>
          {approval.detail}
        </pre>
      ) : (
        <DiffView diff={approval.detail} label={`Changes ${approval.name} will make`} />
      )}
      <div className="approval__actions">
        <button type="button" className="button button--primary button--small" disabled={busy} onClick={() => answer('approve')}>
          Approve
        </button>
        <button type="button" className="button button--small" disabled={busy} onClick={() => answer('deny')}>
          Deny
        </button>
        <button type="button" className="button button--ghost button--small" disabled={busy} onClick={() => answer('allow-thread')} title="Approve this call and every later one in this thread (its policy becomes Auto)">
          Allow for this thread
        </button>
      </div>
      {(state.kind === 'error' || state.kind === 'late') && (
        <p className="approval__note" role={state.kind === 'error' ? 'alert' : 'status'}>
          {state.text}
        </p>
      )}
    </section>
  );
}
