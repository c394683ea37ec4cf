/**
 * The HTTP API: every route behind the authorizer (IAM by default, JWT when configured) except
 * the operations the API contract declares public, throttled, with JSON access logs.
 */
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  HttpStage,
  type IHttpRouteAuthorizer,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer, HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { API_OPERATIONS } from '#shared/http/api-contract.ts';
import { acknowledge } from './nag.ts';

export interface UpgraderApiProps {
  handler: IFunction;
  jwt?: { issuer: string; audience: string[] };
  rateLimit: number;
  burstLimit: number;
  logRetention: RetentionDays;
}

export class UpgraderApi extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;

  constructor(scope: Construct, id: string, props: UpgraderApiProps) {
    super(scope, id);
    const authorizer: IHttpRouteAuthorizer = props.jwt
      ? new HttpJwtAuthorizer('Jwt', props.jwt.issuer, { jwtAudience: props.jwt.audience })
      : new HttpIamAuthorizer();
    this.api = new HttpApi(this, 'Api', { createDefaultStage: false, defaultAuthorizer: authorizer });
    const integration = new HttpLambdaIntegration('Handler', props.handler);
    this.api.addRoutes({ path: '/{proxy+}', methods: [HttpMethod.ANY], integration });
    // The contract's public operations (the uptime probe, the API description) skip the authorizer.
    for (const op of API_OPERATIONS.filter((candidate) => candidate.public)) {
      const [route] = this.api.addRoutes({
        path: op.path,
        methods: [HttpMethod[op.method]],
        integration,
        authorizer: new HttpNoneAuthorizer(),
      });
      if (route) {
        acknowledge(
          route,
          'AwsSolutions-APIG4',
          `${op.method} ${op.path} is public by contract: ${op.summary}`,
        );
      }
    }
    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: props.logRetention });
    this.stage = new HttpStage(this, 'Stage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.rateLimit, burstLimit: props.burstLimit },
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.jsonWithStandardFields(),
      },
    });
  }

  get url(): string {
    return this.stage.url;
  }
}
