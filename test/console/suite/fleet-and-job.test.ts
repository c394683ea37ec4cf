/**
 * The web console in a real browser (headless Chromium) against `serve`'s runtime and the
 * simulated fleet: the fleet view read from the clusters, filters, the job view with its wait
 * and a cancel through the confirmation, the keyboard, a phone's width, the token kept for the
 * session only, and no CSP violation or request to another origin on any page.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP, openPage, PHONE, screenshot, type WatchedPage } from '../support/browser.ts';
import { type ConsoleFleet, GHOST, startConsoleFleet } from '../support/console-fleet.ts';
import type { PageGlobals } from '../support/page-globals.ts';

let harness: ConsoleFleet;

beforeAll(async () => {
  harness = await startConsoleFleet();
}, 60_000);

afterAll(async () => {
  await harness?.stop();
});

async function signedIn(path = '/', viewport = DESKTOP): Promise<WatchedPage> {
  const watched = await openPage(harness.browser, harness.runtime.url, viewport);
  await watched.page.goto(path);
  await watched.page.getByLabel('API token').fill(harness.runtime.token);
  await watched.page.getByRole('button', { name: 'Open the console' }).click();
  return watched;
}

const row = (page: Page, cluster: string) => page.locator(`tr[data-cluster="${cluster}"]`);

describe('the fleet view', () => {
  it('shows every cluster with its platform, labels, version and health read from the cluster', async () => {
    const { page, problems } = await signedIn();

    await expect.poll(() => page.locator('tbody tr').count(), { timeout: 15_000 }).toBe(6);
    await expect.poll(() => row(page, harness.name('canary-eu')).textContent()).toMatch(/3\.16\.2.*healthy/);

    expect(await row(page, harness.name('canary-eu')).textContent()).toMatch(
      /3\.18\.0.*ring=canary.*region=eu.*3\.16\.2.*healthy.*2\/2 ready/,
    );
    expect(await row(page, harness.name('newer-us')).getByText('4.0.3').count()).toBe(1);
    const unhealthy = row(page, harness.name('main-us'));
    expect(await unhealthy.textContent()).toMatch(/unhealthy.*1\/2 ready/);
    await unhealthy.getByText('why').click();
    expect(await unhealthy.locator('.problems li').first().textContent()).toMatch(/^Redis\w* \S+ is /);
    const ghost = row(page, GHOST);
    expect(await ghost.textContent()).toMatch(/unreachable/);
    expect(await page.getByRole('figure', { name: 'Operator versions' }).textContent()).toMatch(
      /^Operator versions4\.0\.3\s*1 of 6 clusters3\.16\.2\s*4 of 6 clustersunknown\s*1 of 6 clusters$/,
    );
    await screenshot(page, 'fleet');
    expect(problems).toEqual([]);
  });

  it('filters by label selector (on the server) and by version (from the distribution)', async () => {
    const { page, problems } = await signedIn();
    await expect.poll(() => page.locator('tbody tr').count(), { timeout: 15_000 }).toBe(6);

    await page.getByLabel('Label selector').fill('region in (us,ap)');
    await page.getByLabel('Label selector').press('Enter');
    await expect.poll(() => page.locator('tbody tr').count()).toBe(3);
    await page.getByRole('button', { name: /^4\.0\.3/ }).click();

    await expect.poll(() => page.locator('tbody th').allTextContents()).toEqual([harness.name('newer-us')]);
    expect(problems).toEqual([]);
  });

  it('is usable with the keyboard: a version bar, a checkbox and the navigation', async () => {
    const { page } = await signedIn();
    await expect.poll(() => page.locator('tbody tr').count(), { timeout: 15_000 }).toBe(6);

    await page.getByRole('button', { name: /^unknown/ }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('tbody th').allTextContents()).toEqual([GHOST]);
    await page.getByLabel(`Select ${GHOST}`).focus();
    await page.keyboard.press('Space');
    await expect.poll(() => page.getByText('1 selected', { exact: true }).count()).toBe(1);
    await page.getByRole('link', { name: 'Jobs' }).focus();
    await page.keyboard.press('Enter');

    await expect.poll(() => page.getByRole('heading', { name: 'Jobs' }).count()).toBe(1);
  });

  it('fits a phone: no sideways scrolling, each cluster a card', async () => {
    const { page, problems } = await signedIn('/', PHONE);
    await expect.poll(() => page.locator('tbody tr').count(), { timeout: 15_000 }).toBe(6);

    const overflow = await page.evaluate(() => {
      const { document, innerWidth } = globalThis as unknown as PageGlobals;
      return document.documentElement.scrollWidth - innerWidth;
    });
    const display = await row(page, GHOST).evaluate(
      (element) => (globalThis as unknown as PageGlobals).getComputedStyle(element).display,
    );

    expect(overflow).toBeLessThanOrEqual(0);
    expect(display).toBe('block');
    await screenshot(page, 'fleet-phone');
    expect(problems).toEqual([]);
  });

  it('keeps the token for the session only: no cookie, nothing in localStorage, asked again in a new tab', async () => {
    const { page } = await signedIn();
    await expect.poll(() => page.locator('tbody tr').count(), { timeout: 15_000 }).toBe(6);

    const stored = await page.evaluate(() => {
      const { sessionStorage, localStorage, document } = globalThis as unknown as PageGlobals;
      return { session: sessionStorage.length, local: localStorage.length, cookie: document.cookie };
    });
    const other = await openPage(harness.browser, harness.runtime.url);
    await other.page.goto('/');

    expect(stored).toEqual({ session: 1, local: 0, cookie: '' });
    expect(await other.page.getByLabel('API token').count()).toBe(1);
  });
});

describe('the job view', () => {
  it('shows the hop path, the stage and what it waits for, and cancels through a confirmation', async () => {
    const cluster = harness.name('slow-eu');
    const created = await harness.runtime.upgrade(cluster, '4.1.2');
    await harness.runtime.waitFor(
      created.id,
      (job) => job.state !== 'queued' && Boolean(job.step?.waitingFor),
    );
    const { page, problems } = await signedIn(`/#/jobs/${created.id}`);

    await expect
      .poll(() => page.locator('.stage').textContent(), { timeout: 10_000 })
      .toMatch(/waiting for /);
    expect(await page.locator('.hops').textContent()).toMatch(/3\.16\.2.*4\.0\.3.*4\.1\.2/);
    expect(await page.locator('.timeline li').count()).toBeGreaterThanOrEqual(3);
    await expect.poll(() => page.locator('.events li').count()).toBeGreaterThanOrEqual(3);
    await screenshot(page, 'job');

    await page.getByRole('button', { name: 'Cancel job' }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.textContent()).toMatch(/an install is never interrupted/);
    await page.keyboard.press('Escape');
    expect(await dialog.count()).toBe(0);
    expect((await harness.runtime.runtime.jobs.get(created.id))?.state).not.toBe('cancelled');
    await page.getByRole('button', { name: 'Cancel job' }).click();
    await page.getByLabel(/Note/).fill('console test');
    await page.getByRole('button', { name: 'Cancel the job' }).click();

    await expect
      .poll(() => page.locator('.title-row .mark').textContent(), { timeout: 10_000 })
      .toBe('cancelled');
    expect(await page.locator('.stage').textContent()).toMatch(/console test/);
    expect(problems).toEqual([]);
  });
});
