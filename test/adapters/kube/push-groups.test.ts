/**
 * PushGroups: members of one key gathered into runs. Runs are scripted (each waits until the test
 * ends it), so what is asserted is who went together, never how long anything took.
 */
import { describe, expect, it } from 'vitest';
import { PushGroups } from '#adapters/kube/push-groups.ts';

interface ScriptedRun {
  key: string;
  members: string[];
  finish(error?: Error): void;
}

function scripted(
  options: { gatherMs: number; maxMembers: number },
  refuse?: (member: string) => Error | undefined,
) {
  const runs: ScriptedRun[] = [];
  const waiters: (() => void)[] = [];
  const groups = new PushGroups<string>(
    (key, members) =>
      new Promise<void>((resolve, reject) => {
        runs.push({ key, members, finish: (error) => (error ? reject(error) : resolve()) });
        for (const wake of waiters.splice(0)) wake();
      }),
    options,
    refuse,
  );
  /** Resolves once `count` runs have started. */
  const started = async (count: number): Promise<ScriptedRun[]> => {
    while (runs.length < count) await new Promise<void>((wake) => waiters.push(wake));
    return runs;
  };
  return { groups, runs, started };
}

const settled = (promise: Promise<void>) =>
  promise.then(
    () => 'ok',
    (error: Error) => error.message,
  );

describe('PushGroups', () => {
  it('gathers the members that arrive together into one run per key', async () => {
    // Prepare
    const { groups, started } = scripted({ gatherMs: 5, maxMembers: 10 });

    // Act
    const outcomes = [
      groups.join('acp-east', 'a'),
      groups.join('acp-east', 'b'),
      groups.join('acp-west', 'x'),
      groups.join('acp-east', 'c'),
    ].map(settled);
    const runs = await started(2);
    for (const run of runs) run.finish();

    // Assess
    expect(await Promise.all(outcomes)).toEqual(['ok', 'ok', 'ok', 'ok']);
    expect(runs.map((run) => [run.key, run.members])).toEqual(
      expect.arrayContaining([
        ['acp-east', ['a', 'b', 'c']],
        ['acp-west', ['x']],
      ]),
    );
  });

  it('sends whoever arrived during a run together in the next one, one run at a time per key', async () => {
    // Prepare
    const { groups, runs, started } = scripted({ gatherMs: 1, maxMembers: 10 });
    const first = settled(groups.join('acp', 'a'));
    await started(1);

    // Act
    const later = ['b', 'c', 'd'].map((member) => settled(groups.join('acp', member)));
    await new Promise((wake) => setTimeout(wake, 20));
    const runningWhileFirstRan = runs.length;
    runs[0]?.finish();
    await started(2);
    runs[1]?.finish();

    // Assess
    expect(runningWhileFirstRan).toBe(1);
    expect(await first).toBe('ok');
    expect(await Promise.all(later)).toEqual(['ok', 'ok', 'ok']);
    expect(runs.map((run) => run.members)).toEqual([['a'], ['b', 'c', 'd']]);
  });

  it('starts a run as soon as it is full, and tells every member of a failed run its error', async () => {
    // Prepare
    const { groups, started } = scripted({ gatherMs: 60_000, maxMembers: 2 });

    // Act
    const outcomes = ['a', 'b', 'c'].map((member) => settled(groups.join('acp', member)));
    const [full] = await started(1);
    full?.finish(new Error('registry unavailable'));
    const [, rest] = await started(2);
    rest?.finish();

    // Assess
    expect(full?.members).toEqual(['a', 'b']);
    expect(rest?.members).toEqual(['c']);
    expect(await Promise.all(outcomes)).toEqual(['registry unavailable', 'registry unavailable', 'ok']);
  });

  it('settles a member its run would not admit with the refusal, and runs the others without it', async () => {
    // Prepare: 'late' has too little time left by the time the run after the first starts
    const refused = new Set<string>();
    const { groups, started } = scripted({ gatherMs: 1, maxMembers: 10 }, (member) =>
      refused.has(member) ? new Error(`${member}: too little time left`) : undefined,
    );
    const first = settled(groups.join('acp', 'a'));
    const [running] = await started(1);

    // Act
    const later = ['b', 'late', 'c'].map((member) => settled(groups.join('acp', member)));
    refused.add('late');
    running?.finish();
    const [, next] = await started(2);
    next?.finish();
    const lone = settled(groups.join('acp', 'late'));

    // Assess
    expect(await first).toBe('ok');
    expect(next?.members).toEqual(['b', 'c']);
    expect(await Promise.all(later)).toEqual(['ok', 'late: too little time left', 'ok']);
    expect(await lone).toBe('late: too little time left');
  });
});
