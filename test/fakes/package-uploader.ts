import type { ClusterRecord, PackageUploader } from '#shared/ports.ts';

export interface Push {
  file: string;
  cluster: string;
}

/** Records pushes; `onPush` lets a fake cluster react like ACP (ArtifactVersion, catalog sync). */
export class FakePackageUploader implements PackageUploader {
  readonly pushes: Push[] = [];
  onPush: ((push: Push) => void) | undefined;
  /** Awaited before a push lands: a slow upload, for tests of what happens meanwhile. */
  whilePushing: ((push: Push) => Promise<void>) | undefined;
  private failures: Error[] = [];

  async push(file: string, cluster: ClusterRecord): Promise<void> {
    const failure = this.failures.shift();
    if (failure) throw failure;
    const push = { file, cluster: cluster.name };
    await this.whilePushing?.(push);
    this.pushes.push(push);
    this.onPush?.(push);
  }

  failNext(error: Error): void {
    this.failures.push(error);
  }
}
