/**
 * Routes in the URL's fragment (`#/jobs/<id>`): a link or reload lands on the same view, and the
 * server needs to know only `/` (and CloudFront only the bucket's index), never the console's paths.
 */
import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { view: 'fleet' }
  | { view: 'jobs' }
  | { view: 'job'; id: string }
  | { view: 'rollouts' }
  | { view: 'rollout'; id: string };

export function parseRoute(hash: string): Route {
  const [, first, second] = hash.replace(/^#/, '').split('/');
  const id = second ? decodeURIComponent(second) : undefined;
  if (first === 'jobs') return id ? { view: 'job', id } : { view: 'jobs' };
  if (first === 'rollouts') return id ? { view: 'rollout', id } : { view: 'rollouts' };
  return { view: 'fleet' };
}

export const href = {
  fleet: '#/',
  jobs: '#/jobs',
  job: (id: string) => `#/jobs/${encodeURIComponent(id)}`,
  rollouts: '#/rollouts',
  rollout: (id: string) => `#/rollouts/${encodeURIComponent(id)}`,
};

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const changed = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return route;
}
