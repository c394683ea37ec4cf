import { describe, expect, it } from 'vitest';
import { errorMessage, TransientError } from '#domain/errors.ts';

describe('errorMessage', () => {
  it.each([
    { case: 'an Error', thrown: new Error('table throttled'), expected: 'table throttled' },
    { case: 'one of ours', thrown: new TransientError('API server 503'), expected: 'API server 503' },
    { case: 'a thrown string', thrown: 'socket hang up', expected: 'socket hang up' },
    { case: 'a rejection with no value', thrown: undefined, expected: 'undefined' },
    { case: 'a plain object', thrown: { code: 7 }, expected: '[object Object]' },
  ])('says what $case says', ({ thrown, expected }) => {
    expect(errorMessage(thrown)).toBe(expected);
  });
});
