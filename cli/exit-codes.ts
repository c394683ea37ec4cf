/**
 * The one place that decides the CLI's exit code (docs/architecture.md §11):
 *   0 success; 1 failure (anything unexpected, remote and conflict errors); 2 invalid input (usage
 *   errors, a malformed version, a version the catalog does not list, a bad catalog or config);
 *   3 no supported path (the request is well-formed but the rules admit no upgrade: NO_PATH, and
 *   also DOWNGRADE, BLOCKED_VERSION and PLATFORM_UNSUPPORTED, since retyping the command cannot
 *   fix those: the catalog or the platform has to change); 4 blocked (a job that a prerequisite
 *   or safety check stopped before anything changed).
 */
import { CommanderError } from 'commander';
import { CatalogError, ConfigError, NotFoundError, PlanError, ValidationError } from '#domain/errors.ts';
import type { JobState } from '#domain/job.ts';
import type { BatchState, ClusterRolloutState } from '#domain/rollout/batch.ts';

export const EXIT_CODES = {
  ok: 0,
  failure: 1,
  invalidInput: 2,
  noSupportedPath: 3,
  blocked: 4,
} as const;

export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

export function exitCodeFor(error: unknown): ExitCode {
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_CODES.ok : EXIT_CODES.invalidInput;
  if (error instanceof PlanError) {
    return error.code === 'INVALID_VERSION' || error.code === 'UNKNOWN_VERSION'
      ? EXIT_CODES.invalidInput
      : EXIT_CODES.noSupportedPath;
  }
  if (
    error instanceof ValidationError ||
    error instanceof CatalogError ||
    error instanceof ConfigError ||
    error instanceof NotFoundError
  ) {
    return EXIT_CODES.invalidInput;
  }
  return EXIT_CODES.failure;
}

/** For commands that wait for a job (`upgrade --wait`): set `process.exitCode` to this and return. */
export function exitCodeForJobState(state: JobState): ExitCode {
  if (state === 'succeeded') return EXIT_CODES.ok;
  if (state === 'blocked') return EXIT_CODES.blocked;
  return EXIT_CODES.failure;
}

/**
 * For `rollout --wait`: 0 when every cluster succeeded (or was skipped as busy), 4 when the only
 * ones that did not were blocked (nothing was changed on them), 1 when any failed or the batch
 * was halted or cancelled.
 */
export function exitCodeForBatch(state: BatchState, counts: Record<ClusterRolloutState, number>): ExitCode {
  if (state === 'halted' || state === 'cancelled') return EXIT_CODES.failure;
  if (counts.failed + counts['recheck-failed'] + counts.cancelled > 0) return EXIT_CODES.failure;
  if (counts.blocked > 0) return EXIT_CODES.blocked;
  return state === 'succeeded' || state === 'completed-with-failures' ? EXIT_CODES.ok : EXIT_CODES.failure;
}
