/**
 * What the console tests look at: a simulated fleet (test/e2e/support) with labelled clusters in
 * the states an operator meets (healthy, an unhealthy instance, a newer version, a slow catalog
 * sync that holds a job, one cluster that cannot be reached), the local runtime serving the API
 * and the built console, and one Chromium.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, type ExpectStatic } from 'vitest';
import { type E2eFleet, startE2eFleet } from '#test/e2e/support/e2e-fleet.ts';
import { type E2eRuntime, startE2eRuntime } from '#test/e2e/support/e2e-runtime.ts';
import { DESKTOP, launchChromium, openPage, type WatchedPage } from './browser.ts';

export const ROLES = {
  'canary-eu': { labels: { ring: 'canary', region: 'eu', 'redis-upgrader/canary': 'true' }, settings: {} },
  'main-eu': { labels: { ring: 'main', region: 'eu' }, settings: {} },
  'main-us': { labels: { ring: 'main', region: 'us' }, settings: { unhealthyInstances: 1 } },
  'newer-us': { labels: { ring: 'main', region: 'us' }, settings: { installedVersion: '4.0.3' } },
  // A catalog sync of ~3 minutes at the test speed: a job waits in a stage long enough to be seen.
  'slow-eu': { labels: { ring: 'main', region: 'eu' }, settings: { syncDelay: '1000h' } },
} as const;

export type Role = keyof typeof ROLES;

/** Registered, but its kubeconfig context does not exist: the fleet view shows it unreachable. */
export const GHOST = 'ghost-01';

export interface ConsoleFleet {
  fleet: E2eFleet;
  runtime: E2eRuntime;
  browser: Browser;
  name(role: Role): string;
  /** A new page at `path`, signed in with the runtime's token. */
  signedIn(path?: string, viewport?: typeof DESKTOP): Promise<WatchedPage>;
  stop(): Promise<void>;
}

export async function startConsoleFleet(): Promise<ConsoleFleet> {
  const roles = Object.fromEntries(Object.entries(ROLES).map(([role, { settings }]) => [role, settings]));
  // Chromium starts while the fleet and the runtime do: a second or two off every run.
  const launching = launchChromium();
  launching.catch(() => undefined); // awaited below; a failure to launch is thrown there
  let fleet: E2eFleet;
  let runtime: E2eRuntime;
  try {
    fleet = await startE2eFleet(roles);
    runtime = await startE2eRuntime(fleet);
  } catch (error) {
    await launching.then((browser) => browser.close()).catch(() => undefined);
    throw error;
  }
  const browser = await launching;
  for (const [role, { labels }] of Object.entries(ROLES)) {
    const name = fleet.name(role);
    const { status } = await runtime.request('PUT', `/clusters/${name}`, { context: name, labels });
    if (status !== 201) throw new Error(`registering ${name}: ${status}`);
  }
  await runtime.request('PUT', `/clusters/${GHOST}`, {
    context: GHOST,
    labels: { ring: 'main', region: 'ap' },
  });
  return {
    fleet,
    runtime,
    browser,
    name: (role) => fleet.name(role),
    async signedIn(path = '/', viewport = DESKTOP) {
      const watched = await openPage(browser, runtime.url, viewport);
      await watched.page.goto(path);
      await watched.page.getByLabel('API token').fill(runtime.token);
      await watched.page.getByRole('button', { name: 'Open the console' }).click();
      return watched;
    },
    async stop() {
      await browser.close();
      await runtime.stop();
      await fleet.stop();
    },
  };
}

/**
 * One console fleet for the calling test file: started before its first test, stopped after its
 * last. The object is filled in when it has started, so tests read it as usual.
 */
export function consoleFleetForFile(): ConsoleFleet {
  const harness = {} as ConsoleFleet;
  let started: ConsoleFleet | undefined;
  beforeAll(async () => {
    started = await startConsoleFleet();
    Object.assign(harness, started);
  }, 60_000);
  afterAll(async () => {
    await started?.stop();
  });
  return harness;
}

/**
 * A job on slow-eu, held in a stage by its slow catalog sync, and a page showing what it waits
 * for. `expect` is the calling test's own (a concurrent test must assert through it).
 */
export async function openWaitingJob(harness: ConsoleFleet, expect: ExpectStatic) {
  const created = await harness.runtime.upgrade(harness.name('slow-eu'), '4.1.2');
  await harness.runtime.waitFor(created.id, (job) => job.state !== 'queued' && Boolean(job.step?.waitingFor));
  const watched = await harness.signedIn(`/#/jobs/${created.id}`);
  await expect
    .poll(() => watched.page.locator('.stage').textContent(), { timeout: 10_000 })
    .toMatch(/waiting for /);
  return { id: created.id, ...watched };
}
