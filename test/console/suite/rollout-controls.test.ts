/**
 * A rollout's controls and the rollouts list (`npm run test:console`): a command is sent with the
 * batch version the operator saw when opening its confirmation, so a rollout that moved on while
 * the dialog was open refuses it (BATCH_CHANGED) and the dialog says why; a rollout that ended
 * meanwhile leaves the dialog open and says so; a finished rollout reads as done in the list.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { consoleFleetForFile } from '../support/console-fleet.ts';
import { type BatchReply, readBatch, windowedBatch } from '../support/windowed-batch.ts';

const harness = consoleFleetForFile();

const batchState = (page: Page) => page.locator('.title-row > .mark .mark-label').textContent();

/** Resolves once the page has polled the rollout at `version`. */
const pageSees = (page: Page, id: string, version: number) =>
  page.waitForResponse(
    async (response) =>
      response.url().endsWith(`/batches/${id}`) &&
      ((await response.json()) as BatchReply).version === version,
    { timeout: 10_000 },
  );

async function command(id: string, name: string, ifVersion: number) {
  const { status } = await harness.runtime.request('POST', `/batches/${id}/${name}`, { ifVersion });
  expect(status).toBe(202);
}

describe('the rollout controls', () => {
  it('send the version seen when the dialog opened: a rollout changed meanwhile refuses the command', async () => {
    // Prepare: a rollout waiting for its window, and its Pause confirmation open.
    const { id, version } = await windowedBatch(harness, harness.name('canary-eu'));
    const { page, problems } = await harness.signedIn(`/#/rollouts/${id}`);
    await expect.poll(() => batchState(page), { timeout: 10_000 }).toBe('outside its window');
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    const dialog = page.getByRole('dialog');
    const consequence = await dialog.locator('.consequence').textContent();

    // Act: another operator pauses and resumes it; once the page has polled that, confirm.
    await command(id, 'pause', version);
    await command(id, 'resume', version + 1);
    const moved = await readBatch(harness, id);
    await pageSees(page, id, moved.version);
    await dialog.getByRole('button', { name: 'Pause', exact: true }).click();

    // Assess: refused in the dialog, nothing paused, and the dialog says the rollout changed.
    await expect.poll(() => dialog.getByRole('alert').textContent()).toMatch(/BATCH_CHANGED/);
    expect(await readBatch(harness, id)).toMatchObject({ state: 'outside-window', version: moved.version });
    expect(await dialog.textContent()).toMatch(/changed while this was open/);
    expect(await dialog.locator('.consequence').textContent()).toContain(consequence);
    expect(problems.filter((problem) => !problem.includes('409'))).toEqual([]);
    await command(id, 'cancel', moved.version);
  });

  it('keep the dialog open, saying why, when the rollout ends while it is open', async () => {
    // Prepare: a rollout waiting for its window, and its Cancel confirmation open.
    const { id, version } = await windowedBatch(harness, harness.name('main-us'));
    const { page } = await harness.signedIn(`/#/rollouts/${id}`);
    await expect.poll(() => batchState(page), { timeout: 10_000 }).toBe('outside its window');
    await page.getByRole('button', { name: 'Cancel rollout', exact: true }).click();

    // Act: another operator cancels it first.
    await command(id, 'cancel', version);
    await expect.poll(() => batchState(page), { timeout: 10_000 }).toBe('cancelled');

    // Assess: the dialog stays, says so, and going back leaves no control to use.
    const dialog = page.getByRole('dialog');
    expect(await dialog.count()).toBe(1);
    expect(await dialog.textContent()).toMatch(/changed while this was open: it is now cancelled/);
    await dialog.getByRole('button', { name: 'Back', exact: true }).click();
    await expect.poll(() => dialog.count()).toBe(0);
    // The native <dialog> closes at once; the controls go with the re-render its close event asks for.
    await expect.poll(() => page.getByRole('group', { name: 'Rollout controls' }).count()).toBe(0);
  });
});

describe('the rollouts list', () => {
  it('shows a finished rollout with its waves done, not a wave past its last', async () => {
    // Prepare: a one-wave rollout run to its end.
    const created = await harness.runtime.request('POST', '/batches', {
      name: 'one-wave',
      targetVersion: '4.0.3',
      clusters: [harness.name('main-eu')],
      strategy: { approval: 'none', bakeSeconds: 0 },
    });
    expect(created.status).toBe(202);
    const { id } = created.body as BatchReply;
    await expect
      .poll(async () => (await readBatch(harness, id)).state, { timeout: 60_000 })
      .toBe('succeeded');

    // Act
    const { page, problems } = await harness.signedIn('/#/rollouts');

    // Assess
    const progress = page.locator('tbody tr', { hasText: 'one-wave' }).locator('td[data-label="Progress"]');
    await expect
      .poll(() => progress.textContent(), { timeout: 10_000 })
      .toBe('1/1 succeeded, waves done: 1 of 1');
    expect(problems).toEqual([]);
  }, 90_000);
});
