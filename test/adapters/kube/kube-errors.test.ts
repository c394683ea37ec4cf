/**
 * The error mapping and quantity parsing the adapter relies on, for the cases the simulator does
 * not produce (other 4xx statuses, an HTTP-date Retry-After, unusual quantity notations).
 */
import { describe, expect, it } from 'vitest';
import { KubeHttpError } from '#adapters/kube/kube-connections.ts';
import { callCluster, toUpgraderError } from '#adapters/kube/kube-errors.ts';
import { bytes, cpuMillis } from '#adapters/kube/kube-quantity.ts';
import {
  ConflictError,
  NotFoundError,
  TransientError,
  UnauthorizedError,
  ValidationError,
} from '#domain/errors.ts';
import { FAST_RETRY } from './support/kube-sim.ts';

const status = (code: number, message: string) =>
  new KubeHttpError(code, JSON.stringify({ kind: 'Status', message }), {});

describe('toUpgraderError', () => {
  it.each([
    [400, ValidationError],
    [401, UnauthorizedError],
    [403, UnauthorizedError],
    [404, NotFoundError],
    [405, ValidationError],
    [408, TransientError],
    [409, ConflictError],
    [410, TransientError],
    [415, ValidationError],
    [422, ValidationError],
    [429, TransientError],
    [500, TransientError],
    [503, TransientError],
  ])('maps HTTP %i to %o', (code, type) => {
    // Act
    const error = toUpgraderError(status(code, 'the apiserver said so'), 'cluster c: get x');

    // Assess
    expect(error).toBeInstanceOf(type);
    expect(error.message).toBe('cluster c: get x: the apiserver said so');
  });

  it('treats network failures as transient', () => {
    // Act
    const error = toUpgraderError(new TypeError('fetch failed'), 'cluster c: list pods');

    // Assess
    expect(error).toBeInstanceOf(TransientError);
    expect(error.message).toBe('cluster c: list pods: fetch failed');
  });
});

describe('callCluster', () => {
  it('waits until a Retry-After HTTP date before the next attempt', async () => {
    // Prepare
    const attempts: number[] = [];
    const call = async () => {
      attempts.push(performance.now());
      if (attempts.length === 1) {
        const date = new Date(Date.now() + 1_500).toUTCString();
        throw new KubeHttpError(429, '{}', { 'retry-after': date });
      }
      return 'ok';
    };

    // Act
    const result = await callCluster('cluster c: get x', call, FAST_RETRY);

    // Assess: HTTP dates have whole-second precision, so the wait is 0.5-1.5 s
    expect(result).toBe('ok');
    expect((attempts[1] as number) - (attempts[0] as number)).toBeGreaterThanOrEqual(450);
  });

  it('does not repeat a request whose continue token expired (410)', async () => {
    // Prepare
    let attempts = 0;
    const call = async () => {
      attempts += 1;
      throw status(410, 'The provided continue parameter is too old');
    };

    // Act
    const error = await callCluster('cluster c: list pods', call, FAST_RETRY).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(TransientError);
    expect(attempts).toBe(1);
  });
});

describe('quantities', () => {
  it.each([
    ['3800m', 3800],
    ['4', 4000],
    ['1.5', 1500],
    ['250000u', 250],
    ['2e3', 2_000_000],
    [undefined, 0],
  ])('reads cpu %s as %i millicores', (value, millis) => {
    expect(cpuMillis(value)).toBe(millis);
  });

  it.each([
    ['15Gi', 15 * 1024 ** 3],
    ['1.5Gi', 1.5 * 1024 ** 3],
    ['128974848', 128_974_848],
    ['129M', 129_000_000],
    ['123Mi', 123 * 1024 ** 2],
    ['1e3', 1000],
  ])('reads memory %s as %i bytes', (value, expected) => {
    expect(bytes(value)).toBe(expected);
  });

  it('refuses what is not a quantity', () => {
    expect(() => bytes('15 GB')).toThrow(ValidationError);
  });
});
