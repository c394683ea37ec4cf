/** How many records a store lists at most per call, the same for jobs and batches on every store. */
export const DEFAULT_LIST_LIMIT = 100;
export const MAX_LIST_LIMIT = 1000;

/** The requested page size, or the default, within 1..MAX_LIST_LIMIT. */
export function listLimit(requested: number | undefined): number {
  return Math.min(Math.max(1, requested ?? DEFAULT_LIST_LIMIT), MAX_LIST_LIMIT);
}
