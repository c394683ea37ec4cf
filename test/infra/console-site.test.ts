import { Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { API_OPERATIONS } from '#shared/http/api-contract.ts';
import { CONSOLE_CSP } from '#shared/http/console-headers.ts';
import { apiPathPatterns } from '../../infra/constructs/console-site.ts';
import { synthStack } from './synth.ts';

const JWT = { issuer: 'https://id.example.com/', audience: ['upgrader'] };
/** AWS's managed policies, by their fixed ids. */
const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
const ALL_VIEWER_EXCEPT_HOST_HEADER = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';

describe('the web console on AWS (S3 behind CloudFront)', () => {
  const { app, stack, template } = synthStack({ jwt: JWT });
  const [distribution] = Object.values(template.findResources('AWS::CloudFront::Distribution'));
  const config = distribution?.Properties.DistributionConfig;

  it('serves console/dist from a private bucket through Origin Access Control, index.html at /', () => {
    expect(config).toMatchObject({ DefaultRootObject: 'index.html', Enabled: true });
    expect(config.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: Match.objectLike({ OriginAccessControlOriginType: 's3' }),
    });
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'console-bucket/' }),
    });
    template.hasResourceProperties('Custom::CDKBucketDeployment', {
      DistributionPaths: ['/', '/index.html', '/favicon.svg'],
    });
  });

  it("sends the console's CSP (self only) and security headers with every console file", () => {
    template.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: Match.objectLike({
        SecurityHeadersConfig: Match.objectLike({
          ContentSecurityPolicy: { ContentSecurityPolicy: CONSOLE_CSP, Override: true },
          FrameOptions: { FrameOption: 'DENY', Override: true },
          ContentTypeOptions: { Override: true },
        }),
      }),
    });
    expect(config.DefaultCacheBehavior.ResponseHeadersPolicyId).toBeDefined();
  });

  it('routes every path of the API contract to the HTTP API, uncached, Authorization included', () => {
    const behaviors = config.CacheBehaviors as Record<string, unknown>[];
    const patterns = behaviors.map((behavior) => behavior.PathPattern);

    expect(patterns).toEqual(apiPathPatterns());
    for (const op of API_OPERATIONS) {
      const segment = `/${op.path.split('/')[1]}`;
      expect(patterns, op.path).toContain(op.path === segment ? segment : `${segment}/*`);
    }
    expect(patterns).toEqual(expect.arrayContaining(['/upgrades', '/upgrades/*', '/clusters', '/healthz']));
    for (const behavior of behaviors) {
      expect(behavior).toMatchObject({
        CachePolicyId: CACHING_DISABLED,
        OriginRequestPolicyId: ALL_VIEWER_EXCEPT_HOST_HEADER,
        ViewerProtocolPolicy: 'https-only',
        AllowedMethods: expect.arrayContaining(['POST', 'PUT', 'DELETE']),
      });
    }
    const apiOrigin = (config.Origins as { Id: string; CustomOriginConfig?: object }[]).find(
      (origin) => origin.CustomOriginConfig,
    );
    expect(apiOrigin?.CustomOriginConfig).toMatchObject({ OriginProtocolPolicy: 'https-only' });
  });

  it('outputs the console URL', () => {
    template.hasOutput('ConsoleUrl', {});
  });

  it('reports no unacknowledged cdk-nag finding', () => {
    const report = new AwsSolutionsChecks(app).validateScope(stack);

    const findings = report.violations.map(
      (violation) =>
        `${violation.ruleName} at ${violation.violatingResources.map((r) => r.constructPath).join(', ')}`,
    );
    expect(findings).toEqual([]);
  });

  it('is left out with the IAM authorizer, which a browser cannot sign for', () => {
    const iam = synthStack().template;

    iam.resourceCountIs('AWS::CloudFront::Distribution', 0);
    expect(Object.keys(iam.findOutputs('ConsoleUrl'))).toEqual([]);
  });
});
