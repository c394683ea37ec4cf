/**
 * A rollout driven from the console in headless Chromium against `serve`'s runtime and the
 * simulated fleet: selected in the fleet, rehearsed, started as rehearsed, its cells changing
 * state without a reload, paused and resumed, the next wave approved, a blocked cluster's
 * reason read on focus and in its details, and no CSP violation on the way.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPage, screenshot } from '../support/browser.ts';
import { type ConsoleFleet, startConsoleFleet } from '../support/console-fleet.ts';

let harness: ConsoleFleet;

beforeAll(async () => {
  harness = await startConsoleFleet();
}, 60_000);

afterAll(async () => {
  await harness?.stop();
});

const cell = (page: Page, cluster: string) => page.locator(`.cell[data-cluster="${cluster}"]`);
const batchState = (page: Page) => page.locator('.title-row > .mark .mark-label').textContent();

/** Opens the confirmation of a rollout control, checks what it says will happen, and confirms. */
async function command(page: Page, button: string, says: RegExp, confirm: string) {
  await page.getByRole('button', { name: button, exact: true }).click();
  expect(await page.getByRole('dialog').textContent()).toMatch(says);
  await page.getByRole('dialog').getByRole('button', { name: confirm, exact: true }).click();
  await expect.poll(() => page.getByRole('dialog').count()).toBe(0);
}

describe('a rollout from the console', () => {
  it('is rehearsed, started, paused, resumed and approved, and shows why a cluster blocked', async () => {
    const [canary, healthy, unhealthy] = [
      harness.name('canary-eu'),
      harness.name('main-eu'),
      harness.name('main-us'),
    ];
    const { page, problems } = await openPage(harness.browser, harness.runtime.url);
    await page.goto('/');
    await page.getByLabel('API token').fill(harness.runtime.token);
    await page.getByRole('button', { name: 'Open the console' }).click();
    await expect.poll(() => page.locator('tbody tr').count(), { timeout: 15_000 }).toBe(6);

    // Prepare: select three clusters and rehearse.
    for (const name of [canary, healthy, unhealthy]) await page.getByLabel(`Select ${name}`).check();
    await page.getByLabel('Target version').fill('4.1.2');
    await page.getByLabel('Name').fill('console-rollout');
    await page.getByLabel('Bake (s)').fill('1');
    expect(await page.getByRole('button', { name: 'Start rollout' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Rehearse' }).click();
    const rehearsal = page.locator('.rehearsal');
    await expect.poll(() => rehearsal.count(), { timeout: 15_000 }).toBe(1);
    expect(await rehearsal.locator(`[data-cluster="${canary}"]`).textContent()).toMatch(
      /3\.16\.2 → 4\.0\.3 → 4\.1\.2/,
    );
    expect(await rehearsal.locator(`[data-cluster="${unhealthy}"]`).textContent()).toMatch(
      /would block.*is Error/,
    );
    expect(await harness.runtime.request('GET', '/batches')).toMatchObject({ body: { items: [] } });

    // Act: start it as rehearsed, and watch the canary's cell change without a reload.
    await page.getByRole('button', { name: 'Start rollout' }).click();
    await expect.poll(() => page.getByRole('heading', { name: /Rollout/ }).count()).toBe(1);
    const seen: string[] = [];
    await expect
      .poll(
        async () => {
          const state = (await cell(page, canary).getAttribute('data-state')) ?? 'absent';
          if (seen.at(-1) !== state) seen.push(state);
          return state;
        },
        { timeout: 30_000, interval: 100 },
      )
      .toBe('succeeded');
    expect(seen.length).toBeGreaterThanOrEqual(2);
    await expect.poll(() => batchState(page), { timeout: 15_000 }).toBe('awaiting approval');

    await command(page, 'Pause', /No new job starts\. The 0 jobs already running go on/, 'Pause');
    await expect.poll(() => batchState(page)).toBe('paused');
    await command(page, 'Resume', /Jobs start again/, 'Resume');
    await expect.poll(() => batchState(page)).toBe('awaiting approval');
    await command(page, 'Approve wave', /\(2 clusters\) starts now/, 'Approve and start');

    // Assess: the second wave ran; the unhealthy cluster says why it blocked, on focus and in its details.
    await expect
      .poll(() => cell(page, healthy).getAttribute('data-state'), { timeout: 30_000 })
      .toBe('succeeded');
    await expect
      .poll(() => cell(page, unhealthy).getAttribute('data-state'), { timeout: 30_000 })
      .toBe('blocked');
    await cell(page, unhealthy).focus();
    const tip = page.locator(`#${await cell(page, unhealthy).getAttribute('aria-describedby')}`);
    expect(await tip.isVisible()).toBe(true);
    expect(await tip.textContent()).toMatch(/blocked.*is Error/);
    await screenshot(page, 'rollout');
    await page.keyboard.press('Enter');
    expect(await page.locator('.cluster-details .reason').textContent()).toMatch(
      /prerequisites not met.*is Error/,
    );
    await expect
      .poll(() => batchState(page), { timeout: 30_000 })
      .toMatch(/^(succeeded|completed with failures)$/);
    expect(await page.locator('.counts').textContent()).toMatch(
      /succeeded\s*2.*blocked\s*1|blocked\s*1.*succeeded\s*2/,
    );
    expect(problems).toEqual([]);
  }, 120_000);
});
