/**
 * Scenario files (YAML or JSON) describing a simulated fleet: platforms and their tokens, cluster
 * count, names and labels, then settings as `defaults` plus `groups` that override them for the
 * clusters they match (by name, label or platform; later groups win). Numeric settings accept a
 * `[min, max]` range, drawn per cluster from a PRNG seeded with the scenario seed and the cluster
 * name, so a run is reproducible and one cluster's draw does not shift when another changes.
 */
import { readFile } from 'node:fs/promises';
import semver from 'semver';
import { parse } from 'yaml';
import * as z from 'zod';
import { ConfigError } from '#domain/errors.ts';
import type { FaultConfig } from '#sim/api/faults.ts';
import type { ClusterSpec, GraphOverrides, InstanceSpec } from '#sim/cluster-spec.ts';
import { duration } from '#sim/scenario-duration.ts';
import { outageIssues, type ScenarioOutage, scenarioOutageSchema } from '#sim/scenario-outages.ts';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** The one platform of a scenario that names none. */
const DEFAULT_PLATFORM = 'acp';

const rangeOf = <T extends z.ZodType<number>>(single: T) => z.union([single, z.tuple([single, single])]);
const fraction = z.number().min(0).max(1);
const version = z.string().refine((v) => semver.valid(v) !== null, 'not a semantic version');
const csvName = z
  .string()
  .regex(/^[a-z0-9][-a-z0-9]*\.v\d+\.\d+\.\d+\S*$/, 'not a CSV name (<package>.v<version>)');
const semverRange = z.string().refine((r) => semver.validRange(r) !== null, 'not a semver range');

const INSTANCE_KINDS = ['Redis', 'RedisFailover', 'RedisSentinel', 'DistributedRedisCluster'] as const;
const instanceGroup = z.strictObject({
  kind: z.enum(INSTANCE_KINDS),
  count: z.int().min(1).default(1),
  healthy: z.boolean().default(true),
  namespace: z.string().regex(DNS_LABEL).optional(),
  name: z.string().regex(DNS_LABEL).optional(),
});

const faultsSchema = z.strictObject({
  error500Rate: fraction.optional(),
  throttle429Rate: fraction.optional(),
  retryAfterSeconds: z.number().nonnegative().optional(),
  timeoutRate: fraction.optional(),
  timeoutMs: z.number().nonnegative().optional(),
  conflict409Rate: fraction.optional(),
}) satisfies z.ZodType<FaultConfig>;

const settingsSchema = z.strictObject({
  installedVersion: version.optional(),
  channel: z.string().min(1).optional(),
  platformVersion: version.optional(),
  approval: z.enum(['Manual', 'Automatic']).optional(),
  /** Instance groups; without any, each cluster gets 1 to 4 instances of random kinds. */
  instances: z.array(instanceGroup).optional(),
  /** Marks the first N instances unhealthy, on top of what `instances` says. */
  unhealthyInstances: z.int().min(0).optional(),
  /** Age of each instance's newest Complete backup; null means no backups at all. */
  backupAge: rangeOf(duration).nullable().optional(),
  nodes: z
    .strictObject({
      count: rangeOf(z.int().min(1)).optional(),
      cpu: z.number().positive().optional(),
      memoryGi: z.number().positive().optional(),
    })
    .optional(),
  /** Share of node allocatable CPU/memory not requested by pods. */
  headroom: rangeOf(fraction).optional(),
  pvcsPending: z.array(z.string()).optional(),
  syncDelay: rangeOf(duration).optional(),
  installTime: rangeOf(duration).optional(),
  backupTime: rangeOf(duration).optional(),
  faults: faultsSchema.optional(),
  failInstall: z.boolean().optional(),
  /** Bundle images never reach the cluster's registry: InstallPlans fail unpacking. */
  failUnpack: z.boolean().optional(),
  /** The cluster's catalog: versions uploaded besides the installed one, and graphs that differ from the packages'. */
  catalog: z
    .strictObject({
      uploaded: z.array(version).optional(),
      bundles: z
        .record(
          version,
          z.strictObject({
            replaces: csvName.nullable().optional(),
            skips: z.array(csvName).optional(),
            skipRange: semverRange.nullable().optional(),
          }),
        )
        .optional(),
    })
    .optional(),
  /** The platform fails to push images to this cluster (violet push exits non-zero). */
  failUpload: z.boolean().optional(),
  traps: z.strictObject({ mergedPlan: z.boolean().optional() }).optional(),
});
export type ScenarioSettings = z.output<typeof settingsSchema>;

