import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';

export interface ComposerProps {
  /** Resolves when the broker accepted the message; rejects with the reason otherwise. */
  onSend(text: string): Promise<void>;
  onStop(): Promise<void>;
  running: boolean;
  /** Bumped to move focus into the composer (e.g. after "New thread"). */
  focusToken: number;
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** The message box: Enter sends, Shift+Enter adds a line; Stop while a turn runs. */
export function Composer({ onSend, onStop, running, focusToken }: ComposerProps) {
  const [text, setText] = useState('');
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const textarea = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    if (focusToken > 0) textarea.current?.focus();
  }, [focusToken]);

  const canSend = text.trim() !== '' && !sending;

  async function send() {
    if (!canSend) return;
    setSending(true);
    setError(null);
    try {
      await onSend(text);
      setText('');
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
          <button type="submit" className="button button--primary" disabled={!canSend}>
            Send
          </button>
        </div>
      </div>
    </form>
  );
}
