/**
 * The console's smoke test, run by `npm test`: the built console opens in headless Chromium from
 * `serve`, takes the token, and shows the fleet read from the simulated clusters, with no CSP
 * violation and no request to another origin. The full browser suite (test/console/suite) runs
 * with `npm run test:console`.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openPage } from './support/browser.ts';
import { type ConsoleFleet, GHOST, startConsoleFleet } from './support/console-fleet.ts';

let harness: ConsoleFleet;

beforeAll(async () => {
  harness = await startConsoleFleet();
}, 60_000);

afterAll(async () => {
  await harness?.stop();
});

it('opens from serve, signs in and shows the fleet read from the clusters', async () => {
  const { page, problems } = await openPage(harness.browser, harness.runtime.url);

  await page.goto('/');
  await page.getByLabel('API token').fill(harness.runtime.token);
  await page.getByRole('button', { name: 'Open the console' }).click();

  await expect.poll(() => page.locator('tbody tr').count(), { timeout: 15_000 }).toBe(6);
  await expect
    .poll(() => page.locator(`tr[data-cluster="${harness.name('canary-eu')}"]`).textContent())
    .toMatch(/3\.16\.2.*healthy/);
  expect(await page.locator(`tr[data-cluster="${GHOST}"]`).textContent()).toMatch(/unreachable/);
  expect(problems).toEqual([]);
});
