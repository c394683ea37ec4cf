/** The notify consumer's row (#usecases/consumers.ts). */
import type * as z from 'zod';
import { jobEventSchema } from '#domain/job-event.ts';
import type { ConsumerRow } from '#usecases/consumer-row.ts';
import { makeNotify } from '#usecases/notify.ts';

// One delivery message per receiver, so one slow receiver never delays the others. (The end of a
// batch's job wakes its rollout from the emitter: #usecases/notifier.ts.)
export const NOTIFY_ROW = {
  message: jobEventSchema,
  sends: ['webhook-delivery'],
  needs: { webhookStore: true },
  timeout: 'stage',
  logKeys: ({ id, type, data }) => ({ eventId: id, type, jobId: data.jobId }),
  make: makeNotify,
} satisfies ConsumerRow<z.output<typeof jobEventSchema>, { webhookStore: true }>;
