// The share storage port served by the S3 bucket.
import { S3ShareStorage } from '../share/s3-share-storage.ts';
import type { Adapter } from './compose.ts';

export const s3Storage: Adapter<'storage'> = (config, aws) => new S3ShareStorage(aws.s3, config.bucketName, config.uploadPartBytes);
