/**
 * A rollout that waits for its maintenance window, in the console (`npm run test:console`): the
 * view counts down to the window's opening without a reload, and the operator cancels the rollout
 * through a confirmation that says what happens to the clusters not started; none of them is
 * touched.
 */
import { describe, expect, it } from 'vitest';
import { consoleFleetForFile } from '../support/console-fleet.ts';
import { windowedBatch } from '../support/windowed-batch.ts';

const harness = consoleFleetForFile();

describe('a rollout outside its maintenance window', () => {
  it('counts down to the window and is cancelled from the console without touching a cluster', async () => {
    // Prepare: a window opening in 10 to 11 minutes, so the batch waits for it.
    const cluster = harness.name('main-eu');
    const { id, opens, windowOpensAt } = await windowedBatch(harness, cluster);
    expect(windowOpensAt).toBe(opens.toISOString());

    // Act: open the rollout and read the countdown twice.
    const { page, problems } = await harness.signedIn(`/#/rollouts/${id}`);
    const countdown = page.locator('.stage .countdown');
    await expect
      .poll(() => countdown.textContent(), { timeout: 10_000 })
      .toMatch(/the window opens in 1?\dm \d\ds/);
    const first = await countdown.textContent();
    await expect.poll(() => countdown.textContent(), { timeout: 5_000 }).not.toBe(first);

    await page.getByRole('button', { name: 'Cancel rollout', exact: true }).click();
    expect(await page.getByRole('dialog').textContent()).toMatch(
      /The 1 cluster not started are cancelled and never touched\. The 0 jobs running/,
    );
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel the rollout', exact: true }).click();

    // Assess: the batch is cancelled, in the view and on the server, and no job was ever created.
    await expect
      .poll(() => page.locator('.title-row > .mark .mark-label').textContent(), { timeout: 10_000 })
      .toBe('cancelled');
    expect(await harness.runtime.request('GET', `/upgrades?batch=${id}`)).toMatchObject({
      body: { items: [] },
    });
    expect(await page.locator(`.cell[data-cluster="${cluster}"]`).getAttribute('data-state')).toBe(
      'cancelled',
    );
    expect(problems).toEqual([]);
  });
});
