import type { ClusterRecord, ClusterRegistry } from '#shared/ports.ts';

export class InMemoryClusterRegistry implements ClusterRegistry {
  private readonly records = new Map<string, ClusterRecord>();

  constructor(records: ClusterRecord[] = []) {
    for (const record of records) this.records.set(record.name, structuredClone(record));
  }

  async get(name: string): Promise<ClusterRecord | undefined> {
    const record = this.records.get(name);
    return record && structuredClone(record);
  }

  async put(record: ClusterRecord): Promise<void> {
    this.records.set(record.name, structuredClone(record));
  }

  async list(): Promise<ClusterRecord[]> {
    return [...this.records.values()]
      .map((record) => structuredClone(record))
      .sort((a, b) => a.name.localeCompare(b.name));
  }
}
