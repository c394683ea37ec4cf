/**
 * Pause, resume, cancel and approve, each behind a confirmation that says what will happen to the
 * jobs already running. Every command names the batch version the operator was looking at, so
 * it is refused (BATCH_CHANGED) rather than applied to a batch that moved on since.
 * The dialog keeps the batch as it was when its button was pressed: the page polls every 2 s, and
 * reading the current batch on Confirm would send whatever version arrived last, approving or
 * pausing something the operator never saw. What changed meanwhile is said in the dialog.
 */
import { useState } from 'preact/hooks';
import { api, type Batch, type BatchCommand } from '../api.ts';
import { BATCH_MARKS } from '../marks.tsx';
import { ConfirmDialog } from './confirm-dialog.tsx';

const FINAL = new Set(['succeeded', 'completed-with-failures', 'cancelled']);

function counted(batch: Batch) {
  const running = (batch.counts.starting ?? 0) + (batch.counts.started ?? 0);
  const waiting = (batch.counts.pending ?? 0) + (batch.counts['deferred-unreachable'] ?? 0);
  return { running, waiting };
}

const jobs = (n: number) => `${n} job${n === 1 ? '' : 's'}`;

function consequence(batch: Batch, command: BatchCommand) {
  const { running, waiting } = counted(batch);
  const wave = batch.waves[batch.currentWave];
  switch (command) {
    case 'pause':
      return `No new job starts. The ${jobs(running)} already running go on to their end (an install is never interrupted); ${waiting} cluster${waiting === 1 ? '' : 's'} wait until you resume.`;
    case 'resume':
      return batch.state === 'halted'
        ? `The batch halted: ${batch.halt?.reason ?? batch.reason}. Resuming accepts the failures of ${batch.halt?.clusters.join(', ') || 'those clusters'}, recorded with your note, and starts jobs again within the strategy's limits.`
        : `Jobs start again where the batch stopped, at most ${wave?.maxConcurrency ?? 1} at once in ${wave?.label ?? 'the current wave'}.`;
    case 'cancel':
      return `The ${waiting} cluster${waiting === 1 ? '' : 's'} not started are cancelled and never touched. The ${jobs(running)} running get a cancel request: each stops at once before its point of no return, otherwise after the hop being installed is verified. An install is never interrupted.`;
    case 'approve':
      return `${wave?.label ?? 'The wave'} (${wave?.clusters.length ?? 0} clusters) starts now, at most ${wave?.maxConcurrency ?? 1} at once. Jobs already running are not affected.`;
  }
}

const LABELS: Record<BatchCommand, { button: string; title: string; confirm: string }> = {
  pause: { button: 'Pause', title: 'Pause the rollout?', confirm: 'Pause' },
  resume: { button: 'Resume', title: 'Resume the rollout?', confirm: 'Resume' },
  cancel: { button: 'Cancel rollout', title: 'Cancel the rollout?', confirm: 'Cancel the rollout' },
  approve: { button: 'Approve wave', title: 'Approve the next wave?', confirm: 'Approve and start' },
};

function available(batch: Batch): BatchCommand[] {
  if (FINAL.has(batch.state)) return [];
  const commands: BatchCommand[] = [];
  if (batch.state === 'awaiting-approval') commands.push('approve');
  if (batch.state === 'paused' || batch.state === 'halted') commands.push('resume');
  else commands.push('pause');
  commands.push('cancel');
  return commands;
}

/** The command being confirmed and the batch as the operator saw it when asking. */
interface Asking {
  command: BatchCommand;
  batch: Batch;
}

function send({ command, batch }: Asking, note: string) {
  const base = { ifVersion: batch.version, ...(note ? { note } : {}) };
  if (command === 'resume' && batch.state === 'halted') {
    return api.command(batch.id, 'resume', { ...base, acceptFailures: true });
  }
  if (command === 'approve') return api.command(batch.id, 'approve', { ...base, wave: batch.currentWave });
  return api.command(batch.id, command, base);
}

export function RolloutControls({ batch, onChanged }: { batch: Batch; onChanged(): void }) {
  const [asking, setAsking] = useState<Asking>();
  const commands = available(batch);
  // An open dialog stays when the batch ends meanwhile, so the operator reads why it is over.
  if (commands.length === 0 && !asking) return null;
  const moved = asking && batch.version !== asking.batch.version;
  return (
    <fieldset class="controls" aria-label="Rollout controls">
      {commands.map((command) => (
        <button
          key={command}
          type="button"
          class={command === 'cancel' ? 'danger' : command === 'approve' ? 'primary' : ''}
          onClick={() => setAsking({ command, batch })}
        >
          {LABELS[command].button}
        </button>
      ))}
      {asking && (
        <ConfirmDialog
          title={LABELS[asking.command].title}
          confirmLabel={LABELS[asking.command].confirm}
          note
          onConfirm={(note) => send(asking, note)}
          onClose={() => {
            setAsking(undefined);
            onChanged();
          }}
        >
          <p>{consequence(asking.batch, asking.command)}</p>
          {moved && (
            <p class="notice" role="status">
              The rollout changed while this was open: it is now {BATCH_MARKS[batch.state].label}
              {batch.reason ? ` (${batch.reason})` : ''}. Confirming is refused; go back and read it again.
            </p>
          )}
        </ConfirmDialog>
      )}
    </fieldset>
  );
}
