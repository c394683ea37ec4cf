/**
 * The one way this stack makes a Lambda function: Node 24 on arm64, ESM bundled by the local
 * esbuild (never Docker), minified with source maps (no sources inside), the AWS SDK left to the
 * runtime, X-Ray on, its own log group with retention, and a role that can write only to that
 * log group.
 */
import { fileURLToPath } from 'node:url';
import { type Duration, RemovalPolicy, Size } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, type Code, type ILayerVersion, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { BuildOptions } from 'esbuild';
import { QUEUE_NAMES } from '#usecases/consumer-row.ts';

export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The functions under functions/<name>/handler.ts: the API and one per queue consumer. */
export const FUNCTION_NAMES = ['api', ...QUEUE_NAMES] as const;

/**
 * Builtins every bundle loads through process.getBuiltinModule (infra/bundling/) instead of an
 * ESM import. Node runs every lazy getter of a builtin an ES module imports (nodejs/node#59686):
 * node:http's load Node's undici and node:crypto's WebCrypto, though only their plain exports are
 * used; 10-20 ms of each cold import here (README). Powertools Tracer imports node:http(s) too.
 */
export const BUILTIN_ALIASES: Record<string, string> = Object.fromEntries(
  ['http', 'https', 'crypto'].map((name) => [
    `node:${name}`,
    `${PROJECT_ROOT}infra/bundling/node-${name}.cjs`,
  ]),
);

/** esbuild settings of every bundle, as CDK's bundling takes them. */
export const BUNDLE_SETTINGS = {
  target: 'node24',
  minify: true,
  sourceMap: true,
  // Stack traces still map to file and line; without the sources inlined the map is a fraction
  // of the size Node reads and parses at cold start (--enable-source-maps).
  sourcesContent: false,
  mainFields: ['module', 'main'],
  externalModules: ['@aws-sdk/*'],
  // CommonJS dependencies (client-node, powertools internals) call require() inside ESM.
  banner: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);",
};

/**
 * The same settings, aliases included, in esbuild's own terms: what bench/bundles.ts and the
 * bundle tests build with, so what they measure is what the stack deploys.
 */
export const ESBUILD_OPTIONS = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: BUNDLE_SETTINGS.target,
  minify: BUNDLE_SETTINGS.minify,
  sourcemap: BUNDLE_SETTINGS.sourceMap,
  sourcesContent: BUNDLE_SETTINGS.sourcesContent,
  mainFields: BUNDLE_SETTINGS.mainFields,
  external: BUNDLE_SETTINGS.externalModules,
  alias: BUILTIN_ALIASES,
  banner: { js: BUNDLE_SETTINGS.banner },
} satisfies BuildOptions;

export interface UpgraderFunctionProps {
  /** Folder under functions/, e.g. "validate". */
  name: string;
  namePrefix: string;
  timeout: Duration;
  memoryMiB: number;
  logRetention: RetentionDays;
  ephemeralStorageMiB?: number;
  environment?: Record<string, string>;
  layers?: ILayerVersion[];
  /** Tests only: skip esbuild and deploy this code instead (see test/infra). */
  codeOverride?: Code;
}

export class UpgraderFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: UpgraderFunctionProps) {
    super(scope, id);
    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.namePrefix} ${props.name} function`,
    });
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );
    const common = {
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      timeout: props.timeout,
      memorySize: props.memoryMiB,
      role,
      logGroup: this.logGroup,
      tracing: Tracing.ACTIVE,
      layers: props.layers,
      ...(props.ephemeralStorageMiB
        ? { ephemeralStorageSize: Size.mebibytes(props.ephemeralStorageMiB) }
        : {}),
      environment: {
        POWERTOOLS_SERVICE_NAME: props.namePrefix,
        POWERTOOLS_METRICS_NAMESPACE: props.namePrefix,
        POWERTOOLS_METRICS_FUNCTION_NAME: props.name,
        ...props.environment,
      },
    };
    this.fn = new NodejsFunction(this, 'Function', {
      ...common,
      entry: `${PROJECT_ROOT}functions/${props.name}/handler.ts`,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: `${PROJECT_ROOT}package-lock.json`,
      bundling: {
        ...BUNDLE_SETTINGS,
        format: OutputFormat.ESM,
        forceDockerBundling: false,
        esbuildArgs: Object.fromEntries(
          Object.entries(BUILTIN_ALIASES).map(([builtin, file]) => [`--alias:${builtin}`, file]),
        ),
      },
      ...(props.codeOverride
        ? { code: props.codeOverride, handler: 'index.handler' }
        : { handler: 'handler' }),
    });
  }
}
