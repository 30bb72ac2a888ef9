// The share storage port served by the S3 bucket, as the API functions have it: requests through
// stevedore's own S3 client, no archive transfers (lib/compose/transfers.ts adds those).
import type { ClientSet } from '../aws/client-set.ts';
import { s3Requests } from '../aws/s3-requests.ts';
import type { ObjectTransfers } from '../aws/s3-transfers.ts';
import type { Config } from '../config.ts';
import { S3ShareStorage } from '../share/s3-share-storage.ts';
import type { Adapter } from './compose.ts';

export const s3StorageFor = (config: Config, aws: ClientSet, transfers?: ObjectTransfers) =>
  new S3ShareStorage({ requests: aws.get(s3Requests), transfers }, config.bucketName, config.uploadPartBytes);

export const s3Storage: Adapter<'storage'> = (config, aws) => s3StorageFor(config, aws);
