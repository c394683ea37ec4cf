/**
 * The zstd dictionaries job items are compressed with (dynamo-job-item.ts), by the number an item
 * records in its `dict` attribute. A job's JSON is mostly the same keys, states, stage names and
 * reason wordings as every other job's; compressed against a job that has them, a single-hop job
 * of 2.2 KB takes about 200 bytes instead of Brotli's 760, so jobs of several hops stay within
 * one write unit too.
 *
 * A dictionary is part of every item written with it: never change one. A better one is added
 * under the next number and written from then on; items keep the number they were written with.
 * test/adapters/aws/job-dictionary.test.ts pins each one's digest.
 *
 * Raw content, not a trained dictionary: zstd matches against any bytes, and raw text can be
 * read and reviewed. What is likeliest to match comes last (zstd reaches the end more cheaply).
 */

/** Wordings of waits and ends that a job's `step.waitingFor` and transition reasons hold. */
const REASONS = [
  'PackageManifest redis-operator channel stable does not offer redis-operator.v4.0.3 yet (offers redis-operator.v3.18.2)',
  '; waiting up to 1 minute for OLM to resolve',
  'no InstallPlan for redis-operator.v4.0.3 yet',
  'InstallPlan redis-system/install-x7k2p for redis-operator.v4.0.3 waits for approval; ',
  'InstallPlan redis-system/install-x7k2p for redis-operator.v4.0.3 Failed: ',
  "redis-operator.v4.0.3 Succeeded; waiting for the Subscription's installedCSV (redis-operator.v3.18.2) to name it",
  'redis-operator.v4.0.3 is not created yet, waiting for Succeeded',
  'redis-operator.v4.0.3 is Installing, waiting for Succeeded',
  'redis-operator.v4.0.3 Succeeded; waiting for Redis instances: ',
  'waiting for RedisBackups redis-apps/redis-1-pre-upgrade to complete',
  'pushed redis-operator.stable.ALL.v4.0.3.tgz; waiting for ArtifactVersion redis-operator.v4.0.3 to report Success',
  'another worker is at it: ',
  'moved the Subscription from channel stable to stable; waiting for its InstallPlan',
  'could not enqueue validation: ',
  'cluster already runs 4.0.3',
  '. Back these instances up, or start the upgrade with options.takeBackup',
  'redis-operator.v4.0.3 Failed: no message',
  'hop 3.18.2 -> 4.0.3 verified; starting hop 4.0.3 -> 4.1.1',
  'ended cancelled',
];

/**
 * A job of two hops on its second, waiting in verify, with every field a job may have; then the
 * end of a succeeded one.
 */
