/**
 * Kubernetes label selectors with one semantics for both forms Kubernetes has: the structured
 * `{ matchLabels, matchExpressions }` of a resource spec (a batch's `selector`, selector waves)
 * and the string form of list calls and the CLI (#domain/rollout/label-selector-text.ts). Both
 * become requirements that must all hold, as apimachinery's `labels.Requirement` does.
 *
 * An empty selector matches every cluster, as in Kubernetes; a batch that means "the whole
 * fleet" says `selector: {}` explicitly, since unknown fields are refused.
 */
import * as z from 'zod';
import { labelsSchema } from '#domain/cluster-schema.ts';

export type Labels = Readonly<Record<string, string>> | undefined;

/** The operators of a structured selector (metav1.LabelSelectorRequirement). */
export const SELECTOR_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const;
export type SelectorOperator = (typeof SELECTOR_OPERATORS)[number];

export interface LabelSelectorRequirement {
  key: string;
  operator: SelectorOperator;
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

/** One requirement of either form; `Gt`/`Lt` (`>`/`<`) exist only in the string form of list calls. */
export interface Requirement {
  key: string;
  operator: SelectorOperator | 'Gt' | 'Lt';
  values: readonly string[];
}

const INTEGER = /^-?\d+$/;

export function matchesRequirement(requirement: Requirement, labels: Labels): boolean {
  const value = labels?.[requirement.key];
  switch (requirement.operator) {
    case 'In':
      return value !== undefined && requirement.values.includes(value);
    case 'NotIn':
      return value === undefined || !requirement.values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      if (value === undefined || !INTEGER.test(value)) return false;
      const bound = Number(requirement.values[0]);
      return requirement.operator === 'Gt' ? Number(value) > bound : Number(value) < bound;
    }
  }
}

export function matchesAll(requirements: readonly Requirement[], labels: Labels): boolean {
  return requirements.every((requirement) => matchesRequirement(requirement, labels));
}

export function requirementsOf(selector: LabelSelector): Requirement[] {
  const labels = Object.entries(selector.matchLabels ?? {}).map(
    ([key, value]): Requirement => ({ key, operator: 'In', values: [value] }),
  );
  const expressions = (selector.matchExpressions ?? []).map(
    ({ key, operator, values }): Requirement => ({ key, operator, values: values ?? [] }),
  );
  return [...labels, ...expressions];
}

export function matchesSelector(selector: LabelSelector, labels: Labels): boolean {
  return matchesAll(requirementsOf(selector), labels);
}

const labelKey = labelsSchema.keyType;
const labelValue = labelsSchema.valueType;

const expressionSchema = z
  .strictObject({
    key: labelKey,
    operator: z.enum(SELECTOR_OPERATORS, {
      error: (issue) =>
        `${JSON.stringify(issue.input)} is not a selector operator (use ${SELECTOR_OPERATORS.join(', ')})`,
    }),
    values: z.array(labelValue).optional(),
  })
  .superRefine(({ operator, values }, ctx) => {
    const listed = values?.length ?? 0;
    // As the API server validates metav1.LabelSelector: a set needs values, existence takes none.
    if ((operator === 'In' || operator === 'NotIn') && listed === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['values'],
        message: `must list at least one value for ${operator}`,
      });
    }
    if ((operator === 'Exists' || operator === 'DoesNotExist') && listed > 0) {
      ctx.addIssue({ code: 'custom', path: ['values'], message: `must be empty for ${operator}` });
    }
  });

/** As labelsSchema, but a bad key is reported by name (zod's own message is "Invalid key in record"). */
const matchLabelsSchema = z.record(z.string(), labelValue).superRefine((labels, ctx) => {
  for (const key of Object.keys(labels)) {
    const problem = labelKey.safeParse(key).error?.issues[0];
    if (problem)
      ctx.addIssue({ code: 'custom', path: [key], message: `${JSON.stringify(key)} ${problem.message}` });
  }
});

export const labelSelectorSchema = z.strictObject({
  matchLabels: matchLabelsSchema.optional(),
  matchExpressions: z.array(expressionSchema).optional(),
});
