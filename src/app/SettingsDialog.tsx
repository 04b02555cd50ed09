import { useEffect, useId, useRef, useState, type FormEvent, type RefObject } from 'react';
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
  const titleId = useId();

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

  return (
    <dialog
      ref={dialog}
      className="dialog"
      aria-labelledby={titleId}
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
      <h2 id={titleId} className="dialog__title">
        Settings
      </h2>
      <form className="settings" noValidate onSubmit={(e) => void onSubmit(e)} aria-busy={phase !== 'ready'}>
        <NumberField
          inputRef={poolInput}
          label="Pool size (sockets)"
          bounds={INPUT_BOUNDS.maxSockets}
          value={draft.maxSockets}
          disabled={phase === 'loading'}
          error={errors.maxSockets}
          hint={`Most sockets open at once, ${INPUT_BOUNDS.maxSockets.min}–${INPUT_BOUNDS.maxSockets.max}. Turns beyond that wait in a queue.`}
          onChange={(value) => edit('maxSockets', value)}
        />
        <NumberField
          inputRef={idleInput}
          label="Close idle sockets after (seconds)"
          bounds={INPUT_BOUNDS.idleSeconds}
          value={draft.idleSeconds}
          disabled={phase === 'loading'}
          error={errors.idleSeconds}
          hint={`${INPUT_BOUNDS.idleSeconds.min}–${INPUT_BOUNDS.idleSeconds.max} seconds.`}
          onChange={(value) => edit('idleSeconds', value)}
        />
        <NumberField
          inputRef={compactInput}
          label="Compact when input tokens exceed"
          bounds={INPUT_BOUNDS.compactAtInputTokens}
          step={1000}
          value={draft.compactAtInputTokens}
          disabled={phase === 'loading'}
          error={errors.compactAtInputTokens}
          hint="When a request's input passes this many tokens, the thread's history is compacted before the next request (before a turn, or between tool calls)."
          onChange={(value) => edit('compactAtInputTokens', value)}
        />
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

/** One whole-number setting: label, input, hint, and the error once a save found one. */
function NumberField(props: {
  inputRef: RefObject<HTMLInputElement | null>;
  label: string;
  bounds: { min: number; max: number };
  step?: number;
  value: string;
  disabled: boolean;
  error: string | undefined;
  hint: string;
  onChange(value: string): void;
}) {
  const id = useId();
  const hintId = useId();
  const errorId = useId();
  return (
    <div className="settings__field">
      <label htmlFor={id}>{props.label}</label>
      <input
        ref={props.inputRef}
        id={id}
        type="number"
        inputMode="numeric"
        min={props.bounds.min}
        max={props.bounds.max}
        step={props.step ?? 1}
        value={props.value}
        disabled={props.disabled}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={props.error ? `${hintId} ${errorId}` : hintId}
        onChange={(e) => props.onChange(e.target.value)}
      />
      <span id={hintId} className="settings__hint">
        {props.hint}
      </span>
      {props.error && (
        <span id={errorId} className="settings__error">
          {props.error}
        </span>
      )}
    </div>
  );
}
