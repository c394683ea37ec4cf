/**
 * Jobs as the release before schema versions stored them (the JSON in the jobs table's `data`
 * column and in the DynamoDB item's `job` attribute), each with the API view that release gave of
 * it. Written by that release's own code (commit c31ce3f), driving its pipeline over fakes into
 * each shape and keeping `JSON.stringify(job)` (what both stores wrote) and `jobView(job)`.
 */
import { readFileSync } from 'node:fs';

export interface StoredV0 {
  id: string;
  cluster: string;
  state: string;
  version: number;
  createdAt: string;
  attempts: Record<string, number>;
  instances?: string[];
  [field: string]: unknown;
}

export interface V0Record {
  name: string;
  stored: StoredV0;
  view: Record<string, unknown>;
}

export const v0Records: readonly V0Record[] = JSON.parse(
  readFileSync(new URL('../fixtures/stored-jobs-v0.json', import.meta.url), 'utf8'),
);

/** A fresh copy of the record named `name`. */
export function v0Record(name: string): V0Record {
  const record = v0Records.find((candidate) => candidate.name === name);
  if (!record) throw new Error(`no stored job fixture ${name}`);
  return structuredClone(record);
}
