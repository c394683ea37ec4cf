/**
 * The console's broader browser suite (`npm run test:console`; the operator's path through the
 * three views is test/console/console.test.ts, in `npm test`): the fleet's filters, the keyboard,
 * a phone's width and the token kept for the session only, with no CSP violation or request to
 * another origin on any page.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { openPage, PHONE, screenshot } from '../support/browser.ts';
import { consoleFleetForFile, GHOST } from '../support/console-fleet.ts';
import type { PageGlobals } from '../support/page-globals.ts';

const harness = consoleFleetForFile();

const row = (page: Page, cluster: string) => page.locator(`tr[data-cluster="${cluster}"]`);

describe('the fleet view', () => {
  it('filters by label selector (on the server) and by version (from the distribution)', async () => {
    const { page, problems } = await harness.signedIn();
    await expect.poll(() => page.locator('tbody tr').count(), { timeout: 15_000 }).toBe(6);

    await page.getByLabel('Label selector').fill('region in (us,ap)');
    await page.getByLabel('Label selector').press('Enter');
    await expect.poll(() => page.locator('tbody tr').count()).toBe(3);
    await page.getByRole('button', { name: /^4\.0\.3/ }).click();

    await expect.poll(() => page.locator('tbody th').allTextContents()).toEqual([harness.name('newer-us')]);
    expect(problems).toEqual([]);
  });

  it('is usable with the keyboard: a version bar, a checkbox and the navigation', async () => {
    const { page } = await harness.signedIn();
    await expect.poll(() => page.locator('tbody tr').count(), { timeout: 15_000 }).toBe(6);

    await page.getByRole('button', { name: /^unknown/ }).focus();
    await page.keyboard.press('Enter');
    // A loaded machine (CI runs this after the whole suite) renders in seconds, not the default 1 s.
    const rendered = { timeout: 5_000 };
    await expect.poll(() => page.locator('tbody th').allTextContents(), rendered).toEqual([GHOST]);
    await page.getByLabel(`Select ${GHOST}`).focus();
    await page.keyboard.press('Space');
    await expect.poll(() => page.getByText('1 selected', { exact: true }).count(), rendered).toBe(1);
    await page.getByRole('link', { name: 'Jobs' }).focus();
    await page.keyboard.press('Enter');

    await expect.poll(() => page.getByRole('heading', { name: 'Jobs' }).count(), rendered).toBe(1);
  });

  it('fits a phone: no sideways scrolling, each cluster a card', async () => {
    const { page, problems } = await harness.signedIn('/', PHONE);
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
    const { page } = await harness.signedIn();
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
