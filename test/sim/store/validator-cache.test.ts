/**
 * The simulator's cached CRD validators (#sim/store/validator-cache.ts): a validator read back
 * from the cache gives the verdicts and errors of the one Ajv compiled.
 */
import { randomUUID } from 'node:crypto';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { compileCached } from '#sim/store/validator-cache.ts';

const OPTIONS = { strict: false, allErrors: true, code: { optimize: false } } as const;

describe('compileCached', () => {
  it('gives the same verdicts and errors from the cache as from a fresh compile', () => {
    // Prepare: a schema no earlier run has cached, and a second Ajv as a second process would have
    const schema = {
      $comment: randomUUID(),
      type: 'object',
      required: ['spec'],
      properties: { spec: { type: 'object', properties: { replicas: { type: 'integer', minimum: 1 } } } },
    };
    const fresh = () => new Ajv({ ...OPTIONS, code: { ...OPTIONS.code, source: true } });
    const inputs = [{ spec: { replicas: 3 } }, { spec: { replicas: 0 } }, { spec: 'x' }, {}];
    // Act
    const compiled = compileCached(fresh(), OPTIONS, schema);
    const verdicts = inputs.map((input) => [compiled(input), compiled.errors]);
    const cached = compileCached(fresh(), OPTIONS, schema);
    // Assess
    // Ajv's own validators carry their schema environment; the cache's standalone code does not.
    expect('schemaEnv' in compiled).toBe(true);
    expect('schemaEnv' in cached).toBe(false);
    expect(inputs.map((input) => [cached(input), cached.errors])).toEqual(verdicts);
    expect(verdicts.map(([valid]) => valid)).toEqual([true, false, false, false]);
  });
});
