/**
 * An item's size as DynamoDB bills it (a write unit per started KB, a read unit per 4 KB), by
 * DynamoDB's sizing rules: attribute names plus values, strings and binaries by their bytes,
 * numbers by their significant digits.
 */
export function dynamoItemBytes(value: unknown): number {
  if (value instanceof Uint8Array) return value.byteLength;
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (typeof value === 'number') return Math.ceil(String(value).replace(/[-.]/g, '').length / 2) + 1;
  if (typeof value === 'boolean' || value === null || value === undefined) return 1;
  if (Array.isArray(value))
    return 3 + value.reduce((sum: number, entry) => sum + 1 + dynamoItemBytes(entry), 0);
  return Object.entries(value as Record<string, unknown>).reduce(
    (sum, [name, entry]) => sum + Buffer.byteLength(name) + dynamoItemBytes(entry),
    3,
  );
}
