import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { UserSettings } from '../core/settings.ts';
import { useServices } from './ServicesContext.ts';
import { describeSettings, draftFrom, INPUT_BOUNDS, readDraft, type SettingsDraft, type SettingsErrors } from './settingsForm.ts';

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** The sidebar's "Settings" button and its dialog; focus returns to the button on close. */
export function SettingsButton() {
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const wasOpen = useRef(false);

  // After the dialog left the DOM (while it is open, everything outside it is inert).
  useEffect(() => {
    if (open) wasOpen.current = true;
    else if (wasOpen.current) {
      wasOpen.current = false;
      button.current?.focus();
    }
  }, [open]);

  return (
    <>
      <button ref={button} type="button" className="button button--ghost button--small" aria-haspopup="dialog" onClick={() => setOpen(true)}>
        Settings
      </button>
      {open && <SettingsDialog onClose={() => setOpen(false)} />}
    </>
  );
}

type Message = { kind: 'error' | 'info'; text: string };

/**
 * A modal form (native <dialog>: focus trapped, Escape closes). Opening it asks the broker for
 * the settings in force (`applySettings`); Save writes the changed fields to IndexedDB, then
 * has the broker apply them and shows what is in force now.
 */
export function SettingsDialog({ onClose }: { onClose(): void }) {
  const services = useServices();
  const dialog = useRef<HTMLDialogElement>(null);
  const poolInput = useRef<HTMLInputElement>(null);
  const idleInput = useRef<HTMLInputElement>(null);
  const compactInput = useRef<HTMLInputElement>(null);
  const ids = {
    title: useId(), pool: useId(), poolHint: useId(), poolError: useId(), idle: useId(), idleHint: useId(), idleError: useId(),
    compact: useId(), compactHint: useId(), compactError: useId(),
  };

  const [phase, setPhase] = useState<'loading' | 'ready' | 'saving'>('loading');
  const [inForce, setInForce] = useState<UserSettings | null>(null);
  const [draft, setDraft] = useState<SettingsDraft>({ maxSockets: '', idleSeconds: '', compactAtInputTokens: '' });
  const [errors, setErrors] = useState<SettingsErrors>({});
  const [message, setMessage] = useState<Message | null>(null);
  const [saved, setSaved] = useState(false);

  useEffect(() => {
    const el = dialog.current;
    if (el && !el.open) el.showModal();
    return () => el?.close();
  }, []);

  // Ask once per opening (StrictMode re-runs effects in development; refs survive that).
  const mounted = useRef(false);
  const asked = useRef(false);
  useEffect(() => {
    mounted.current = true;
    if (!asked.current) {
      asked.current = true;
      services.broker.call('applySettings', {}).then(
        (settings) => {
          if (!mounted.current) return;
          setInForce(settings);
          setDraft(draftFrom(settings));
          setPhase('ready');
        },
        async (error: unknown) => {
          // Show what is saved, at least; every filled field is then saved as typed.
          const savedValues = await services.threads.getSettings().catch(() => ({}) as Partial<UserSettings>);
          if (!mounted.current) return;
          setDraft({
            maxSockets: savedValues.maxSockets === undefined ? '' : String(savedValues.maxSockets),
            idleSeconds: savedValues.socketIdleMs === undefined ? '' : String(savedValues.socketIdleMs / 1000),
            compactAtInputTokens: savedValues.compactAtInputTokens === undefined ? '' : String(savedValues.compactAtInputTokens),
          });
          setMessage({ kind: 'error', text: `Could not read the settings in force: ${errorText(error)}` });
          setPhase('ready');
        },
      );
    }
    return () => {
      mounted.current = false;
    };
  }, [services]);

  // Once the values arrive, the first field takes focus (while loading, only Cancel could).
  const loaded = phase !== 'loading';
  useEffect(() => {
    if (!loaded) return;
    poolInput.current?.focus();
    poolInput.current?.select();
  }, [loaded]);

  const edit = (field: keyof SettingsDraft, value: string) => {
    setDraft((d) => ({ ...d, [field]: value }));
    setErrors((e) => ({ ...e, [field]: undefined }));
  };

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    if (phase !== 'ready') return;
    const { changes, errors: found } = readDraft(draft, inForce);
    setErrors(found);
    if (found.maxSockets || found.idleSeconds || found.compactAtInputTokens) {
      (found.maxSockets ? poolInput : found.idleSeconds ? idleInput : compactInput).current?.focus();
      return;
    }
    setPhase('saving');
    setMessage(null);
    try {
      await services.threads.putSettings(changes);
    } catch (error) {
      if (!mounted.current) return;
      setMessage({ kind: 'error', text: `Could not save the settings: ${errorText(error)}` });
      setPhase('ready');
      return;
    }
    try {
      const settings = await services.broker.call('applySettings', {});
      if (!mounted.current) return;
      setInForce(settings);
      setDraft(draftFrom(settings));
      setMessage({ kind: 'info', text: `Saved. In force now: ${describeSettings(settings)}.` });
    } catch (error) {
      if (!mounted.current) return;
      setMessage({ kind: 'error', text: `Saved, but the broker could not apply them now (${errorText(error)}). They apply when it next starts.` });
    }
    setSaved(true);
    setPhase('ready');
  };

  const describedBy = (hint: string, error: string, invalid: boolean) => (invalid ? `${hint} ${error}` : hint);

  return (
    <dialog
      ref={dialog}
      className="dialog"
      aria-labelledby={ids.title}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      // The browser may close it on its own (a repeated Escape): keep React in step. (A close
      // event from the effect's cleanup, re-run by StrictMode, finds the dialog open again.)
      onClose={() => {
        if (!dialog.current?.open) onClose();
      }}
    >
      <h2 id={ids.title} className="dialog__title">
        Settings
      </h2>
      <form className="settings" noValidate onSubmit={(e) => void onSubmit(e)} aria-busy={phase !== 'ready'}>
        <div className="settings__field">
          <label htmlFor={ids.pool}>Pool size (sockets)</label>
          <input
            ref={poolInput}
            id={ids.pool}
            type="number"
            inputMode="numeric"
            min={INPUT_BOUNDS.maxSockets.min}
            max={INPUT_BOUNDS.maxSockets.max}
            step={1}
            value={draft.maxSockets}
            disabled={phase === 'loading'}
            aria-invalid={errors.maxSockets ? true : undefined}
            aria-describedby={describedBy(ids.poolHint, ids.poolError, !!errors.maxSockets)}
            onChange={(e) => edit('maxSockets', e.target.value)}
          />
          <span id={ids.poolHint} className="settings__hint">
            Most sockets open at once, {INPUT_BOUNDS.maxSockets.min}–{INPUT_BOUNDS.maxSockets.max}. Turns beyond that wait in a queue.
          </span>
          {errors.maxSockets && (
            <span id={ids.poolError} className="settings__error">
              {errors.maxSockets}
            </span>
          )}
        </div>
        <div className="settings__field">
          <label htmlFor={ids.idle}>Close idle sockets after (seconds)</label>
          <input
            ref={idleInput}
            id={ids.idle}
            type="number"
            inputMode="numeric"
            min={INPUT_BOUNDS.idleSeconds.min}
            max={INPUT_BOUNDS.idleSeconds.max}
            step={1}
            value={draft.idleSeconds}
            disabled={phase === 'loading'}
            aria-invalid={errors.idleSeconds ? true : undefined}
            aria-describedby={describedBy(ids.idleHint, ids.idleError, !!errors.idleSeconds)}
            onChange={(e) => edit('idleSeconds', e.target.value)}
          />
          <span id={ids.idleHint} className="settings__hint">
            {INPUT_BOUNDS.idleSeconds.min}–{INPUT_BOUNDS.idleSeconds.max} seconds.
          </span>
          {errors.idleSeconds && (
            <span id={ids.idleError} className="settings__error">
              {errors.idleSeconds}
            </span>
          )}
        </div>
        <div className="settings__field">
          <label htmlFor={ids.compact}>Compact when input tokens exceed</label>
          <input
            ref={compactInput}
            id={ids.compact}
            type="number"
            inputMode="numeric"
            min={INPUT_BOUNDS.compactAtInputTokens.min}
            max={INPUT_BOUNDS.compactAtInputTokens.max}
            step={1000}
            value={draft.compactAtInputTokens}
            disabled={phase === 'loading'}
            aria-invalid={errors.compactAtInputTokens ? true : undefined}
            aria-describedby={describedBy(ids.compactHint, ids.compactError, !!errors.compactAtInputTokens)}
            onChange={(e) => edit('compactAtInputTokens', e.target.value)}
          />
          <span id={ids.compactHint} className="settings__hint">
            When a request's input passes this many tokens, the thread's history is compacted before the next request (before a turn, or between tool calls).
          </span>
          {errors.compactAtInputTokens && (
            <span id={ids.compactError} className="settings__error">
              {errors.compactAtInputTokens}
            </span>
          )}
        </div>
        {phase === 'loading' && <p className="settings__hint">Reading the settings in force…</p>}
        {message && (
          <p className={`settings__message settings__message--${message.kind}`} role={message.kind === 'error' ? 'alert' : 'status'}>
            {message.text}
          </p>
        )}
        <div className="dialog__actions">
          <button type="button" className="button" onClick={onClose}>
            {saved ? 'Close' : 'Cancel'}
          </button>
          {/* Not disabled while saving (a focused button that gets disabled loses focus);
              onSubmit ignores a second press. */}
          <button type="submit" className="button button--primary" disabled={phase === 'loading'} aria-disabled={phase === 'saving' || undefined}>
            {phase === 'saving' ? 'Saving…' : 'Save'}
          </button>
        </div>
      </form>
    </dialog>
  );
}
