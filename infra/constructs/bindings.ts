/**
 * Every resource a function touches is bound here, and a binding does two things together: it
 * sets the environment variable the function reads and grants exactly the actions that code
 * needs (explicit action names, never wildcards), so the grant and the use cannot drift apart.
 */
import { ArnFormat, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';

export type TableAccess = 'read' | 'readWrite';
export type BucketAccess = 'read' | 'readWrite';

const TABLE_ACTIONS: Record<TableAccess, string[]> = {
  read: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Scan'],
  // Transactions need the per-item actions they contain (Put, Update, Delete, ConditionCheck).
  readWrite: [
    'dynamodb:GetItem',
    'dynamodb:Query',
    'dynamodb:Scan',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
    'dynamodb:ConditionCheckItem',
  ],
};

/**
 * Lets the function send to the queue (SendMessage covers SendMessageBatch). Consuming is granted
 * by the queue's event source mapping, which is the only consumer.
 */
export function bindQueue(fn: LambdaFunction, queue: IQueue, envName: string): void {
  fn.addEnvironment(envName, queue.queueUrl);
  fn.addToRolePolicy(new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queue.queueArn] }));
}

export function bindTable(fn: LambdaFunction, table: ITable, envName: string, access: TableAccess): void {
  fn.addEnvironment(envName, table.tableName);
  fn.addToRolePolicy(
    new PolicyStatement({
      actions: TABLE_ACTIONS[access],
      resources: [table.tableArn, `${table.tableArn}/index/*`],
    }),
  );
}

/**
 * Object access under one prefix. ListBucket (limited to that prefix) is what lets a HeadObject
 * of a missing key answer 404 instead of 403, which the artifact store relies on.
 */
export function bindBucket(
  fn: LambdaFunction,
  bucket: IBucket,
  envName: string,
  access: BucketAccess,
  prefix: string,
): void {
  fn.addEnvironment(envName, bucket.bucketName);
  const objectActions =
    access === 'read' ? ['s3:GetObject'] : ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'];
  fn.addToRolePolicy(
    new PolicyStatement({ actions: objectActions, resources: [bucket.arnForObjects(`${prefix}*`)] }),
  );
  fn.addToRolePolicy(
    new PolicyStatement({
      actions: ['s3:ListBucket'],
      resources: [bucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': [`${prefix}*`] } },
    }),
  );
}

/**
 * The endpoints' signing secrets under a name prefix: the delivery function reads them, the API
 * also creates, rotates and deletes them.
 */
export function bindWebhookSecrets(
  fn: LambdaFunction,
  secretPrefix: string,
  envName: string,
  access: 'read' | 'manage',
): void {
  fn.addEnvironment(envName, secretPrefix);
  const actions = ['secretsmanager:GetSecretValue'];
  if (access === 'manage') {
    actions.push(
      'secretsmanager:CreateSecret',
      'secretsmanager:PutSecretValue',
      'secretsmanager:DeleteSecret',
    );
  }
  fn.addToRolePolicy(new PolicyStatement({ actions, resources: [secretsUnder(fn, secretPrefix)] }));
}

/** Read access to one secret the stack made (the callback signing secret), its ARN in `envName`. */
export function bindSecret(fn: LambdaFunction, secret: ISecret, envName: string): void {
  fn.addEnvironment(envName, secret.secretArn);
  fn.addToRolePolicy(
    new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secret.secretArn] }),
  );
}

function secretsUnder(fn: LambdaFunction, secretPrefix: string): string {
  return Stack.of(fn).formatArn({
    service: 'secretsmanager',
    resource: 'secret',
    resourceName: `${secretPrefix}*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

/** Read access to the kubeconfig secrets, which the cluster records reference by ARN. */
export function bindKubeconfigSecrets(fn: LambdaFunction, secretPrefix: string): void {
  const stack = Stack.of(fn);
  fn.addToRolePolicy(
    new PolicyStatement({
      actions: ['secretsmanager:GetSecretValue'],
      resources: [
        stack.formatArn({
          service: 'secretsmanager',
          resource: 'secret',
          resourceName: `${secretPrefix}*`,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
    }),
  );
}
