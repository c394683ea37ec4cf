/** `--max-backup-age`'s durations: a unit is required, whole seconds above 0 come out. */
import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { durationSeconds } from '#cli/api-flags.ts';

describe('durationSeconds', () => {
  it.each([
    ['90m', 5400],
    ['12h', 43_200],
    ['2d', 172_800],
    ['1.5h', 5400],
    ['45s', 45],
  ])('%s is %i seconds', (text, seconds) => {
    expect(durationSeconds(text)).toBe(seconds);
  });

  it.each([['3600'], ['0s'], ['1.5s'], ['-1h'], ['soon'], ['']])('refuses %j', (text) => {
    expect(() => durationSeconds(text)).toThrow(InvalidArgumentError);
  });
});
