import { useCallback, useEffect, useMemo, useState } from 'react';
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
  /** Sends the text of a failed or interrupted turn again, as a new turn. */
  onRetry(text: string): Promise<void>;
  focusToken: number;
}

/** The open thread: persisted and live turns merged into the transcript, and the composer. */
export function ThreadPane({ threadId, data, emptyMessage, onSend, onStop, onRetry, focusToken }: ThreadPaneProps) {
  const { live } = useServices();
  const liveThread = useLive((s) => (threadId === null ? undefined : s.threads[threadId]));
  const transcript = useMemo(() => buildTranscript(data, liveThread), [data, liveThread]);

  // Live turns that the persisted data shows as ended are no longer needed.
  const forgetKey = transcript.forget.join(',');
  useEffect(() => {
    if (threadId === null || forgetKey === '') return;
    for (const turnId of forgetKey.split(',')) live.forget(threadId, turnId);
  }, [live, threadId, forgetKey]);

  const { retryText } = transcript;
  const [retryError, setRetryError] = useState<string | null>(null);
  useEffect(() => setRetryError(null), [threadId]);
  const retry = useCallback(() => {
    if (retryText === null) return;
    setRetryError(null);
    onRetry(retryText).catch((error: unknown) => setRetryError(`Could not retry: ${error instanceof Error ? error.message : String(error)}`));
  }, [onRetry, retryText]);

  return (
    <>
      <Transcript
        key={threadId ?? ''}
        turns={transcript.turns}
        running={transcript.running}
        onRetry={retryText !== null ? retry : undefined}
        emptyMessage={emptyMessage}
      />
      {retryError && (
        <div className="pane-error" role="alert">
          {retryError}
        </div>
      )}
      <Composer onSend={onSend} onStop={onStop} running={transcript.running} focusToken={focusToken} />
    </>
  );
}
