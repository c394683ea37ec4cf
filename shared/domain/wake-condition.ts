/**
 * What would end a stage's wait, said so a runtime that can hold a connection may watch for it
 * and deliver the job's waiting message early (#usecases/wake-on-change.ts). A wake is only an
 * accelerator: the stage looks at the cluster again and decides, and the delayed message that
 * every wait sends stays the safety net (docs/decisions/0002-polling-and-watches.md).
 *
 * A condition is always the opposite of what the stage just saw, so a wake means news.
 */
import { type InstanceRef, instanceName } from '#domain/redis-instance.ts';

export type WakeCondition =
  /** The catalog's PackageManifest offers `csv` in `channel` (the catalog synced the upload). */
  | { kind: 'channel-offers'; packageName: string; channel: string; csv: string }
  /**
   * OLM made an InstallPlan that lists `csv` (in the Subscription's namespace) and is done
   * unpacking its bundle, or failed to: what the approval decides on. A plan still unpacking
   * would only be waited for again.
   */
  | { kind: 'plan-ready'; csv: string }
  /** OLM finished unpacking the InstallPlan's bundle, or failed to (#domain/install-plan-gate.ts). */
  | { kind: 'plan-unpacked'; namespace: string; name: string }
  /** The operator's CSV `csv` reached a phase the install ends in (Succeeded or Failed). */
  | { kind: 'csv-settled'; csv: string }
  /** A Redis instance the stage found unhealthy reports healthy again (or is gone). */
  | { kind: 'instance-healthy'; instance: InstanceRef };

/** The CSV phases an install ends in: verify decides on either. */
export const SETTLED_CSV_PHASES: readonly string[] = ['Succeeded', 'Failed'];

export function describeWakeCondition(condition: WakeCondition): string {
  switch (condition.kind) {
    case 'channel-offers':
      return `PackageManifest ${condition.packageName} channel ${condition.channel} offering ${condition.csv}`;
    case 'plan-ready':
      return `an unpacked InstallPlan for ${condition.csv}`;
    case 'plan-unpacked':
      return `InstallPlan ${condition.namespace}/${condition.name} unpacked`;
    case 'csv-settled':
      return `CSV ${condition.csv} Succeeded or Failed`;
    case 'instance-healthy':
      return `${instanceName(condition.instance)} healthy`;
  }
}
