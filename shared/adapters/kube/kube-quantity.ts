/**
 * Kubernetes resource quantities ("3800m", "15Gi", "1.5Gi", "2e3") as plain numbers. The client's
 * own quantityToScalar throws on decimal binary quantities ("1.5Gi") and mixes number and bigint
 * results, so capacity sums would fail or need per-unit casts.
 */
import { ValidationError } from '#domain/errors.ts';

const SUFFIXES: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

// The apiserver's quantity grammar: signed decimal, then a binary/decimal suffix or an exponent.
const QUANTITY = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]))?$/;

/** The quantity in base units (cores, bytes); missing means zero. */
export function parseQuantity(value: string | undefined): number {
  if (value === undefined || value === '') return 0;
  const match = QUANTITY.exec(value.trim());
  if (!match?.[1])
    throw new ValidationError(`"${value}" is not a Kubernetes quantity`, { code: 'INVALID_QUANTITY' });
  const [, number, exponent, suffix = ''] = match;
  return Number(`${number}${exponent ?? ''}`) * (SUFFIXES[suffix] ?? 1);
}

/** CPU in whole millicores (the scheduler's resolution), free of floating-point residue. */
export function cpuMillis(value: string | undefined): number {
  return Math.round(parseQuantity(value) * 1000);
}

/** Memory or storage in whole bytes. */
export function bytes(value: string | undefined): number {
  return Math.round(parseQuantity(value));
}
