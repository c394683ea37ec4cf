import { badRequest } from '#sim/store/api-error.ts';

/** What a field selector can see: name and namespace for free, the whole object only when asked. */
export interface FieldSubject {
  name: string;
  namespace: string | undefined;
  object(): Record<string, unknown>;
}
export type FieldMatcher = (subject: FieldSubject) => boolean;

const TERM = /^([A-Za-z0-9_.]+)\s*(==|=|!=)\s*(.*)$/;

function fieldValue(subject: FieldSubject, path: string): string {
  if (path === 'metadata.name') return subject.name;
  if (path === 'metadata.namespace') return subject.namespace ?? '';
  let value: unknown = subject.object();
  for (const segment of path.split('.')) {
    value =
      value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[segment] : undefined;
  }
  return value === undefined || value === null ? '' : String(value);
}

/**
 * `metadata.name=x,metadata.namespace!=y`. Custom resources support only metadata.name and
 * metadata.namespace (like a real apiserver without selectableFields); core kinds any dotted path.
 */
export function parseFieldSelector(
  selector: string | undefined | null,
  core: boolean,
): FieldMatcher | undefined {
  if (!selector?.trim()) return undefined;
  const terms = selector
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '')
    .map((t) => {
      const m = TERM.exec(t);
      if (!m) throw badRequest(`invalid field selector: '${t}'`);
      const [, path = '', op, value = ''] = m;
      if (!core && path !== 'metadata.name' && path !== 'metadata.namespace') {
        throw badRequest(`field label not supported: ${path}`);
      }
      return { path, negate: op === '!=', value };
    });
  return (subject) => terms.every((t) => (fieldValue(subject, t.path) === t.value) !== t.negate);
}
