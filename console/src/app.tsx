/** The console's frame: the token gate, the navigation and the view the URL's fragment names. */
import { useEffect, useState } from 'preact/hooks';
import { whenUnauthorized } from './api.ts';
import { href, type Route, useRoute } from './router.ts';
import { forgetToken, readToken, saveToken } from './session-token.ts';
import { FleetView } from './views/fleet-view.tsx';
import { JobView } from './views/job-view.tsx';
import { JobsView } from './views/jobs-view.tsx';
import { RolloutView } from './views/rollout-view.tsx';
import { RolloutsView } from './views/rollouts-view.tsx';
import { TokenForm } from './views/token-form.tsx';

function View({ route }: { route: Route }) {
  switch (route.view) {
    case 'fleet':
      return <FleetView />;
    case 'jobs':
      return <JobsView />;
    case 'job':
      return <JobView id={route.id} />;
    case 'rollouts':
      return <RolloutsView />;
    case 'rollout':
      return <RolloutView id={route.id} />;
  }
}

const TABS = [
  { label: 'Fleet', href: href.fleet, views: ['fleet'] },
  { label: 'Rollouts', href: href.rollouts, views: ['rollouts', 'rollout'] },
  { label: 'Jobs', href: href.jobs, views: ['jobs', 'job'] },
];

const REFUSED = 'The API refused the token (expired or wrong): enter a new one';

export function App() {
  const [token, setToken] = useState(readToken);
  // Why the token form is shown again, when it is not the operator's own sign-out.
  const [notice, setNotice] = useState<string>();
  const route = useRoute();
  useEffect(
    () =>
      whenUnauthorized(() => {
        forgetToken();
        setToken(undefined);
        setNotice(REFUSED);
      }),
    [],
  );
  const signOut = () => {
    forgetToken();
    setToken(undefined);
    setNotice(undefined);
  };
  return (
    <>
      <header class="top">
        <span class="brand">redis-upgrader</span>
        {token && (
          <nav aria-label="Views">
            {TABS.map((tab) => (
              <a
                key={tab.label}
                href={tab.href}
                aria-current={tab.views.includes(route.view) ? 'page' : undefined}
              >
                {tab.label}
              </a>
            ))}
          </nav>
        )}
        {token && (
          <button type="button" class="quiet" onClick={signOut}>
            Forget token
          </button>
        )}
      </header>
      <main>
        {token ? (
          <View route={route} />
        ) : (
          <TokenForm
            notice={notice}
            onSave={(value) => {
              saveToken(value);
              setToken(value);
              setNotice(undefined);
            }}
          />
        )}
      </main>
    </>
  );
}
