/**
 * The web console in headless Chromium, run by `npm test`: the operator's path through the three
 * views against `serve`'s runtime and the simulated fleet. The fleet read from the clusters; a
 * rollout rehearsed, started, watched changing state without a reload, paused, resumed, its next
 * wave approved and a blocked cluster's reason read; a job's wait and its cancel. One fleet, one
 * runtime and one browser serve the file (each test opens its own page), and no page may break
 * the CSP or reach another origin. Writes test-results/console/{fleet,rollout,job}.png. The
 * broader suite (filters, keyboard, phone, session-only token, a maintenance window and a
 * rollout's cancel) is `npm run test:console`.
 */
import type { Page } from 'playwright-core';
import { describe, type ExpectStatic, expect, it } from 'vitest';
import { screenshot } from './support/browser.ts';
import { consoleFleetForFile, GHOST, openWaitingJob } from './support/console-fleet.ts';

const harness = consoleFleetForFile();

const row = (page: Page, cluster: string) => page.locator(`tr[data-cluster="${cluster}"]`);
const cell = (page: Page, cluster: string) => page.locator(`.cell[data-cluster="${cluster}"]`);
const batchState = (page: Page) => page.locator('.title-row > .mark .mark-label').textContent();

/** Opens the confirmation of a rollout control, checks what it says will happen, and confirms. */
async function command(expect: ExpectStatic, page: Page, button: string, says: RegExp, confirm: string) {
  await page.getByRole('button', { name: button, exact: true }).click();
  expect(await page.getByRole('dialog').textContent()).toMatch(says);
  await page.getByRole('dialog').getByRole('button', { name: confirm, exact: true }).click();
  await expect.poll(() => page.getByRole('dialog').count()).toBe(0);
}

// In file order: the fleet is read before the rollout upgrades some of it.
describe('the web console served by serve', () => {
  it('shows every cluster with its platform, labels, version and health read from the cluster', async () => {
    const { page, problems } = await harness.signedIn();

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
    expect(await row(page, GHOST).textContent()).toMatch(/unreachable/);
    expect(await page.getByRole('figure', { name: 'Operator versions' }).textContent()).toMatch(
      /^Operator versions4\.0\.3\s*1 of 6 clusters3\.16\.2\s*4 of 6 clustersunknown\s*1 of 6 clusters$/,
    );
    await screenshot(page, 'fleet');
    expect(problems).toEqual([]);
  });

  // The rollout and the job work on different clusters, so they run side by side (each asserts
  // through its own `expect`, as concurrent tests must).
  it.concurrent('rehearses, starts, pauses, resumes and approves a rollout, and shows why a cluster blocked', async ({
    expect,
  }) => {
    const [canary, healthy, unhealthy] = [
      harness.name('canary-eu'),
      harness.name('main-eu'),
      harness.name('main-us'),
    ];
    const { page, problems } = await harness.signedIn();
    await expect.poll(() => page.locator('tbody tr').count(), { timeout: 15_000 }).toBe(6);

    // Prepare: select three clusters and rehearse.
    for (const name of [canary, healthy, unhealthy]) await page.getByLabel(`Select ${name}`).check();
    // One hop per cluster keeps the test short; the job view shows a two-hop path.
    await page.getByLabel('Target version').fill('4.0.3');
    await page.getByLabel('Name').fill('console-rollout');
    await page.getByLabel('Bake (s)').fill('1');
    expect(await page.getByRole('button', { name: 'Start rollout' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Rehearse' }).click();
    const rehearsal = page.locator('.rehearsal');
    await expect.poll(() => rehearsal.count(), { timeout: 15_000 }).toBe(1);
    expect(await rehearsal.locator(`[data-cluster="${canary}"]`).textContent()).toMatch(
      /3\.16\.2 → 4\.0\.3 ~/,
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

    await command(expect, page, 'Pause', /No new job starts\. The 0 jobs already running go on/, 'Pause');
    await expect.poll(() => batchState(page)).toBe('paused');
    await command(expect, page, 'Resume', /Jobs start again/, 'Resume');
    await expect.poll(() => batchState(page)).toBe('awaiting approval');
    await command(expect, page, 'Approve wave', /\(2 clusters\) starts now/, 'Approve and start');

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

  it.concurrent("shows a job's hop path, its stage and what it waits for, and cancels it through a confirmation", async ({
    expect,
  }) => {
    const { id, page, problems } = await openWaitingJob(harness, expect);

    expect(await page.locator('.hops').textContent()).toMatch(/3\.16\.2.*4\.0\.3.*4\.1\.2/);
    expect(await page.locator('.timeline li').count()).toBeGreaterThanOrEqual(3);
    await expect.poll(() => page.locator('.events li').count()).toBeGreaterThanOrEqual(3);
    await screenshot(page, 'job');

    await page.getByRole('button', { name: 'Cancel job' }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.textContent()).toMatch(/an install is never interrupted/);
    await page.keyboard.press('Escape');
    expect(await dialog.count()).toBe(0);
    expect((await harness.runtime.runtime.jobs.get(id))?.state).not.toBe('cancelled');
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
