/**
 * `POST /apis/authorization.k8s.io/v1/selfsubjectaccessreviews`: what `kubectl auth can-i` asks.
 * The platform token is the only identity a simulated platform knows and it may do everything, so
 * every well-formed review is allowed.
 */

import type { ResourceType } from '#sim/resource-types.ts';
import { invalid } from '#sim/store/api-error.ts';

const REVIEW: ResourceType = {
  group: 'authorization.k8s.io',
  version: 'v1',
  plural: 'selfsubjectaccessreviews',
  kind: 'SelfSubjectAccessReview',
  listKind: 'SelfSubjectAccessReviewList',
  namespaced: false,
};

export function reviewAccess(body: unknown): object {
  const spec = (body as { spec?: Record<string, unknown> } | null)?.spec ?? {};
  const given = ['resourceAttributes', 'nonResourceAttributes'].filter((k) => spec[k] != null);
  if (given.length !== 1) {
    throw invalid(REVIEW, '', [
      {
        reason: 'FieldValueInvalid',
        field: 'spec.resourceAttributes',
        message: `Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified`,
      },
    ]);
  }
  return {
    kind: 'SelfSubjectAccessReview',
    apiVersion: 'authorization.k8s.io/v1',
    metadata: { creationTimestamp: null },
    spec,
    status: { allowed: true, reason: 'the platform token may do everything on a simulated ACP cluster' },
  };
}
