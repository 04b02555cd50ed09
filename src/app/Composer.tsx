import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';

export interface ComposerProps {
  /** Resolves when the broker accepted the message; rejects with the reason otherwise. */
  onSend(text: string): Promise<void>;
  onStop(): Promise<void>;
  /** A turn of this thread runs: Send waits (one running turn per thread), Stop is offered. */
  running: boolean;
  /** Bumped to move focus into the composer (e.g. after "New thread"). */
  focusToken: number;
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Said when Enter is pressed while this thread's turn runs (the broker words it the same way
 *  when it refuses a second turn sent from another tab at the same moment). */
export const TURN_RUNNING_REFUSAL = 'A turn is already running in this thread. Wait for it to finish or press Stop.';

/** The message box: Enter sends, Shift+Enter adds a line; while a turn runs, Stop instead of
 *  Send (the next message can be typed meanwhile). The broker still refuses a second turn sent
 *  from another tab in the same moment; that refusal shows here. */
export function Composer({ onSend, onStop, running, focusToken }: ComposerProps) {
  const [text, setText] = useState('');
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const textarea = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    if (focusToken > 0) textarea.current?.focus();
  }, [focusToken]);

  // Once the running turn ended, the refusal no longer applies.
  useEffect(() => {
    if (!running) setError((e) => (e === TURN_RUNNING_REFUSAL ? null : e));
  }, [running]);

  const canSend = text.trim() !== '' && !sending && !running;

  async function send() {
    if (running && text.trim() !== '') {
      setError(TURN_RUNNING_REFUSAL); // the text stays
      return;
    }
    if (!canSend) return;
    setSending(true);
    setError(null);
    const sent = text;
    try {
      await onSend(sent);
      // The broker answers once the message is saved, which can be after its turn has ended and
      // the next message is being typed: only the text that was sent is cleared.
      setText((current) => (current === sent ? '' : current));
    } catch (e) {
      setError(errorText(e)); // the text stays, so nothing typed is lost
    } finally {
      setSending(false);
      textarea.current?.focus();
    }
  }

  async function stop() {
    try {
      await onStop();
    } catch (e) {
      setError(errorText(e));
    }
  }

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    void send();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void send();
    }
  };

  return (
    <form className="composer" onSubmit={onSubmit}>
      {error && (
        <div className="composer__error" role="alert">
          {error}
        </div>
      )}
      <div className="composer__row">
        <textarea
          ref={textarea}
          className="composer__input"
          aria-label="Message"
          placeholder="Message the agent — Enter to send, Shift+Enter for a new line"
          rows={Math.min(10, Math.max(2, text.split('\n').length))}
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={onKeyDown}
        />
        <div className="composer__actions">
          {running && (
            <button type="button" className="button button--danger" onClick={() => void stop()}>
              Stop
            </button>
          )}
          <button type="submit" className="button button--primary" disabled={!canSend} title={running ? 'A turn is running in this thread' : undefined}>
            Send
          </button>
        </div>
      </div>
    </form>
  );
}
