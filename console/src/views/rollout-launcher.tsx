/**
 * Rehearse, then start, a rollout of the clusters selected in the fleet. The rehearsal (a dry
 * run: the server reads every cluster, changes nothing) is shown first; "Start rollout" is
 * offered only for exactly the request that was rehearsed, with an Idempotency-Key so a retried
 * start answers the same batch.
 */
import { useMemo, useState } from 'preact/hooks';
import { api, type BatchRequest, type Rehearsal } from '../api.ts';
import { href } from '../router.ts';
import { ErrorNote } from './error-note.tsx';
import { RehearsalView } from './rehearsal-view.tsx';

type Strategy = NonNullable<BatchRequest['strategy']>;
type Approval = NonNullable<Strategy['approval']>;

/** Every approval mode of the contract, in the words the form offers (a new mode fails to compile here). */
const APPROVALS: Record<Approval, string> = {
  none: 'none',
  'after-canary': 'after the canary',
  'each-wave': 'each wave',
};

interface Form {
  targetVersion: string;
  name: string;
  canary: string;
  waveSize: string;
  maxConcurrency: string;
  bakeSeconds: string;
  approval: Approval;
  maxFailed: string;
}

const INITIAL: Form = {
  targetVersion: '',
  name: '',
  canary: '1',
  waveSize: '',
  maxConcurrency: '2',
  bakeSeconds: '60',
  approval: 'after-canary',
  maxFailed: '0',
};

const count = (text: string) => (text.trim() === '' ? undefined : Number(text));

function requestOf(form: Form, clusters: string[]): BatchRequest {
  const strategy: Strategy = {
    canary: count(form.canary),
    waveSize: count(form.waveSize),
    maxConcurrency: count(form.maxConcurrency),
    bakeSeconds: count(form.bakeSeconds) ?? 0,
    approval: form.approval,
    failureBudget: { maxFailed: count(form.maxFailed) ?? 0 },
  };
  return {
    targetVersion: form.targetVersion.trim(),
    clusters,
    ...(form.name.trim() ? { name: form.name.trim() } : {}),
    strategy: Object.fromEntries(Object.entries(strategy).filter(([, value]) => value !== undefined)),
  };
}

function Field(props: {
  label: string;
  name: keyof Form;
  form: Form;
  set(form: Form): void;
  numeric?: boolean;
}) {
  return (
    <label>
      {props.label}
      <input
        name={props.name}
        inputMode={props.numeric ? 'numeric' : undefined}
        pattern={props.numeric ? '[0-9]*' : undefined}
        value={props.form[props.name]}
        onInput={(event) => props.set({ ...props.form, [props.name]: event.currentTarget.value })}
      />
    </label>
  );
}

export function RolloutLauncher({ clusters }: { clusters: string[] }) {
  const [form, setForm] = useState(INITIAL);
  const [rehearsed, setRehearsed] = useState<{ key: string; result: Rehearsal }>();
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const request = requestOf(form, clusters);
  const key = JSON.stringify(request);
  const idempotencyKey = useMemo(() => crypto.randomUUID(), [key]);
  const current = rehearsed?.key === key ? rehearsed.result : undefined;
  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
    } catch (failure) {
      setError(failure as Error);
    } finally {
      setBusy(false);
    }
  };
  const rehearse = () => run(async () => setRehearsed({ key, result: await api.rehearse(request) }));
  const start = () =>
    run(async () => {
      const batch = await api.startBatch(request, idempotencyKey);
      location.hash = href.rollout(batch.id);
    });
  return (
    <section class="launcher" aria-labelledby="launcher-title">
      <h2 id="launcher-title">
        Roll out to {clusters.length} selected cluster{clusters.length === 1 ? '' : 's'}
      </h2>
      <form
        class="filters"
        onSubmit={(event) => {
          event.preventDefault();
          void rehearse();
        }}
      >
        <Field label="Target version" name="targetVersion" form={form} set={setForm} />
        <Field label="Name" name="name" form={form} set={setForm} />
        <Field label="Canary" name="canary" form={form} set={setForm} numeric />
        <Field label="Wave size" name="waveSize" form={form} set={setForm} numeric />
        <Field label="Max concurrency" name="maxConcurrency" form={form} set={setForm} numeric />
        <Field label="Bake (s)" name="bakeSeconds" form={form} set={setForm} numeric />
        <Field label="Failures tolerated" name="maxFailed" form={form} set={setForm} numeric />
        <label>
          Approval
          <select
            name="approval"
            value={form.approval}
            onChange={(event) => setForm({ ...form, approval: event.currentTarget.value as Approval })}
          >
            {Object.entries(APPROVALS).map(([value, words]) => (
              <option key={value} value={value}>
                {words}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={busy || clusters.length === 0 || !form.targetVersion.trim()}>
          Rehearse
        </button>
        <button type="button" class="primary" disabled={busy || !current} onClick={() => void start()}>
          Start rollout
        </button>
      </form>
      {!current && clusters.length > 0 && (
        <p class="muted">Rehearse first: the rollout starts as rehearsed.</p>
      )}
      <ErrorNote error={error} />
      {current && <RehearsalView rehearsal={current} />}
    </section>
  );
}
