import { ValidationError } from '#domain/errors.ts';
import { type Labels, matchesAll } from '#domain/rollout/label-selector.ts';
import { parseSelectorText } from '#domain/rollout/label-selector-text.ts';
import { badRequest } from '#sim/store/api-error.ts';

export type { Labels };
export type LabelMatcher = (labels: Labels) => boolean;

/** A list call's `labelSelector` (the domain's string form); bad syntax is the apiserver's 400. */
export function parseLabelSelector(selector: string | undefined | null): LabelMatcher | undefined {
  if (!selector?.trim()) return undefined;
  try {
    const requirements = parseSelectorText(selector);
    return (labels) => matchesAll(requirements, labels);
  } catch (error) {
    if (error instanceof ValidationError) throw badRequest(error.message);
    throw error;
  }
}
