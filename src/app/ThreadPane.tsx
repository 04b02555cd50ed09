import { useEffect, useMemo } from 'react';
import { Composer } from './Composer.tsx';
import type { ThreadData } from './queries.ts';
import { useServices } from './ServicesContext.ts';
import { Transcript } from './Transcript.tsx';
import { buildTranscript } from './transcriptModel.ts';
import { useLive } from './useLive.ts';

export interface ThreadPaneProps {
  /** The open thread, or null when none is open (sending then creates one). */
  threadId: string | null;
  data: ThreadData | undefined;
  /** Shown in the transcript while it has no turns. */
  emptyMessage: string;
  onSend(text: string): Promise<void>;
  onStop(): Promise<void>;
  focusToken: number;
}

/** The open thread: persisted and live turns merged into the transcript, and the composer. */
export function ThreadPane({ threadId, data, emptyMessage, onSend, onStop, focusToken }: ThreadPaneProps) {
  const { live } = useServices();
  const liveThread = useLive((s) => (threadId === null ? undefined : s.threads[threadId]));
  const transcript = useMemo(() => buildTranscript(data, liveThread), [data, liveThread]);

  // Live turns that the persisted data shows as ended are no longer needed.
  const forgetKey = transcript.forget.join(',');
  useEffect(() => {
    if (threadId === null || forgetKey === '') return;
    for (const turnId of forgetKey.split(',')) live.forget(threadId, turnId);
  }, [live, threadId, forgetKey]);

  return (
    <>
      <Transcript
        key={threadId ?? ''}
        turns={transcript.turns}
        running={transcript.running}
        empty={
          <div className="transcript__empty">
            <p>{emptyMessage}</p>
          </div>
        }
      />
      <Composer onSend={onSend} onStop={onStop} running={transcript.running} focusToken={focusToken} />
    </>
  );
}
