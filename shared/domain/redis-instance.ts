/**
 * The Redis instances the operator manages (docs/architecture.md §2) as a job remembers them: validate
 * records every instance it found, and verify requires each one to be there and healthy again.
 */
import * as z from 'zod';
import { REDIS_KINDS } from '#domain/cluster-views.ts';

export const instanceRefSchema = z.strictObject({
  kind: z.enum(REDIS_KINDS),
  namespace: z.string().min(1),
  name: z.string().min(1),
});
export type InstanceRef = z.infer<typeof instanceRefSchema>;

/** The instance alone, without what the cluster reported about it. */
export function instanceRef({ kind, namespace, name }: InstanceRef): InstanceRef {
  return { kind, namespace, name };
}

/** `Kind namespace/name`, as reasons and logs name an instance. */
export function instanceName(instance: InstanceRef): string {
  return `${instance.kind} ${instance.namespace}/${instance.name}`;
}
