/**
 * A confirmation that says what will happen before it happens: a modal <dialog> (focus moves
 * into it, Escape dismisses it, the page behind is inert), an optional note for the record, and
 * the API's refusal shown in place if the action is refused.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ErrorNote } from './error-note.tsx';

interface Props {
  title: string;
  /** What the action does, to running jobs in particular. */
  children: ComponentChildren;
  confirmLabel: string;
  dismissLabel?: string;
  /** Ask for a note (why), passed to onConfirm. */
  note?: boolean;
  onConfirm(note: string): Promise<unknown>;
  onClose(): void;
}

export function ConfirmDialog(props: Props) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();
  useEffect(() => {
    dialog.current?.showModal();
  }, []);
  const confirm = async () => {
    setBusy(true);
    try {
      await props.onConfirm(note.trim());
      dialog.current?.close();
    } catch (failure) {
      setError(failure as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <dialog ref={dialog} class="confirm" aria-labelledby="confirm-title" onClose={props.onClose}>
      <form
        method="dialog"
        onSubmit={(event) => {
          event.preventDefault();
          void confirm();
        }}
      >
        <h2 id="confirm-title">{props.title}</h2>
        <div class="consequence">{props.children}</div>
        {props.note && (
          <label>
            Note (optional, kept with the record)
            <input maxLength={500} value={note} onInput={(event) => setNote(event.currentTarget.value)} />
          </label>
        )}
        <ErrorNote error={error} />
        <div class="actions">
          <button type="button" class="quiet" onClick={() => dialog.current?.close()}>
            {props.dismissLabel ?? 'Back'}
          </button>
          <button type="submit" class="danger" disabled={busy}>
            {props.confirmLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}
