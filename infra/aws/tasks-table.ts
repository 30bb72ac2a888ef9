// The single table (lib/aws/table.ts): tasks, counters, containers, images and path
// reservations under their own partition key prefixes. Its stream carries new task items to
// the worker.
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { CHANGE_SEQ_ATTRIBUTE, CHANGES_INDEX, PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE } from '../../lib/aws/table.ts';

export class TasksTable extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: PARTITION_KEY, type: dynamodb.AttributeType.STRING },
      sortKey: { name: SORT_KEY, type: dynamodb.AttributeType.STRING },
      // Traffic is bursty and mostly idle: on-demand costs nothing while nobody exports.
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      // The worker needs only what was written; old images would double the stream's size.
      stream: dynamodb.StreamViewType.NEW_IMAGE,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: TTL_ATTRIBUTE,
      // Containers and task history live here: deleting the stack must not delete them.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // The long polls' reads of what changed (lib/aws/table.ts). Whole items: a poll answers them.
    this.table.addGlobalSecondaryIndex({
      indexName: CHANGES_INDEX,
      partitionKey: { name: PARTITION_KEY, type: dynamodb.AttributeType.STRING },
      sortKey: { name: CHANGE_SEQ_ATTRIBUTE, type: dynamodb.AttributeType.NUMBER },
      projectionType: dynamodb.ProjectionType.ALL,
    });
  }
}
