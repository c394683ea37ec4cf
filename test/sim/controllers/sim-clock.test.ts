import { describe, expect, it } from 'vitest';
import { SimClock } from '#sim/clock.ts';

describe('SimClock', () => {
  it('runs a simulated delay speed times faster', async () => {
    // Prepare
    const clock = new SimClock(600);
    const started = Date.now();

    // Act: one simulated minute
    const elapsed = await new Promise<number>((resolve) =>
      clock.after(60_000, () => resolve(Date.now() - started)),
    );

    // Assess
    expect(elapsed).toBeGreaterThanOrEqual(95);
    expect(elapsed).toBeLessThan(1000);
  });

  it('cancels pending timers on stop and schedules nothing afterwards', async () => {
    // Prepare
    const clock = new SimClock(1000);
    const fired: string[] = [];
    clock.after(10, () => fired.push('before stop'));

    // Act
    clock.stop();
    clock.after(10, () => fired.push('after stop'));
    await new Promise((resolve) => setTimeout(resolve, 30));

    // Assess
    expect(fired).toEqual([]);
    expect(clock.pending).toBe(0);
  });

  it('refuses a speed that is not positive', () => {
    expect(() => new SimClock(0)).toThrow(RangeError);
    expect(() => new SimClock(Number.NaN)).toThrow(RangeError);
  });

  it('keeps timestamps in wall time', () => {
    const clock = new SimClock(1_000_000);
    expect(Math.abs(clock.now().getTime() - Date.now())).toBeLessThan(50);
  });
});
