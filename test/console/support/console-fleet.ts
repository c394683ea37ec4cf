/**
 * What the console tests look at: a simulated fleet (test/e2e/support) with labelled clusters in
 * the states an operator meets (healthy, an unhealthy instance, a newer version, a slow catalog
 * sync that holds a job, one cluster that cannot be reached), the local runtime serving the API
 * and the built console, and one Chromium.
 */
import type { Browser } from 'playwright-core';
import { type E2eFleet, startE2eFleet } from '#test/e2e/support/e2e-fleet.ts';
import { type E2eRuntime, startE2eRuntime } from '#test/e2e/support/e2e-runtime.ts';
import { launchChromium } from './browser.ts';

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
  stop(): Promise<void>;
}

export async function startConsoleFleet(): Promise<ConsoleFleet> {
  const roles = Object.fromEntries(Object.entries(ROLES).map(([role, { settings }]) => [role, settings]));
  const fleet = await startE2eFleet(roles);
  const runtime = await startE2eRuntime(fleet);
  const browser = await launchChromium();
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
    async stop() {
      await browser.close();
      await runtime.stop();
      await fleet.stop();
    },
  };
}
