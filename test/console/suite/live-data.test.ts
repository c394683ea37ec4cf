/**
 * What the console shows while it polls (`npm run test:console`): a job stays on screen when it
 * ends and its polling slows down; a hidden page stops polling and counting down, and loads at
 * once when shown again; a refused token sends the operator back to sign in saying why, also when
 * the 401 carries no JSON; an API that cannot be reached is named.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { openPage } from '../support/browser.ts';
import { consoleFleetForFile, openWaitingJob } from '../support/console-fleet.ts';
import type { PageGlobals } from '../support/page-globals.ts';
import { windowedBatch } from '../support/windowed-batch.ts';

const harness = consoleFleetForFile();

/** Counts, in the page, every time no element matches `selector` after a change of the page. */
const countGone = (page: Page, selector: string) =>
  page.evaluate((selector) => {
    const page = globalThis as unknown as PageGlobals;
    page.gone = 0;
    new page.MutationObserver(() => {
      if (!page.document.querySelector(selector)) page.gone = (page.gone ?? 0) + 1;
    }).observe(page.document.body, { childList: true, subtree: true });
  }, selector);

/** Headless Chromium never hides a page: the test says it is hidden (or shown) as a browser would. */
const setHidden = (page: Page, hidden: boolean) =>
  page.evaluate((hidden) => {
    const { document, Event } = globalThis as unknown as PageGlobals;
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden });
    Object.defineProperty(document, 'visibilityState', {
      configurable: true,
      get: () => (hidden ? 'hidden' : 'visible'),
    });
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);

const pathOf = (url: string) => new URL(url).pathname;

describe('live data', () => {
  it('keeps a job on screen when it ends and its polling slows down', async () => {
    // Prepare: a job waiting on a slow catalog sync, shown, and a watch on its facts.
    const { id, page, problems } = await openWaitingJob(harness, expect);
    await countGone(page, '.facts');

    // Act: cancelled before its point of no return, it ends at once.
    await harness.runtime.request('POST', `/upgrades/${id}/cancel`, {});
    await expect.poll(() => page.locator('.stage').textContent(), { timeout: 10_000 }).toMatch(/^Ended/);
    // A view cleared by the slower polling would load again at once: give it that moment.
    await page.waitForTimeout(1_500);

    // Assess
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).gone)).toBe(0);
    expect(await page.locator('.stage').textContent()).toMatch(/^Ended/);
    expect(problems).toEqual([]);
  });

  it('stops polling and counting down while the page is hidden, and loads at once when shown', async () => {
    // Prepare: a rollout counting down to its window, shown.
    const { id } = await windowedBatch(harness, harness.name('main-eu'));
    const { page, problems } = await harness.signedIn(`/#/rollouts/${id}`);
    const countdown = page.locator('.stage .countdown');
    await expect.poll(() => countdown.textContent(), { timeout: 10_000 }).toMatch(/the window opens in/);
    const polls: string[] = [];
    page.on('request', (request) => {
      if (pathOf(request.url()).startsWith(`/batches/${id}`)) polls.push(request.url());
    });

    // Act: hidden for longer than two polls, then shown.
    await setHidden(page, true);
    await page.waitForTimeout(500); // a request already under way may still finish
    const [hiddenPolls, hiddenCountdown] = [polls.length, await countdown.textContent()];
    await page.waitForTimeout(4_500);
    const [afterPolls, afterCountdown] = [polls.length, await countdown.textContent()];
    const reloaded = page.waitForRequest((request) => pathOf(request.url()) === `/batches/${id}`, {
      timeout: 1_000,
    });
    await setHidden(page, false);

    // Assess
    expect(afterPolls - hiddenPolls).toBe(0);
    expect(afterCountdown).toBe(hiddenCountdown);
    await reloaded;
    await expect.poll(() => countdown.textContent()).not.toBe(hiddenCountdown);
    expect(problems).toEqual([]);
  });
});

describe('when the API refuses or cannot be reached', () => {
  it('sends a refused token back to sign in, saying why', async () => {
    // Prepare
    const { page } = await openPage(harness.browser, harness.runtime.url);
    await page.goto('/');

    // Act
    await page.getByLabel('API token').fill('not-the-token');
    await page.getByRole('button', { name: 'Open the console' }).click();

    // Assess
    await expect
      .poll(() => page.getByRole('alert').textContent(), { timeout: 10_000 })
      .toBe('The API refused the token (expired or wrong): enter a new one');
    expect(await page.getByLabel('API token').count()).toBe(1);
  });

  it('sends the operator back to sign in when a 401 carries no JSON', async () => {
    // Prepare: signed in; then a proxy in front of the API answers 401 in plain text.
    const { page } = await harness.signedIn();
    await page.route(
      (url) => url.pathname === '/upgrades',
      (route) => route.fulfill({ status: 401, contentType: 'text/plain', body: 'Unauthorized' }),
    );

    // Act
    await page.getByRole('link', { name: 'Jobs' }).click();

    // Assess
    await expect.poll(() => page.getByLabel('API token').count(), { timeout: 10_000 }).toBe(1);
    expect(await page.getByRole('alert').textContent()).toMatch(/^The API refused the token/);
  });

  it('says which API cannot be reached, and why', async () => {
    // Prepare: signed in; then the API's address refuses connections.
    const { page } = await harness.signedIn();
    await page.route(
      (url) => url.pathname === '/upgrades',
      (route) => route.abort('connectionrefused'),
    );

    // Act
    await page.getByRole('link', { name: 'Jobs' }).click();

    // Assess
    await expect
      .poll(() => page.getByRole('alert').textContent(), { timeout: 10_000 })
      .toMatch(
        new RegExp(
          `^cannot reach the API at ${new URL(harness.runtime.url).origin}: .+ \\(API_UNREACHABLE\\)$`,
        ),
      );
  });
});
