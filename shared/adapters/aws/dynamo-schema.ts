/**
 * The single-table layout, shared by the DynamoDB adapters and the CDK stack so the two can never
 * disagree on key or index names.
 *
 *   item            pk                   sk                         indexes
 *   job             JOB#<id>             JOB                        byCluster, byState, byBatch
 *   job event       JOB#<id>             EVENT#<occurredAt>#<id>    (expiresAt TTL)
 *   active lock     ACTIVE#<cluster>     ACTIVE                     (one per cluster, the uniqueness rule)
 *   idempotency     IDEM#<key>           IDEM                       (expiresAt TTL)
 *   cluster         CLUSTERS             CLUSTER#<name>
 */
export const TABLE_KEYS = { partition: 'pk', sort: 'sk' } as const;
export const TTL_ATTRIBUTE = 'expiresAt';

export const JOB_INDEXES = {
  byCluster: { name: 'byCluster', partition: 'clusterKey', sort: 'createdKey' },
  byState: { name: 'byState', partition: 'stateKey', sort: 'createdKey' },
  byBatch: { name: 'byBatch', partition: 'batchKey', sort: 'createdKey' },
} as const;

export const keys = {
  job: (id: string) => ({ pk: `JOB#${id}`, sk: 'JOB' }),
  active: (cluster: string) => ({ pk: `ACTIVE#${cluster}`, sk: 'ACTIVE' }),
  idempotency: (key: string) => ({ pk: `IDEM#${key}`, sk: 'IDEM' }),
  event: (jobId: string, occurredAt: string, eventId: string) => ({
    pk: `JOB#${jobId}`,
    sk: `EVENT#${occurredAt}#${eventId}`,
  }),
  cluster: (name: string) => ({ pk: 'CLUSTERS', sk: `CLUSTER#${name}` }),
};