const groupSchema = z.strictObject({
  match: z
    .strictObject({
      names: z.array(z.string()).optional(),
      labels: z.record(z.string(), z.string()).optional(),
      platform: z.string().optional(),
    })
    .refine((m) => m.names || m.labels || m.platform, 'match needs names, labels or platform'),
  set: settingsSchema,
});

const scenarioFields = z.strictObject({
  seed: z.int().optional(),
  speed: z.number().positive().optional(),
  clusters: z
    .strictObject({
      count: z.int().min(1).max(5000).optional(),
      namePrefix: z
        .string()
        .regex(/^[a-z0-9][-a-z0-9]*$/)
        .optional(),
      /** Per label key, one value for all clusters or a list dealt out round-robin. */
      labels: z.record(z.string(), z.union([z.string(), z.array(z.string()).min(1)])).optional(),
    })
    .optional(),
  platforms: z
    .array(
      z.strictObject({
        name: z.string().regex(DNS_LABEL),
        token: z.string().min(8).optional(),
        /** Share of the clusters this platform manages (clusters are dealt out in proportion). */
        weight: z.number().positive().default(1),
      }),
    )
    .min(1)
    .optional(),
  defaults: settingsSchema.optional(),
  groups: z.array(groupSchema).optional(),
  outages: z.array(scenarioOutageSchema).optional(),
});
export const scenarioSchema = scenarioFields.superRefine((scenario, ctx) => {
  const platforms = (scenario.platforms ?? [{ name: DEFAULT_PLATFORM }]).map((p) => p.name);
  for (const issue of outageIssues(scenario.outages ?? [], platforms))
    ctx.addIssue({ code: 'custom', ...issue });
});
export type ScenarioInput = z.input<typeof scenarioSchema>;
export type Scenario = z.output<typeof scenarioSchema>;

export interface ScenarioCluster {
  name: string;
  platform: string;
  labels: Record<string, string>;
  spec: ClusterSpec;
  faults: FaultConfig;
  failUpload: boolean;
}
export interface ScenarioPlatform {
  name: string;
  token: string;
  clusters: ScenarioCluster[];
}
export interface ResolvedScenario {
  seed: number;
  speed: number | undefined;
  platforms: ScenarioPlatform[];
  /** Groups naming clusters this run does not have (e.g. a smaller --clusters). */
  warnings: string[];
  outages: ScenarioOutage[];
}

const BUILT_IN: ScenarioSettings = {
  installedVersion: '3.16.2',
  channel: 'stable',
  platformVersion: '3.18.0',
  approval: 'Manual',
  unhealthyInstances: 0,
  backupAge: [3_600_000, 12 * 3_600_000],
  nodes: { count: [3, 6], cpu: 16, memoryGi: 64 },
  headroom: [0.3, 0.6],
  pvcsPending: [],
  syncDelay: 15 * 60_000,
  installTime: 2 * 60_000,
  backupTime: 60_000,
  faults: {},
  failInstall: false,
  failUpload: false,
  traps: {},
};

export function parseScenario(input: unknown, source = 'scenario'): Scenario {
  const parsed = scenarioSchema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue?.path.length ? issue.path.join('.') : '(root)';
  throw new ConfigError(`${source}: ${where}: ${issue?.message ?? 'invalid'}`);
}

