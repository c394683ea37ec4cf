/**
 * The zod schema of the version catalog (docs/architecture.md §2) and the translation of its issues into
 * messages an operator can act on: every message names the entry (index and version) and the
 * field at fault. Objects are strict, because a misspelt `blocked` that is silently ignored
 * would make a withdrawn version plannable.
 */
import semver from 'semver';
import * as z from 'zod';

const SHA256 = /^[0-9a-f]{64}$/i;

const quote = (value: unknown): string => JSON.stringify(value) ?? String(value);

const nonEmpty = (hint = '') =>
  z.string().refine((value) => value.trim() !== '', { error: `must not be empty${hint}` });

/** Catalog versions must be written canonically (no `v` prefix, no build metadata): they name CSVs. */
const versionField = z.string().refine((value) => semver.valid(value) === value, {
  error: (issue) => `${quote(issue.input)} is not a semantic version (expected e.g. 4.1.1 or 5.0.0-rc.1)`,
});

/** `semver.validRange('')` is `*`, so an empty range is refused explicitly rather than meaning "any". */
const rangeField = z.string().refine((value) => value.trim() !== '' && semver.validRange(value) !== null, {
  error: (issue) => `${quote(issue.input)} is not a semver range (e.g. ">=4.1.0 <4.4.0")`,
});

const artifactSchema = z.strictObject({
  url: z.string().refine((value) => URL.canParse(value), {
    error: (issue) => `${quote(issue.input)} is not an absolute URL`,
  }),
  sha256: z
    .string()
    .refine((value) => SHA256.test(value), {
      error: (issue) => `${quote(issue.input)} is not a sha256 digest (64 hex characters)`,
    })
    .transform((value) => value.toLowerCase()),
  size: z
    .number()
    .refine((value) => Number.isSafeInteger(value) && value >= 0, {
      error: (issue) => `${quote(issue.input)} is not a size in bytes (a whole number >= 0)`,
    })
    .optional(),
});

export const catalogEntrySchema = z.strictObject({
  version: versionField,
  csv: nonEmpty(),
  channel: nonEmpty(),
  platform: rangeField.optional(),
  from: rangeField.optional(),
  blocked: nonEmpty(': give the reason the version is withdrawn').optional(),
  artifact: artifactSchema,
});

export const MAJOR_UPGRADE_POLICIES = ['earliest-minor', 'any'] as const;

export const catalogSchema = z
  .strictObject({
    package: nonEmpty(),
    majorUpgrade: z
      .enum(MAJOR_UPGRADE_POLICIES, {
        error: (issue) =>
          `${quote(issue.input)} is not a majorUpgrade policy (use "earliest-minor" or "any")`,
      })
      .default('earliest-minor'),
    versions: z.array(catalogEntrySchema).min(1, { error: 'lists no versions' }),
  })
  .superRefine((catalog, ctx) => {
    for (const field of ['version', 'csv'] as const) {
      const firstIndex = new Map<string, number>();
      catalog.versions.forEach((entry, index) => {
        const previous = firstIndex.get(entry[field]);
        if (previous === undefined) {
          firstIndex.set(entry[field], index);
          return;
        }
        ctx.addIssue({
          code: 'custom',
          path: ['versions', index, field],
          message: `duplicate ${field} ${quote(entry[field])} (already at versions[${previous}])`,
        });
      });
    }
  });

export interface CatalogIssue {
  /** e.g. `versions[3].platform` */
  path: string;
  message: string;
}

function describeType(input: unknown): string {
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'an array';
  return `a ${typeof input}`;
}

/** Fallback wording for the issues the schema does not phrase itself (missing, wrong type, unknown key). */
export const catalogErrorMap: z.core.$ZodErrorMap = (issue) => {
  if (issue.code === 'invalid_type') {
    return issue.input === undefined
      ? 'is required'
      : `must be ${issue.expected === 'object' ? 'an object' : `a ${issue.expected}`}, not ${describeType(issue.input)}`;
  }
  return undefined;
};

function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((key, index) => (typeof key === 'number' ? `[${key}]` : `${index === 0 ? '' : '.'}${String(key)}`))
    .join('');
}

/** The entry's own version, when it has a readable one, so `versions[7]` is findable in a long file. */
function entryLabel(data: unknown, path: readonly PropertyKey[]): string {
  if (path[0] !== 'versions' || typeof path[1] !== 'number' || path[2] === 'version') return '';
  const versions = (data as { versions?: unknown } | null)?.versions;
  const entry = Array.isArray(versions)
    ? (versions[path[1]] as { version?: unknown } | undefined)
    : undefined;
  return typeof entry?.version === 'string' ? ` (entry ${entry.version})` : '';
}

export function toCatalogIssues(issues: readonly z.core.$ZodIssue[], data: unknown): CatalogIssue[] {
  return issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        path: formatPath([...issue.path, key]),
        message: `unknown field${entryLabel(data, [...issue.path, key])}`,
      }));
    }
    const path = formatPath(issue.path) || '(top level)';
    return [{ path, message: `${issue.message}${entryLabel(data, issue.path)}` }];
  });
}
