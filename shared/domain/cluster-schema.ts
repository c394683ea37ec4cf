/**
 * The shape of a cluster record wherever one enters the system: the clusters file and
 * `PUT /clusters/{name}`. Names and labels follow Kubernetes rules, since ACP names clusters and
 * kubeconfig contexts that way and labels drive batch selectors.
 */
import semver from 'semver';
import * as z from 'zod';

/** DNS-1123 subdomain. */
export const CLUSTER_NAME = /^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/;

const LABEL_KEY = /^([a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?\/)?[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?)?$/;

export const clusterNameSchema = z
  .string()
  .regex(CLUSTER_NAME, 'must be a lower-case DNS name (a-z, 0-9, "-", "."), at most 253 characters');

export const labelsSchema = z.record(
  z.string().regex(LABEL_KEY, 'must be a Kubernetes label key'),
  z.string().regex(LABEL_VALUE, 'must be a Kubernetes label value (at most 63 characters)'),
);

/**
 * The planner parses a platform version with `semver.valid` (shared/domain/planner.ts) and ends
 * every job on a cluster whose version fails it with INVALID_VERSION: refuse it at the door instead.
 */
const platformVersionSchema = z
  .string()
  .min(1)
  .max(64)
  .refine((value) => semver.valid(value) !== null, {
    error: (issue) => `${JSON.stringify(issue.input)} is not a semantic version (expected e.g. 4.1.0)`,
  })
  .describe(
    "The cluster's ACP version, a semantic version (e.g. 4.1.0; a leading `v` is accepted); used instead of what the cluster reports.",
  );

/** Everything but the name, which the file carries per entry and the API takes from the path. */
export const clusterFieldsSchema = z.strictObject({
  context: z.string().min(1).max(253).optional(),
  kubeconfigSecretArn: z.string().startsWith('arn:').max(2048).optional(),
  labels: labelsSchema.default({}),
  platformVersion: platformVersionSchema.optional(),
});

export const clusterRecordSchema = clusterFieldsSchema.extend({ name: clusterNameSchema });