export async function loadScenario(path: string): Promise<Scenario> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read scenario ${path}: ${(error as NodeJS.ErrnoException).code}`, {
      cause: error,
    });
  }
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (error) {
    throw new ConfigError(`scenario ${path} is not YAML/JSON: ${(error as Error).message}`, { cause: error });
  }
  return parseScenario(raw, `scenario ${path}`);
}

/** mulberry32 over a 32-bit FNV-1a hash of the key: small, fast, and plenty for picking fixtures. */
export function seededRandom(key: string): () => number {
  let state = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) state = Math.imul(state ^ key.charCodeAt(i), 0x01000193);
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function draw(random: () => number, value: number | [number, number], integer = false): number {
  if (typeof value === 'number') return value;
  const [min, max] = value;
  const picked = min + random() * (max - min);
  return integer ? Math.round(picked) : picked;
}

function clusterNames(count: number, prefix: string): string[] {
  const width = Math.max(2, String(count).length);
  return Array.from({ length: count }, (_, i) => `${prefix}${String(i + 1).padStart(width, '0')}`);
}

function labelsFor(index: number, rules: Record<string, string | string[]>): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [key, values] of Object.entries(rules)) {
    labels[key] = typeof values === 'string' ? values : (values[index % values.length] as string);
  }
  return labels;
}

/** Largest-remainder split of `count` clusters over the platforms' weights, in platform order. */
function platformShares(count: number, weights: number[]): number[] {
  const total = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (count * w) / total);
  const shares = exact.map(Math.floor);
  const byRemainder = exact
    .map((e, i) => ({ i, r: e - Math.floor(e) }))
    .sort((a, b) => b.r - a.r || a.i - b.i);
  for (let k = 0; k < count - shares.reduce((a, b) => a + b, 0); k++) {
    const target = byRemainder[k]?.i as number;
    shares[target] = (shares[target] as number) + 1;
  }
  return shares;
}

const KIND_NAMES: Record<InstanceSpec['kind'], string> = {
  Redis: 'redis',
  RedisFailover: 'failover',
  RedisSentinel: 'sentinel',
  DistributedRedisCluster: 'sharded',
};

type InstanceGroup = z.output<typeof instanceGroup>;

function randomInstanceGroups(random: () => number): InstanceGroup[] {
  return Array.from({ length: 1 + Math.floor(random() * 4) }, () => ({
    kind: INSTANCE_KINDS[Math.floor(random() * INSTANCE_KINDS.length)] as InstanceSpec['kind'],
    count: 1,
    healthy: true,
  }));
}

function instancesFor(settings: ScenarioSettings, random: () => number): InstanceSpec[] {
  const perKind = new Map<string, number>();
  const instances: InstanceSpec[] = [];
  for (const group of settings.instances ?? randomInstanceGroups(random)) {
    for (let i = 1; i <= group.count; i++) {
      const serial = (perKind.get(group.kind) ?? 0) + 1;
      perKind.set(group.kind, serial);
      const name = group.name
        ? group.count === 1
          ? group.name
          : `${group.name}-${i}`
        : `${KIND_NAMES[group.kind]}-${serial}`;
      instances.push({
        kind: group.kind,
        name,
        namespace: group.namespace ?? 'redis-apps',
        healthy: group.healthy,
      });
    }
  }
  const unhealthy = settings.unhealthyInstances ?? 0;
  return instances.map((instance, i) => (i < unhealthy ? { ...instance, healthy: false } : instance));
}

function specFor(s: ScenarioSettings, random: () => number): ClusterSpec {
  const nodes = s.nodes ?? {};
  const spec: ClusterSpec = {
    installedVersion: s.installedVersion as string,
    channel: s.channel as string,
    approval: s.approval as ClusterSpec['approval'],
    platformVersion: s.platformVersion as string,
    instances: instancesFor(s, random),
    backupAgeSeconds: s.backupAge == null ? null : Math.round(draw(random, s.backupAge) / 1000),
    nodes: {
      count: draw(random, nodes.count ?? 3, true),
      cpuMillis: Math.round((nodes.cpu ?? 16) * 1000),
      memoryBytes: Math.round((nodes.memoryGi ?? 64) * 1024 ** 3),
    },
    requestedFraction: 1 - draw(random, s.headroom ?? 0.5),
    syncDelayMs: Math.round(draw(random, s.syncDelay ?? 0)),
    installTimeMs: Math.round(draw(random, s.installTime ?? 0)),
    backupTimeMs: Math.round(draw(random, s.backupTime ?? 0)),
  };
  if (s.pvcsPending?.length) spec.pvcsPending = s.pvcsPending;
  if (s.failInstall) spec.failInstall = true;
  if (s.failUnpack) spec.failUnpack = true;
  if (s.catalog) spec.catalog = catalogOf(s.catalog);
  if (s.traps?.mergedPlan) spec.traps = s.traps;
  return spec;
}

/** Scenario graph overrides as the catalog applies them: null removes a field. */
function catalogOf(catalog: NonNullable<ScenarioSettings['catalog']>): NonNullable<ClusterSpec['catalog']> {
  const bundles: GraphOverrides = {};
  for (const [v, graph] of Object.entries(catalog.bundles ?? {})) {
    bundles[v] = Object.fromEntries(Object.entries(graph).map(([key, value]) => [key, value ?? undefined]));
  }
  return {
    ...(catalog.uploaded ? { uploaded: catalog.uploaded } : {}),
    ...(catalog.bundles ? { bundles } : {}),
  };
}

function matches(
  group: z.output<typeof groupSchema>,
  name: string,
  labels: Record<string, string>,
  platform: string,
) {
  const m = group.match;
  if (m.names && !m.names.includes(name)) return false;
  if (m.platform && m.platform !== platform) return false;
  return Object.entries(m.labels ?? {}).every(([key, value]) => labels[key] === value);
}

function mergeSettings(base: ScenarioSettings, over: ScenarioSettings): ScenarioSettings {
  const merged: ScenarioSettings = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value !== undefined) Object.assign(merged, { [key]: value });
  }
  if (over.nodes) merged.nodes = { ...base.nodes, ...over.nodes };
  return merged;
}

export interface ResolveOptions {
  /** Overrides the scenario's cluster count (the CLI's --clusters). */
  clusters?: number;
  seed?: number;
}

export function resolveScenario(scenario: Scenario, options: ResolveOptions = {}): ResolvedScenario {
  const seed = options.seed ?? scenario.seed ?? 1;
  const count = options.clusters ?? scenario.clusters?.count ?? 3;
  const names = clusterNames(count, scenario.clusters?.namePrefix ?? 'cluster-');
  const platformDefs = scenario.platforms ?? [{ name: DEFAULT_PLATFORM, weight: 1 }];
  const shares = platformShares(
    count,
    platformDefs.map((p) => p.weight),
  );
  const defaults = mergeSettings(BUILT_IN, scenario.defaults ?? {});
  const groups = scenario.groups ?? [];
  let next = 0;
  const platforms = platformDefs.map((def, p) => {
    const token =
      def.token ??
      `sim-${def.name}-${Math.floor(seededRandom(`${seed}/token/${def.name}`)() * 2 ** 32).toString(16)}`;
    const clusters = names.slice(next, next + (shares[p] as number)).map((name, offset) => {
      const labels = labelsFor(next + offset, scenario.clusters?.labels ?? {});
      const settings = groups
        .filter((g) => matches(g, name, labels, def.name))
        .reduce((acc, g) => mergeSettings(acc, g.set), defaults);
      return {
        name,
        platform: def.name,
        labels,
        spec: specFor(settings, seededRandom(`${seed}/${name}`)),
        faults: settings.faults ?? {},
        failUpload: settings.failUpload ?? false,
      };
    });
    next += shares[p] as number;
    return { name: def.name, token, clusters };
  });
  const known = new Set(names);
  const warnings = groups.flatMap((g, i) =>
    (g.match.names ?? [])
      .filter((n) => !known.has(n))
      .map((n) => `groups[${i}] names ${n}, which this run does not have`),
  );
  return { seed, speed: scenario.speed, platforms, warnings, outages: scenario.outages ?? [] };
}
