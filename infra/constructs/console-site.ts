/**
 * The web console on AWS (issue 14): console/dist in a private S3 bucket, served by CloudFront
 * through Origin Access Control under the console's own headers and Content-Security-Policy
 * (#shared/http/console-headers.ts). The API's paths, taken from the API contract, go to the
 * HTTP API on the same distribution, uncached, with every viewer header but Host (so the JWT in
 * Authorization reaches the authorizer): the console calls its API on its own origin, with no
 * CORS and a CSP of 'self'. The Lambda functions neither hold nor load the console.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  type CfnElement,
  DefaultStackSynthesizer,
  Duration,
  Fn,
  RemovalPolicy,
  Stack,
  Token,
} from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  AllowedMethods,
  type BehaviorOptions,
  CachePolicy,
  Distribution,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  ResponseHeadersPolicy,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { BlockPublicAccess, Bucket, BucketEncryption, type IBucket } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { ConfigError } from '#domain/errors.ts';
import { API_OPERATIONS } from '#shared/http/api-contract.ts';
import { CONSOLE_CSP, CONSOLE_HEADERS } from '#shared/http/console-headers.ts';
import { acknowledge } from './nag.ts';

export interface ConsoleSiteProps {
  api: HttpApi;
  /** The built console (console/dist). */
  dist: string;
  /** Server access logs of the bucket and the distribution's standard logs. */
  logBucket: IBucket;
  retainData: boolean;
}

/** CloudFront path patterns of every API operation: its first segment, alone and with what follows. */
export function apiPathPatterns(): string[] {
  const segments = new Set(API_OPERATIONS.map((op) => op.path.split('/')[1] ?? ''));
  return [...segments].filter(Boolean).flatMap((segment) => [`/${segment}`, `/${segment}/*`]);
}

export class ConsoleSite extends Construct {
  readonly distribution: Distribution;
  readonly bucket: Bucket;

  constructor(scope: Construct, id: string, props: ConsoleSiteProps) {
    super(scope, id);
    if (!existsSync(join(props.dist, 'index.html'))) {
      throw new ConfigError(`the web console is not built (${props.dist}): run \`npm run build:console\``);
    }
    this.bucket = new Bucket(this, 'Assets', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      serverAccessLogsBucket: props.logBucket,
      serverAccessLogsPrefix: 'console-bucket/',
      removalPolicy: props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      autoDeleteObjects: !props.retainData,
    });
    const headers = new ResponseHeadersPolicy(this, 'Headers', {
      comment: 'The web console: its CSP (self only) and security headers',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: CONSOLE_CSP, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(365), override: true },
      },
      customHeadersBehavior: {
        customHeaders: [
          {
            header: 'Cross-Origin-Opener-Policy',
            value: CONSOLE_HEADERS['Cross-Origin-Opener-Policy'] as string,
            override: true,
          },
        ],
      },
    });
    // The stage URL is https://<id>.execute-api.<region>.<suffix>/: its host is the origin.
    const apiHost = Fn.select(2, Fn.split('/', props.api.apiEndpoint));
    const toApi: BehaviorOptions = {
      origin: new HttpOrigin(apiHost, { protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY }),
      viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: AllowedMethods.ALLOW_ALL,
      cachePolicy: CachePolicy.CACHING_DISABLED,
      originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
    };
    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'redis-upgrader web console and its API',
      defaultRootObject: 'index.html',
      minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
      enableLogging: true,
      logBucket: props.logBucket,
      logFilePrefix: 'console-cdn/',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
      },
      additionalBehaviors: Object.fromEntries(apiPathPatterns().map((pattern) => [pattern, toApi])),
    });
    new BucketDeployment(this, 'Deploy', {
      sources: [Source.asset(props.dist)],
      destinationBucket: this.bucket,
      distribution: this.distribution,
      // Asset names are content hashes; the index and icon are what a new build changes in place.
      distributionPaths: ['/', '/index.html', '/favicon.svg'],
      memoryLimit: 256,
    });
    this.#acknowledgeIntendedFindings();
  }

  #acknowledgeIntendedFindings(): void {
    const why = {
      'AwsSolutions-CFR1':
        'Operators reach the console from anywhere; every API call behind it needs a valid JWT.',
      'AwsSolutions-CFR2':
        'The API behind the distribution is authenticated by the JWT authorizer and throttled by its stage; attach a web ACL where policy requires one.',
      'AwsSolutions-CFR4':
        'The default *.cloudfront.net certificate cannot pin TLS 1.2; the viewer policy asks for TLSv1.2_2021 and applies with a custom domain.',
    };
    for (const [id, reason] of Object.entries(why)) acknowledge(this.distribution, id, reason);
    // The deployment's provider function is CDK's own singleton at the stack's root.
    const stack = Stack.of(this);
    const literal = (value: string, pseudo: string) => (Token.isUnresolved(value) ? `<${pseudo}>` : value);
    const assets = `cdk-${DefaultStackSynthesizer.DEFAULT_QUALIFIER}-assets-${literal(stack.account, 'AWS::AccountId')}-${literal(stack.region, 'AWS::Region')}`;
    const bucket = stack.resolve(stack.getLogicalId(this.bucket.node.defaultChild as CfnElement)) as string;
    const copies = "CDK's BucketDeployment provider copies the console's asset into the console bucket";
    const provider: [string, string][] = [
      [
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        "CDK's BucketDeployment provider logs with the basic execution role.",
      ],
      ...['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*'].map(
        (action): [string, string] => [`AwsSolutions-IAM5[Action::${action}]`, `${copies} (CDK's grant).`],
      ),
      [
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${assets}/*]`,
        `${copies} from CDK's asset bucket.`,
      ],
      [`AwsSolutions-IAM5[Resource::<${bucket}.Arn>/*]`, `${copies}; object names change with each build.`],
      ['AwsSolutions-IAM5[Resource::*]', 'CloudFront CreateInvalidation takes no resource-level permission.'],
      ['AwsSolutions-L1', "CDK's BucketDeployment provider pins the Python runtime its code is written for."],
    ];
    for (const construct of stack.node.children) {
      if (!construct.node.id.startsWith('Custom::CDKBucketDeployment')) continue;
      for (const [id, reason] of provider) acknowledge(construct, id, reason);
    }
  }
}
