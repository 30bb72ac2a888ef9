// The share storage port served by the S3 bucket.
import { s3Client, s3TransferClient } from '../aws/s3-client.ts';
import { S3ShareStorage } from '../share/s3-share-storage.ts';
import type { Adapter } from './compose.ts';

export const s3Storage: Adapter<'storage'> = (config, aws) => new S3ShareStorage({ requests: aws.get(s3Client), transfers: aws.get(s3TransferClient) }, config.bucketName, config.uploadPartBytes);
