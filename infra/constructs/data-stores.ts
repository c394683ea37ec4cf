/**
 * The stateful resources: the single job table (layout in shared/adapters/aws/dynamo-schema.ts)
 * and the artifact bucket with its server-access-log bucket.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { JOB_INDEXES, TABLE_KEYS, TTL_ATTRIBUTE } from '#adapters/aws/dynamo-schema.ts';
import { acknowledge } from './nag.ts';

export interface DataStoresProps {
  retainData: boolean;
  artifactExpirationDays: number;
  noncurrentVersionDays: number;
  accessLogExpirationDays: number;
}

export class DataStores extends Construct {
  readonly table: Table;
  readonly bucket: Bucket;
  /** Server access logs of the buckets and the console distribution's standard logs. */
  readonly accessLogs: Bucket;

  constructor(scope: Construct, id: string, props: DataStoresProps) {
    super(scope, id);
    const removalPolicy = props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    this.table = new Table(this, 'Jobs', {
      partitionKey: { name: TABLE_KEYS.partition, type: AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.sort, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      timeToLiveAttribute: TTL_ATTRIBUTE,
      removalPolicy,
    });
    for (const index of Object.values(JOB_INDEXES)) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partition, type: AttributeType.STRING },
        sortKey: { name: index.sort, type: AttributeType.STRING },
      });
    }

    const accessLogs = new Bucket(this, 'AccessLogs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(props.accessLogExpirationDays) }],
      removalPolicy,
    });
    acknowledge(
      accessLogs,
      'AwsSolutions-S1',
      'This is the server-access-log bucket; logging it into itself would loop.',
    );
    this.accessLogs = accessLogs;
    this.bucket = new Bucket(this, 'Artifacts', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'artifacts-bucket/',
      lifecycleRules: [
        { prefix: 'artifacts/', expiration: Duration.days(props.artifactExpirationDays) },
        { noncurrentVersionExpiration: Duration.days(props.noncurrentVersionDays) },
        { abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      removalPolicy,
    });
  }
}
