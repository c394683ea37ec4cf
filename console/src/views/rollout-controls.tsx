/**
 * Pause, resume, cancel and approve, each behind a confirmation that says what will happen to the
 * jobs already running. Every command names the batch version the operator was looking at, so
 * it is refused (BATCH_CHANGED) rather than applied to a batch that moved on since.
 */
import { useState } from 'preact/hooks';
import { api, type Batch, type BatchCommand } from '../api.ts';
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

export function RolloutControls({ batch, onChanged }: { batch: Batch; onChanged(): void }) {
  const [asking, setAsking] = useState<BatchCommand>();
  const commands = available(batch);
  if (commands.length === 0) return null;
  const send = (command: BatchCommand, note: string) => {
    const base = { ifVersion: batch.version, ...(note ? { note } : {}) };
    if (command === 'resume' && batch.state === 'halted') {
      return api.command(batch.id, 'resume', { ...base, acceptFailures: true });
    }
    if (command === 'approve') return api.command(batch.id, 'approve', { ...base, wave: batch.currentWave });
    return api.command(batch.id, command, base);
  };
  return (
    <fieldset class="controls" aria-label="Rollout controls">
      {commands.map((command) => (
        <button
          key={command}
          type="button"
          class={command === 'cancel' ? 'danger' : command === 'approve' ? 'primary' : ''}
          onClick={() => setAsking(command)}
        >
          {LABELS[command].button}
        </button>
      ))}
      {asking && (
        <ConfirmDialog
          title={LABELS[asking].title}
          confirmLabel={LABELS[asking].confirm}
          note
          onConfirm={(note) => send(asking, note)}
          onClose={() => {
            setAsking(undefined);
            onChanged();
          }}
        >
          <p>{consequence(batch, asking)}</p>
        </ConfirmDialog>
      )}
    </fieldset>
  );
}
