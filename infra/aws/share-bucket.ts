// The share bucket: every share folder is a top-level prefix of it (lib/share/s3-share-storage.ts).
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export class ShareBucket extends Construct {
  readonly bucket: s3.Bucket;
  readonly accessLogs: s3.Bucket;

  constructor(scope: Construct, id: string) {
    super(scope, id);

    // S3 server access logs of the share bucket: who read or wrote which archive, kept 90 days.
    // (cdk-nag does not ask a log target bucket to log itself.)
    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      // A bucket policy denies every request that is not TLS.
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // Versioning is off on purpose. Archives are written once, appear atomically (multipart
      // upload completed only at the end) and are never overwritten without `force`; deleting
      // a file or folder through the share-folder API must free its space, as the reported
      // quota (`usedsize`) assumes. With versioning every replaced or deleted multi-GiB archive
      // would live on as a noncurrent version, billed and invisible to the API. Recovery of
      // the task records is covered by the table's point-in-time recovery instead.
      versioned: false,
      lifecycleRules: [
        {
          id: 'abort-incomplete-multipart-uploads',
          // A worker that dies mid-export leaves its parts behind; nothing is visible, but
          // the parts are billed until aborted.
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'share/',
      // The share folders hold the users' archives: deleting the stack must not delete them.
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
