// The IAM policy of a host worker (`npm run worker` on a container host, README "Host workers"),
// which runs outside the stack and so gets no role from it: the Lambda worker's own table and
// bucket actions (WORKER_ACCESS, through access.ts), and the reads of the table's stream that
// the local poller makes where the Lambda event source mapping reads it for the function.
import { accessStatements, indexArn } from './access.ts';
import { WORKER_ACCESS } from './task-worker.ts';

/** The poller finds the stream through DescribeTable (LatestStreamArn), then reads its shards. */
export const POLLER_TABLE_ACTIONS = ['dynamodb:DescribeTable'] as const;
export const STREAM_READ_ACTIONS = ['dynamodb:DescribeStream', 'dynamodb:GetShardIterator', 'dynamodb:GetRecords'] as const;

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: { Sid: string; Effect: 'Allow'; Action: string[]; Resource: string }[];
}

/** The policy for the deployed table and bucket, by ARN. */
export function hostWorkerPolicy(tableArn: string, bucketArn: string): PolicyDocument {
  const resources = { table: tableArn, index: indexArn(tableArn), bucket: bucketArn, objects: `${bucketArn}/*` };
  const granted = accessStatements(WORKER_ACCESS).map(({ sid, actions, on }) => ({ Sid: sid, Effect: 'Allow' as const, Action: actions, Resource: resources[on] }));
  return {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'FindStream', Effect: 'Allow', Action: [...POLLER_TABLE_ACTIONS], Resource: tableArn },
      { Sid: 'ReadStream', Effect: 'Allow', Action: [...STREAM_READ_ACTIONS], Resource: `${tableArn}/stream/*` },
      ...granted,
    ],
  };
}
