import type { ClusterRecord, PackageUploader } from '#shared/ports.ts';

export interface Push {
  file: string;
  cluster: string;
}

/** Records pushes; `onPush` lets a fake cluster react like ACP (ArtifactVersion, catalog sync). */
export class FakePackageUploader implements PackageUploader {
  readonly pushes: Push[] = [];
  onPush: ((push: Push) => void) | undefined;
  private failures: Error[] = [];

  async push(file: string, cluster: ClusterRecord): Promise<void> {
    const failure = this.failures.shift();
    if (failure) throw failure;
    const push = { file, cluster: cluster.name };
    this.pushes.push(push);
    this.onPush?.(push);
  }

  failNext(error: Error): void {
    this.failures.push(error);
  }
}
