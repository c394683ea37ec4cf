/**
 * Jobs as the JobStores keep them (SQLite and DynamoDB alike): the job and the version of its
 * shape, `schemaVersion`. What a store reads is parsed, never cast: a record without its shape is
 * refused with an error naming the job and the fields at fault, instead of an undefined field deep
 * in a stage; a record of an older shape is migrated as it is read, and written back in the
 * current shape by the job's next update.
 *
 * Shapes:
 * - 0 (no `schemaVersion`; releases before it was stored): attempts as `{ "stage:hop": count }`,
 *   instances as `Kind namespace/name` strings, finished jobs keeping `stageStartedAt`;
 * - 1: #domain/job.ts.
 * A change to the job's shape bumps JOB_SCHEMA_VERSION and adds the migration from the one before.
 */
import * as z from 'zod';
import { REDIS_KINDS } from '#domain/cluster-views.ts';
import { UnreadableRecordError } from '#domain/errors.ts';
import { isTerminal, JOB_STATES, type Job, jobSchema, STAGE_NAMES } from '#domain/job.ts';

export const JOB_SCHEMA_VERSION = 1;

export type StoredJob = Job & { schemaVersion: typeof JOB_SCHEMA_VERSION };

export function storedJob(job: Job): StoredJob {
  return { schemaVersion: JOB_SCHEMA_VERSION, ...job };
}

const current = z
  .looseObject({ schemaVersion: z.literal(JOB_SCHEMA_VERSION) })
  .transform(({ schemaVersion: _, ...job }) => job)
  .pipe(jobSchema);

const ATTEMPT_KEY = new RegExp(`^(${STAGE_NAMES.join('|')}):(\\d+)$`);
const INSTANCE_NAME = new RegExp(`^(${REDIS_KINDS.join('|')}) ([^\\s/]+)/([^\\s/]+)$`);

const attemptsV0 = z.record(z.string(), z.unknown()).transform((attempts, context) =>
  Object.entries(attempts).map(([key, count]) => {
    const [, stage, hop] = ATTEMPT_KEY.exec(key) ?? [];
    if (stage === undefined) context.addIssue({ code: 'custom', path: [key], message: 'is not "stage:hop"' });
    return { stage, hop: Number(hop), count };
  }),
);

const instanceV0 = z.string().transform((text, context) => {
  const [, kind, namespace, name] = INSTANCE_NAME.exec(text) ?? [];
  if (kind === undefined) {
    context.addIssue({ code: 'custom', message: `${JSON.stringify(text)} is not "Kind namespace/name"` });
  }
  return { kind, namespace, name };
});

const fromV0 = z
  .looseObject({
    state: z.enum(JOB_STATES),
    attempts: attemptsV0,
    instances: z.array(instanceV0).optional(),
  })
  .transform(({ stageStartedAt, ...job }) => (isTerminal(job.state) ? job : { ...job, stageStartedAt }))
  .pipe(jobSchema);

const versioned = z.looseObject({ schemaVersion: z.number().int().min(1).optional() });

/** How many issues the message quotes; all of them are in `details.issues`. */
const ISSUES_IN_MESSAGE = 3;

function unreadable(id: string, schemaVersion: number | undefined, error: z.ZodError): UnreadableRecordError {
  const issues = error.issues.map((issue) => `${issue.path.join('.') || '(record)'}: ${issue.message}`);
  const more = issues.length > ISSUES_IN_MESSAGE ? ` (and ${issues.length - ISSUES_IN_MESSAGE} more)` : '';
  const shape = schemaVersion === undefined ? 'unversioned' : `schema version ${schemaVersion}`;
  return new UnreadableRecordError(
    `stored job ${id} (${shape}) is unreadable: ${issues.slice(0, ISSUES_IN_MESSAGE).join('; ')}${more}`,
    { details: { jobId: id, schemaVersion, issues } },
  );
}

/** The job in a record a store read under key `id`, migrated to the current shape. */
export function readStoredJob(record: unknown, id: string): Job {
  const envelope = versioned.safeParse(record);
  if (!envelope.success) throw unreadable(id, undefined, envelope.error);
  const { schemaVersion } = envelope.data;
  if (schemaVersion !== undefined && schemaVersion > JOB_SCHEMA_VERSION) {
    throw new UnreadableRecordError(
      `stored job ${id} has schema version ${schemaVersion}, written by a newer release (this one reads up to ${JOB_SCHEMA_VERSION}): run the newer release`,
      { details: { jobId: id, schemaVersion } },
    );
  }
  const parsed = (schemaVersion === undefined ? fromV0 : current).safeParse(record);
  if (!parsed.success) throw unreadable(id, schemaVersion, parsed.error);
  if (parsed.data.id !== id) {
    throw new UnreadableRecordError(`stored job ${id} holds job ${parsed.data.id}`, {
      details: { jobId: id, schemaVersion },
    });
  }
  return parsed.data;
}
