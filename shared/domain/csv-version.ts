/**
 * The operator version a ClusterServiceVersion installs: its spec.version, else the version in
 * its name (`redis-operator.v4.1.2`), as OLM names the package's CSVs. Undefined when neither is
 * a semantic version, so callers say they cannot tell rather than guess.
 */
import semver from 'semver';
import type { CsvView } from './cluster-views.ts';

export function csvVersion(csv: CsvView, packageName: string): string | undefined {
  const prefix = `${packageName}.v`;
  const named = csv.name.startsWith(prefix) ? csv.name.slice(prefix.length) : '';
  return semver.valid(csv.version ?? named) ?? undefined;
}
