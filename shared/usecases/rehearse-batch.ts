/**
 * The rehearsal of a rollout (`POST /batches` with `dryRun: true`): every target cluster read as
 * the gates would read it (#usecases/cluster-forecast.ts), the predicted timeline from the hop
 * durations earlier jobs measured (or the configured estimates), and nothing written anywhere:
 * no batch, no job, no message, no change on a cluster.
 */
import type { Catalog } from '#domain/catalog.ts';
import type { BatchRequest } from '#domain/rollout/batch-request.ts';
import { hopSamples } from '#domain/rollout/hop-durations.ts';
import { type ClusterForecast, type RehearsedCluster, rehearse } from '#domain/rollout/rehearsal.ts';
import type { PlannedWave } from '#domain/rollout/wave-plan.ts';
import type { Clock, ClusterGateway, ClusterRecord, JobStore } from '#shared/ports.ts';
import { type ClusterRead, forecastCluster } from '#usecases/cluster-forecast.ts';
import type { PipelineConfig } from '#usecases/pipeline-config.ts';

export interface RehearseBatchDeps {
  jobs: Pick<JobStore, 'list'>;
  gateway: ClusterGateway;
  catalog: Catalog;
  clock: Clock;
  config: Pick<PipelineConfig, 'headroom' | 'backupMaxAgeSeconds' | 'rollout'>;
}

export interface RehearseBatchInput {
  request: BatchRequest;
  waves: PlannedWave[];
  records: ReadonlyMap<string, ClusterRecord>;
  /** Clusters with an active job, and why: not read, they would be refused or skipped. */
  busy: ReadonlyMap<string, string>;
}

export type RehearsedClusterView = RehearsedCluster & Omit<ClusterRead, 'forecast'>;

export interface RehearsalView {
  dryRun: true;
  targetVersion: string;
  waves: (Omit<ReturnType<typeof rehearse>['waves'][number], 'clusters'> & {
    clusters: RehearsedClusterView[];
  })[];
  eta: string;
  notes: string[];
}

/** Clusters read at once: enough to rehearse a large fleet quickly, few enough not to flood a platform. */
const PARALLEL_READS = 16;
/** Succeeded jobs whose hops the prediction learns from (the newest). */
const HISTORY_JOBS = 500;

async function readAll(
  deps: RehearseBatchDeps,
  input: RehearseBatchInput,
  names: readonly string[],
): Promise<Map<string, ClusterRead>> {
  const now = deps.clock.now();
  const target = { targetVersion: input.request.targetVersion, options: input.request.options ?? {} };
  const reads = new Map<string, ClusterRead>();
  for (let start = 0; start < names.length; start += PARALLEL_READS) {
    const chunk = names.slice(start, start + PARALLEL_READS);
    const done = await Promise.all(
      chunk.map(async (name): Promise<ClusterRead> => {
        const busy = input.busy.get(name);
        const record = input.records.get(name);
        // Under skipBusy the batch skips it (never a failure); otherwise the batch is refused.
        if (busy !== undefined && input.request.strategy.skipBusy) {
          return { forecast: { cluster: name, skipped: busy } };
        }
        if (busy !== undefined) return { forecast: { cluster: name, blocked: `busy: ${busy}` } };
        if (!record) return { forecast: { cluster: name, blocked: 'not registered' } };
        return forecastCluster({ ...deps, now }, record, target);
      }),
    );
    for (const read of done) reads.set(read.forecast.cluster, read);
  }
  return reads;
}

export async function rehearseBatch(
  deps: RehearseBatchDeps,
  input: RehearseBatchInput,
): Promise<RehearsalView> {
  const names = input.waves.flatMap((wave) => wave.clusters);
  const reads = await readAll(deps, input, names);
  const history = await deps.jobs.list({ state: 'succeeded', limit: HISTORY_JOBS });
  const forecasts: ClusterForecast[] = [...reads.values()].map((read) => read.forecast);
  const { rollout } = deps.config;
  const rehearsal = rehearse({
    waves: input.waves,
    forecasts,
    strategy: input.request.strategy,
    durations: {
      samples: history.flatMap(hopSamples),
      estimateHopSeconds: rollout.estimateHopSeconds,
      jobOverheadSeconds: rollout.jobOverheadSeconds,
    },
    now: deps.clock.now(),
  });
  const busyNote =
    input.busy.size === 0 || input.request.strategy.skipBusy
      ? []
      : [
          `${input.busy.size} cluster(s) have an active job: the batch would be refused (409) unless strategy.skipBusy`,
        ];
  return {
    dryRun: true,
    targetVersion: input.request.targetVersion,
    waves: rehearsal.waves.map((wave) => ({
      ...wave,
      clusters: wave.clusters.map((cluster) => {
        const { forecast: _, ...facts } = reads.get(cluster.name) ?? { forecast: undefined };
        return { ...cluster, ...facts };
      }),
    })),
    eta: rehearsal.eta,
    notes: [...rehearsal.notes, ...busyNote],
  };
}
