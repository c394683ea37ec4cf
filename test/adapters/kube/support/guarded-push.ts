/**
 * A process that pushes through a guarded VioletUploader with a violet that never finishes, for
 * the test that SIGKILLs this process: `node guarded-push.ts <violet> <pid-file>`.
 */
import { VIOLET_GUARD, VioletUploader } from '#adapters/kube/violet-uploader.ts';

const [violet, pidFile] = process.argv.slice(2) as [string, string];
process.env.PID_FILE = pidFile;
const uploader = new VioletUploader({
  violet,
  timeoutMs: 600_000,
  guard: VIOLET_GUARD,
  target: async (cluster) => ({
    address: 'https://acp.invalid',
    token: 'guarded-token',
    cluster: cluster.name,
  }),
});
await uploader.push('/nonexistent.tgz', { name: 'west', labels: {} });
