/**
 * The shape of a cluster record wherever one enters the system: the clusters file and
 * `PUT /clusters/{name}`. Names and labels follow Kubernetes rules, since ACP names clusters and
 * kubeconfig contexts that way and labels drive batch selectors.
 */
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

/** Everything but the name, which the file carries per entry and the API takes from the path. */
export const clusterFieldsSchema = z.strictObject({
  context: z.string().min(1).max(253).optional(),
  kubeconfigSecretArn: z.string().startsWith('arn:').max(2048).optional(),
  labels: labelsSchema.default({}),
  platformVersion: z.string().min(1).max(64).optional(),
});

export const clusterRecordSchema = clusterFieldsSchema.extend({ name: clusterNameSchema });
