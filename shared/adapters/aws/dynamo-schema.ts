/**
 * The single-table layout, shared by the DynamoDB adapters and the CDK stack so the two can never
 * disagree on key or index names.
 *
 *   item            pk                   sk                         indexes
 *   job             JOB#<id>             JOB                        byCluster, byState, byBatch once ended
 *   active lock     ACTIVE#<cluster>     ACTIVE                     byState (partition ACTIVE_JOBS), byBatch
 *                                                                   for its job (dynamo-job-index.ts; by
 *                                                                   cluster it is read by its key); one per
 *                                                                   cluster, the uniqueness rule
 *   idempotency     IDEM#<key>           IDEM                       (expiresAt TTL)
 *   cluster         CLUSTERS             CLUSTER#<name>
 *   batch           BATCH#<id>           BATCH                      (byState, partition BATCHES, if written
 *                                                                   before listing entries)
 *   batch listing   BATCH#<id>           LIST                       byState (partition BATCHES)
 *   batch event     BATCH#<id>           EVENT#<seq, 10 digits>
 *   batch published BATCH#<id>           PUBLISHED                  (seq: events handed to webhooks)
 *   batch key       BATCH_IDEM#<key>     IDEM                       (expiresAt TTL)
 *   webhook endpoint WEBHOOKS            ENDPOINT#<id>
 *   delivery        WEBHOOK#<ep id|cb>   DELIVERY#<id>              (expiresAt TTL)
 *   release id      RELEASE#<webhook-id> RELEASE                    (expiresAt TTL: replay window)
 *   wait history    WAITS                RECENT                     (slot<n> attributes: dynamo-wait-history.ts)
 *
 * A job's events are its transitions (#domain/job-event.ts, ADR 0008); the JOB#<id> / EVENT#...
 * items older releases wrote beside the job are read by nothing and expire through their TTL.
 */
export const TABLE_KEYS = { partition: 'pk', sort: 'sk' } as const;
export const TTL_ATTRIBUTE = 'expiresAt';

/** DynamoDB TTL wants epoch seconds. */
export const epochSeconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

export const JOB_INDEXES = {
  byCluster: { name: 'byCluster', partition: 'clusterKey', sort: 'createdKey' },
  byState: { name: 'byState', partition: 'stateKey', sort: 'createdKey' },
  byBatch: { name: 'byBatch', partition: 'batchKey', sort: 'createdKey' },
} as const;

export const keys = {
  job: (id: string) => ({ pk: `JOB#${id}`, sk: 'JOB' }),
  active: (cluster: string) => ({ pk: `ACTIVE#${cluster}`, sk: 'ACTIVE' }),
  idempotency: (key: string) => ({ pk: `IDEM#${key}`, sk: 'IDEM' }),
  cluster: (name: string) => ({ pk: 'CLUSTERS', sk: `CLUSTER#${name}` }),
  batch: (id: string) => ({ pk: `BATCH#${id}`, sk: 'BATCH' }),
  batchListing: (id: string) => ({ pk: `BATCH#${id}`, sk: 'LIST' }),
  batchEvent: (batchId: string, seq: number) => ({
    pk: `BATCH#${batchId}`,
    sk: `EVENT#${String(seq).padStart(10, '0')}`,
  }),
  batchPublished: (batchId: string) => ({ pk: `BATCH#${batchId}`, sk: 'PUBLISHED' }),
  batchIdempotency: (key: string) => ({ pk: `BATCH_IDEM#${key}`, sk: 'IDEM' }),
  endpoint: (id: string) => ({ pk: 'WEBHOOKS', sk: `ENDPOINT#${id}` }),
  /** A delivery's partition is its receiver's, which its id names (#usecases/webhook-fan-out.ts). */
  delivery: (id: string, receiver: string) => ({ pk: `WEBHOOK#${receiver}`, sk: `DELIVERY#${id}` }),
  release: (webhookId: string) => ({ pk: `RELEASE#${webhookId}`, sk: 'RELEASE' }),
  waitHistory: () => ({ pk: 'WAITS', sk: 'RECENT' }),
};

/** Active jobs are listed from one partition of the byState index, by their locks. */
export const ACTIVE_JOBS_PARTITION = 'ACTIVE_JOBS';

/** Batches are listed, newest first, from one partition of the byState index. */
export const BATCH_LIST_PARTITION = 'BATCHES';
