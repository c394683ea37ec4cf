/** A request path under a cluster prefix, as the apiserver's REST mapper reads it. */
export type KubePath =
  | { kind: 'version' }
  | { kind: 'health' }
  | { kind: 'openapi-v2' }
  | { kind: 'openapi-v3-root' }
  | { kind: 'openapi-v3'; groupVersion: string }
  | { kind: 'core-versions' }
  | { kind: 'group-list' }
  | { kind: 'group'; group: string }
  | { kind: 'resource-list'; group: string; version: string }
  | {
      kind: 'resource';
      group: string;
      version: string;
      plural: string;
      namespace: string | undefined;
      name: string | undefined;
      subresource: string | undefined;
      /** The deprecated `/watch/` path form. */
      watchPath: boolean;
    }
  | { kind: 'unknown' };

const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

function resourcePath(group: string, version: string, rest: string[]): KubePath {
  const watchPath = rest[0] === 'watch';
  const segments = watchPath ? rest.slice(1) : rest;
  const core = group === '';
  // `/api/v1/namespaces/x/status` is the Namespace's own subresource, not a resource named "status".
  const namespaced =
    segments[0] === 'namespaces' &&
    segments.length >= 3 &&
    !(core && segments.length === 3 && NAMESPACE_SUBRESOURCES.has(segments[2] as string));
  const namespace = namespaced ? segments[1] : undefined;
  const [plural, name, subresource, ...extra] = namespaced ? segments.slice(2) : segments;
  if (!plural || extra.length > 0) return { kind: 'unknown' };
  return { kind: 'resource', group, version, plural, namespace, name, subresource, watchPath };
}

/** `/openapi/v2`, `/openapi/v3` and `/openapi/v3/<group-version path>`. */
function openApiPath(version: string | undefined, rest: string[]): KubePath {
  if (version === 'v2' && rest.length === 0) return { kind: 'openapi-v2' };
  if (version !== 'v3') return { kind: 'unknown' };
  return rest.length === 0
    ? { kind: 'openapi-v3-root' }
    : { kind: 'openapi-v3', groupVersion: rest.join('/') };
}

export function parseKubePath(pathname: string): KubePath {
  const segments = pathname
    .split('/')
    .filter((s) => s !== '')
    .map((s) => decodeURIComponent(s));
  const [root, a, b, ...rest] = segments;
  if (root === 'version' && segments.length === 1) return { kind: 'version' };
  if ((root === 'healthz' || root === 'readyz' || root === 'livez') && segments.length === 1)
    return { kind: 'health' };
  if (root === 'openapi')
    return openApiPath(
      a,
      [b, ...rest].filter((s) => s !== undefined),
    );
  if (root === 'api') {
    if (a === undefined) return { kind: 'core-versions' };
    if (b === undefined) return { kind: 'resource-list', group: '', version: a };
    return resourcePath('', a, [b, ...rest]);
  }
  if (root === 'apis') {
    if (a === undefined) return { kind: 'group-list' };
    if (b === undefined) return { kind: 'group', group: a };
    if (rest.length === 0) return { kind: 'resource-list', group: a, version: b };
    return resourcePath(a, b, rest);
  }
  return { kind: 'unknown' };
}
