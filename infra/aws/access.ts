// Least-privilege grants from a manifest entry's `access`: named actions only (never `*` or
// `service:*`), on the one table and the one bucket (never `*` resources).
import * as iam from 'aws-cdk-lib/aws-iam';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { CHANGES_INDEX } from '../../lib/aws/table.ts';
import type { RouteAccess } from '../../lib/http/route.ts';

/** Reads of single items and of partitions. No Scan: every record kind has its own partition. */
export const TABLE_READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem'] as const;
/** On the table's index of tasks by their last change (lib/aws/table.ts): the long polls' reads. */
export const INDEX_READ_ACTIONS = ['dynamodb:Query'] as const;
/** Writes, including those inside TransactWriteItems (which IAM authorises per item action). */
export const TABLE_WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'] as const;

/** On the bucket itself. */
export const BUCKET_READ_ACTIONS = ['s3:ListBucket'] as const;
export const BUCKET_WRITE_ACTIONS = ['s3:ListBucketMultipartUploads'] as const;
/** On its objects. GetObject also covers HeadObject and ranged reads. */
export const OBJECT_READ_ACTIONS = ['s3:GetObject'] as const;
/** PutObject also covers CreateMultipartUpload, UploadPart, CompleteMultipartUpload and CopyObject's target. */
export const OBJECT_WRITE_ACTIONS = ['s3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'] as const;

/** Every action that changes something: a read-only function holds none of these. */
export const WRITE_ACTIONS: readonly string[] = [...TABLE_WRITE_ACTIONS, ...BUCKET_WRITE_ACTIONS, ...OBJECT_WRITE_ACTIONS];

/** What an `access` grants, on which of the three resources: the one place its actions are decided. */
export interface AccessStatement {
  sid: 'Table' | 'TableIndex' | 'Bucket' | 'Objects';
  actions: string[];
  on: 'table' | 'index' | 'bucket' | 'objects';
}

/** The ARN of the table's one index, which IAM names apart from the table's. */
export const indexArn = (tableArn: string) => `${tableArn}/index/${CHANGES_INDEX}`;

export function accessStatements(access: RouteAccess): AccessStatement[] {
  const statements: AccessStatement[] = [];
  if (access.table) {
    const actions = access.table === 'write' ? [...TABLE_READ_ACTIONS, ...TABLE_WRITE_ACTIONS] : [...TABLE_READ_ACTIONS];
    statements.push({ sid: 'Table', actions, on: 'table' });
    statements.push({ sid: 'TableIndex', actions: [...INDEX_READ_ACTIONS], on: 'index' });
  }
  if (access.bucket) {
    const write = access.bucket === 'write';
    statements.push({ sid: 'Bucket', actions: write ? [...BUCKET_READ_ACTIONS, ...BUCKET_WRITE_ACTIONS] : [...BUCKET_READ_ACTIONS], on: 'bucket' });
    statements.push({ sid: 'Objects', actions: write ? [...OBJECT_READ_ACTIONS, ...OBJECT_WRITE_ACTIONS] : [...OBJECT_READ_ACTIONS], on: 'objects' });
  }
  return statements;
}

export function grantAccess(role: iam.IRole, access: RouteAccess, table: ITable, bucket: IBucket): void {
  const resources = { table: table.tableArn, index: indexArn(table.tableArn), bucket: bucket.bucketArn, objects: bucket.arnForObjects('*') };
  for (const { sid, actions, on } of accessStatements(access)) {
    role.addToPrincipalPolicy(new iam.PolicyStatement({ sid, actions, resources: [resources[on]] }));
  }
}
