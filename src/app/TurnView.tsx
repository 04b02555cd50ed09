import { memo, useMemo } from 'react';
import type { TurnStatus } from '../core/brokerMessages.ts';
import { messageText, type Item, type MessageItem } from '../core/wire.ts';
import { ApprovalCard } from './ApprovalCard.tsx';
import { AssistantText } from './AssistantText.tsx';
import { ItemView } from './ItemView.tsx';
import type { TranscriptTurn } from './transcriptModel.ts';
import { TurnChanges } from './TurnChanges.tsx';
import { TurnDetails } from './TurnDetails.tsx';

const ENDED_WITHOUT_ERROR: Partial<Record<TurnStatus, string>> = {
  failed: 'The turn failed.',
  stopped: 'Stopped.',
};

/** Whatever the broker recorded as the reason, an interrupted turn says what happened. */
export const INTERRUPTED_NOTICE = 'Interrupted — the app was closed while this turn ran.';

function problemText(turn: TranscriptTurn): string | null {
  switch (turn.status) {
    case 'completed':
    case 'running':
      return null;
    case 'interrupted':
      return INTERRUPTED_NOTICE;
    case 'stopped':
      return turn.error ? `Stopped: ${turn.error}` : 'Stopped.';
    default:
      return turn.error ?? ENDED_WITHOUT_ERROR[turn.status] ?? null;
  }
}

function isAssistantMessage(item: Item): item is MessageItem {
  return item.type === 'message' && (item as MessageItem).role === 'assistant';
}

/** One logical turn: the user's message, then everything the agent did for it. `onRetry` is
 *  given for the turn that can be retried (the thread's last, failed or interrupted). */
export const TurnView = memo(function TurnView({ turn, number, onRetry }: { turn: TranscriptTurn; number: number; onRetry?: () => void }) {
  const toolNames = useMemo(() => {
    const names = new Map<string, string>();
    for (const e of turn.entries) {
      if (e.kind === 'item' && e.item.type === 'function_call') {
        const call = e.item as { call_id: string; name: string };
        names.set(call.call_id, call.name);
      }
    }
    return names;
  }, [turn.entries]);

  const problem = problemText(turn);

  return (
    <article className={`turn turn--${turn.status}`} aria-label={`Turn ${number}`}>
      {turn.userText !== '' && (
        <div className="turn__user">
          <div className="turn__user-text">{turn.userText}</div>
        </div>
      )}
      {turn.kind === 'compaction' && <div className="turn__system">Compact thread</div>}
      <div className="turn__agent">
        {turn.entries.map((entry) =>
          // A streaming text and the message it becomes share a key and a component: the
          // finished message takes over the streamed DOM (AssistantText).
          entry.kind === 'streaming' ? (
            <AssistantText key={entry.key} chunks={entry.chunks} />
          ) : entry.kind === 'saved-text' ? (
            <div key={entry.key} className="saved-text">
              <div className="saved-text__body">{entry.text}</div>
              <span className="saved-text__note">unfinished</span>
            </div>
          ) : isAssistantMessage(entry.item) ? (
            <AssistantText key={entry.key} text={messageText(entry.item)} />
          ) : (
            <ItemView key={entry.key} item={entry.item} toolNames={toolNames} />
          ),
        )}
        {turn.status === 'running' && turn.entries.length === 0 && turn.approvals.length === 0 && <div className="turn__pending">{turn.kind === 'compaction' ? 'Compacting…' : 'Working…'}</div>}
        {turn.notices.map((notice, i) => (
          <div key={i} className="compaction-note compaction-note--failed" role="note">
            {notice} The turn went on with the full history.
          </div>
        ))}
        {turn.approvals.map((approval) => (
          <ApprovalCard key={approval.approvalId} threadId={turn.threadId} approval={approval} />
        ))}
        <TurnChanges threadId={turn.threadId} turnId={turn.turnId} changes={turn.changes} canRevert={turn.status !== 'running'} {...(turn.revertedAt !== undefined ? { revertedAt: turn.revertedAt } : {})} />
        {problem && (
          <div className="turn__problem">
            <div className={`turn__alert turn__alert--${turn.status}`} role="alert">
              {problem}
            </div>
            {onRetry && (
              <button type="button" className="button button--small" onClick={onRetry}>
                Retry
              </button>
            )}
          </div>
        )}
      </div>
      {turn.live && <TurnDetails live={turn.live} />}
    </article>
  );
});