const JOB = [
  '{"schemaVersion":1,"id":"3f2b7c1e-9a4d-4e8b-b6f1-0c5d2e7a9b14","cluster":"prod-east-cluster-01",',
  '"targetVersion":"4.1.1","hop":1,"version":14,"options":{"maxBackupAgeSeconds":86400,"takeBackup":true,',
  '"skipBackupCheck":true},"callbackUrl":"https://hooks.example.com/redis-upgrader",',
  '"batchId":"8c1d4f2a-6b3e-4a9d-9e27-5f0b1c3d7e60","attempts":[{"stage":"validate","hop":0,"count":1},',
  '{"stage":"check-backup","hop":0,"count":1},{"stage":"upload-package","hop":0,"count":1},',
  '{"stage":"patch-subscription","hop":0,"count":2},{"stage":"verify","hop":0,"count":2},',
  '{"stage":"upload-package","hop":1,"count":1},{"stage":"patch-subscription","hop":1,"count":1},',
  '{"stage":"verify","hop":1,"count":1}],"transitions":[',
  '{"from":"queued","to":"validating","at":"2026-11-30T09:41:27.513Z","hop":0},',
  '{"from":"validating","to":"checking-backup","at":"2026-11-30T09:41:27.602Z",',
  '"reason":"plan 3.18.2 -> 4.0.3 -> 4.1.1 (2 hops); instances, capacity and PVCs are fine","hop":0},',
  '{"from":"checking-backup","to":"uploading","at":"2026-11-30T09:41:27.688Z",',
  '"reason":"every Redis instance (4) has a Complete backup younger than 24h","hop":0},',
  '{"from":"uploading","to":"patching","at":"2026-11-30T09:41:58.120Z",',
  '"reason":"package 4.0.3 is on the cluster (ArtifactVersion redis-operator.v4.0.3 reports Success)","hop":0},',
  '{"from":"patching","to":"verifying","at":"2026-11-30T09:52:14.907Z",',
  '"reason":"approved InstallPlan redis-system/install-f2485 (exactly redis-operator.v4.0.3)","hop":0},',
  '{"from":"verifying","to":"uploading","at":"2026-11-30T09:55:03.316Z",',
  '"reason":"cluster runs 4.0.3 (redis-operator.v4.0.3) and every Redis instance is healthy","hop":1},',
  '{"from":"uploading","to":"patching","at":"2026-11-30T09:55:31.744Z",',
  '"reason":"package 4.1.1 is on the cluster (ArtifactVersion redis-operator.v4.1.1 reports Success)","hop":1},',
  '{"from":"patching","to":"verifying","at":"2026-11-30T10:06:40.259Z",',
  '"reason":"approved InstallPlan redis-system/install-9qz4m (exactly redis-operator.v4.1.1)","hop":1}],',
  '"createdAt":"2026-11-30T09:41:27.513Z","updatedAt":"2026-11-30T10:07:12.046Z",',
  '"causedBy":{"stage":"verify","hop":1,"seq":13,"id":"b2e9d4c7-1f3a-4c6e-8d05-7a9f2b1e4c38"},',
  '"noReturnHop":1,"cancelRequested":true,"cancelRequestedAt":"2026-11-30T10:01:09.377Z",',
  '"fromVersion":"3.18.2","platformVersion":"3.18.0","plan":[',
  '{"from":"3.18.2","to":"4.0.3","kind":"major","csv":"redis-operator.v4.0.3","channel":"stable",',
  '"artifact":{"url":"https://packages.example.com/alauda/redis-operator/redis-operator.stable.ALL.v4.0.3.tgz",',
  '"sha256":"1f319148a765120fb4c28bff28dfb39a97466577b6f68811e03a6a1fafac0d05","size":10223}},',
  '{"from":"4.0.3","to":"4.1.1","kind":"minor","csv":"redis-operator.v4.1.1","channel":"stable",',
  '"artifact":{"url":"https://packages.example.com/alauda/redis-operator/redis-operator.stable.ALL.v4.1.1.tgz",',
  '"sha256":"9c4e2a7b05d81f36e2b9a4c7d0f5e8b1a3c6d9f2e5b8a1c4d7f0e3b6a9c2d5f8","size":10391}}],',
  '"instances":[{"kind":"Redis","namespace":"redis-apps","name":"redis-1"},',
  '{"kind":"RedisFailover","namespace":"redis-apps","name":"failover-1"},',
  '{"kind":"RedisSentinel","namespace":"redis-apps","name":"sentinel-1"},',
  '{"kind":"DistributedRedisCluster","namespace":"redis-apps","name":"sharded-1"}],',
  '"state":"verifying","stageStartedAt":"2026-11-30T10:06:40.259Z",',
  '"expected":{"stage":"verify","hop":1,"seq":14,"id":"e6a1c9f4-3b7d-4e2a-a8c5-0d9f6b3e1a72","due":"2026-11-30T10:07:42.046Z"},',
  '"step":{"waitingFor":"redis-operator.v4.1.1 is Installing, waiting for Succeeded","polls":1,',
  '"approvedPlan":"redis-system/install-9qz4m","claimedAt":"2026-11-30T09:55:03.402Z",',
  '"claimId":"5d8b2f6e-0c4a-4f19-b7e3-2a6c9d1f4b80","leaseUntil":"2026-11-30T09:56:03.402Z",',
  '"doneAt":"2026-11-30T09:55:29.911Z","retries":0,"backups":["redis-apps/redis-1-pre-upgrade"],',
  '"channelMovedFrom":"stable","unresolvedSince":"2026-11-30T10:06:40.259Z"}}',
  '"state":"succeeded","causedBy":{"stage":"verify","hop":0,"seq":10,"id":"fdde8a59-82bb-41af-8c5d-112157ad9940"},',
  '"finishedAt":"2026-11-30T10:08:02.661Z",',
  '"reason":"cluster runs 4.1.1 (redis-operator.v4.1.1) and every Redis instance is healthy"}',
];

export const JOB_DICTIONARIES: Readonly<Record<number, Buffer>> = {
  1: Buffer.from([...REASONS, ...JOB].join(''), 'utf8'),
};

/** The dictionary new items are written with. */
export const CURRENT_JOB_DICTIONARY = 1;
