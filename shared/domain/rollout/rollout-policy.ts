/**
 * Rollout policies (issue 13): what a signed release starts by itself. A policy names the
 * versions it applies to (a semver range), the clusters (a label selector, as a batch's) and the
 * rollout strategy (as a batch's); a registered version that a policy's range admits starts one
 * batch per matching policy, exactly as `POST /batches` would with that selector and strategy.
 * The schema is the configuration's contract: a policy that would make a bad batch request is
 * refused at start-up, naming the policy, not when the release comes.
 */
import semver from 'semver';
import * as z from 'zod';
import { type BatchRequest, batchRequestSchema, strategySchema } from './batch-request.ts';
import { labelSelectorSchema } from './label-selector.ts';

export const rolloutPolicySchema = z.strictObject({
  name: z
    .string()
    .regex(
      /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/,
      'must be lower-case letters, digits and dashes (a DNS label)',
    ),
  versions: z
    .string()
    .min(1)
    .refine((range) => semver.validRange(range) !== null, {
      error: (issue) => `${JSON.stringify(issue.input)} is not a semver range (e.g. ">=4.1.0 <5.0.0")`,
    })
    .describe('The versions a release must be for the policy to start a rollout: a semver range.'),
  selector: labelSelectorSchema.describe('The clusters it rolls out to; `{}` for the whole fleet.'),
  strategy: strategySchema,
});
export type RolloutPolicy = z.output<typeof rolloutPolicySchema>;

export const rolloutPoliciesSchema = z.array(rolloutPolicySchema).superRefine((policies, context) => {
  const seen = new Set<string>();
  for (const [index, policy] of policies.entries()) {
    if (seen.has(policy.name)) {
      context.addIssue({ code: 'custom', path: [index, 'name'], message: `${policy.name} is named twice` });
    }
    seen.add(policy.name);
  }
});

/** The policies whose range admits `version` (prereleases only when the range names one). */
export function policiesFor(policies: readonly RolloutPolicy[], version: string): RolloutPolicy[] {
  return policies.filter((policy) => semver.satisfies(version, policy.versions));
}

/** The batch request a policy makes for a released version. */
export function policyBatchRequest(policy: RolloutPolicy, version: string): BatchRequest {
  return batchRequestSchema.parse({
    name: `policy ${policy.name}: ${version}`,
    targetVersion: version,
    selector: policy.selector,
    strategy: policy.strategy,
  });
}
