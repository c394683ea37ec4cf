/**
 * `npx cdk synth` / `npx cdk deploy` entry. Settings come from CDK context (cdk.json or -c), see
 * infra/stack-config.ts; cdk-nag's AwsSolutions rules run on every synth.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { UpgraderStack } from './stack.ts';
import { configFromContext } from './stack-config.ts';

const app = new App();
const config = configFromContext((key) => app.node.tryGetContext(key));
const stackName = (app.node.tryGetContext('stackName') as string | undefined) ?? 'RedisUpgrader';
new UpgraderStack(app, stackName, {
  config,
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
app.synth();
