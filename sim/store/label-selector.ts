import { badRequest } from '#sim/store/api-error.ts';

export type Labels = Record<string, string> | undefined;
export type LabelMatcher = (labels: Labels) => boolean;

const KEY = '[A-Za-z0-9][-A-Za-z0-9_./]*';
const VALUE = '[-A-Za-z0-9_.]*';
const EQUALITY = new RegExp(String.raw`^(${KEY})\s*(==|=|!=)\s*(${VALUE})$`);
const SET = new RegExp(String.raw`^(${KEY})\s+(in|notin)\s*\(([^)]*)\)$`);
const ORDER = new RegExp(String.raw`^(${KEY})\s*(<|>)\s*(-?\d+)$`);
const EXISTS = new RegExp(String.raw`^(!?)\s*(${KEY})$`);

/** Splits on commas outside parentheses: `a in (x,y),b` -> [`a in (x,y)`, `b`]. */
function requirements(selector: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < selector.length; i++) {
    const ch = selector[i];
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === ',' && depth === 0) {
      parts.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(selector.slice(start));
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

function requirement(text: string): LabelMatcher {
  const eq = EQUALITY.exec(text);
  if (eq) {
    const [, key = '', op, value = ''] = eq;
    return op === '!=' ? (l) => l?.[key] !== value : (l) => l?.[key] === value;
  }
  const set = SET.exec(text);
  if (set) {
    const [, key = '', op, list = ''] = set;
    const values = new Set(list.split(',').map((v) => v.trim()));
    return op === 'in'
      ? (l) => l?.[key] !== undefined && values.has(l[key])
      : (l) => l?.[key] === undefined || !values.has(l[key]);
  }
  const order = ORDER.exec(text);
  if (order) {
    const [, key = '', op, bound = '0'] = order;
    const limit = Number(bound);
    return (l) => {
      const v = l?.[key];
      if (v === undefined || !/^-?\d+$/.test(v)) return false;
      return op === '<' ? Number(v) < limit : Number(v) > limit;
    };
  }
  const exists = EXISTS.exec(text);
  if (exists) {
    const [, not, key = ''] = exists;
    return not ? (l) => l?.[key] === undefined : (l) => l?.[key] !== undefined;
  }
  throw badRequest(`unable to parse requirement: found '${text}', expected a label selector requirement`);
}

/** Kubernetes label selector syntax: =, ==, !=, in, notin, key, !key, <, >. Throws 400 on bad syntax. */
export function parseLabelSelector(selector: string | undefined | null): LabelMatcher | undefined {
  if (!selector?.trim()) return undefined;
  const matchers = requirements(selector).map(requirement);
  return (labels) => matchers.every((m) => m(labels));
}
