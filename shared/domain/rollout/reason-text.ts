/**
 * The wording shared by the reasons a batch gives (its state, its events, its errors): readable
 * for one cluster and for a thousand.
 */
/** "a, b, c" or "a, b and 12 more". */
export function nameList(names: readonly string[], shown = 10): string {
  if (names.length <= shown) return names.join(', ');
  return `${names.slice(0, shown).join(', ')} and ${names.length - shown} more`;
}

/** "1 cluster", "3 clusters". */
export function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** "; 3 running jobs finish", or nothing when none runs: what a stop leaves running (runningJobs). */
export function runningNote(running: number): string {
  return running === 0 ? '' : `; ${plural(running, 'running job finishes', 'running jobs finish')}`;
}
