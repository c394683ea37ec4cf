/**
 * The string form of a label selector, as list calls take it (`labelSelector=`) and the CLI's
 * `--selector`: `env=prod,tier in (a,b),!legacy`. The grammar is apimachinery's `labels.Parse`:
 * `=`, `==`, `!=`, `in`, `notin`, `key`, `!key`, and the integer comparisons `<`, `>`.
 */
import { ValidationError } from '#domain/errors.ts';
import type { LabelSelector, LabelSelectorRequirement, Requirement } from './label-selector.ts';

const KEY = '[A-Za-z0-9][-A-Za-z0-9_./]*';
const VALUE = '[-A-Za-z0-9_.]*';
const EQUALITY = new RegExp(String.raw`^(${KEY})\s*(==|=|!=)\s*(${VALUE})$`);
const SET = new RegExp(String.raw`^(${KEY})\s+(in|notin)\s*\(([^)]*)\)$`);
const ORDER = new RegExp(String.raw`^(${KEY})\s*(<|>)\s*(-?\d+)$`);
const EXISTS = new RegExp(String.raw`^(!?)\s*(${KEY})$`);

/** Splits on commas outside parentheses: `a in (x,y),b` -> [`a in (x,y)`, `b`]. */
function clauses(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

function requirement(text: string): Requirement {
  const eq = EQUALITY.exec(text);
  if (eq) {
    const [, key = '', op, value = ''] = eq;
    return { key, operator: op === '!=' ? 'NotIn' : 'In', values: [value] };
  }
  const set = SET.exec(text);
  if (set) {
    const [, key = '', op, list = ''] = set;
    const values = [...new Set(list.split(',').map((v) => v.trim()))];
    return { key, operator: op === 'in' ? 'In' : 'NotIn', values };
  }
  const order = ORDER.exec(text);
  if (order) {
    const [, key = '', op, bound = '0'] = order;
    return { key, operator: op === '<' ? 'Lt' : 'Gt', values: [bound] };
  }
  const exists = EXISTS.exec(text);
  if (exists) {
    const [, not, key = ''] = exists;
    return { key, operator: not ? 'DoesNotExist' : 'Exists', values: [] };
  }
  throw new ValidationError(
    `unable to parse requirement: found '${text}', expected a label selector requirement`,
  );
}

/** The requirements of a selector string; none (everything matches) for an empty one. */
export function parseSelectorText(text: string): Requirement[] {
  return clauses(text).map(requirement);
}

/**
 * The structured selector a batch request carries. `k=v` becomes a matchLabels entry (unless the
 * key is already there, `a=1,a=2` keeps both as expressions); `<`/`>` have no structured form.
 */
export function selectorFromText(text: string): LabelSelector {
  const matchLabels: Record<string, string> = {};
  const matchExpressions: LabelSelectorRequirement[] = [];
  for (const { key, operator, values } of parseSelectorText(text)) {
    if (operator === 'Gt' || operator === 'Lt') {
      throw new ValidationError(
        `'${key} ${operator === 'Gt' ? '>' : '<'} ${values[0]}' has no batch selector form: use =, !=, in, notin, key or !key`,
      );
    }
    const [only] = values;
    if (operator === 'In' && values.length === 1 && only !== undefined && !(key in matchLabels)) {
      matchLabels[key] = only;
      continue;
    }
    matchExpressions.push(values.length > 0 ? { key, operator, values: [...values] } : { key, operator });
  }
  return {
    ...(Object.keys(matchLabels).length > 0 ? { matchLabels } : {}),
    ...(matchExpressions.length > 0 ? { matchExpressions } : {}),
  };
}

function clauseText({ key, operator, values }: LabelSelectorRequirement): string {
  const list = values ?? [];
  switch (operator) {
    case 'In':
      return list.length === 1 ? `${key}=${list[0]}` : `${key} in (${list.join(',')})`;
    case 'NotIn':
      return list.length === 1 ? `${key}!=${list[0]}` : `${key} notin (${list.join(',')})`;
    case 'Exists':
      return key;
    case 'DoesNotExist':
      return `!${key}`;
  }
}

/** The string form of a structured selector (`selectorFromText` reads it back to an equivalent one). */
export function selectorText(selector: LabelSelector): string {
  const labels = Object.entries(selector.matchLabels ?? {}).map(([key, value]) => `${key}=${value}`);
  return [...labels, ...(selector.matchExpressions ?? []).map(clauseText)].join(',');
}
