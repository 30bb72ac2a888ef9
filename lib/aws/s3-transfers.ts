// The transfers of whole archives and root filesystems, which only the worker (and the process
// that runs a whole stack) makes: a streamed read of an object, and a stream uploaded so that
// its object appears whole or not at all. They go through the AWS SDK's S3 client, built for
// transfers (lib/aws/s3-client.ts); the API functions never take this module, so their bundles
// carry no SDK S3 client.
import type { Readable } from 'node:stream';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { ClientFactory } from './client-set.ts';
import { s3TransferClient } from './s3-client.ts';
import { uploadStream, type StreamUpload } from './stream-upload.ts';

export interface ObjectTransfers {
  /** The whole object as a stream; rejects with S3's not-found error (NoSuchKey) when there is none. */
  read(bucket: string, key: string, signal?: AbortSignal): Promise<{ size: number; body: Readable }>;
  /** Uploads a stream (see uploadStream). */
  upload(upload: Omit<StreamUpload, 'client'>): Promise<void>;
}

export const s3Transfers: ClientFactory<ObjectTransfers> = (_config, clients) => {
  const client = clients.get(s3TransferClient);
  return {
    async read(bucket, key, signal) {
      const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
      return { size: out.ContentLength ?? 0, body: out.Body as Readable };
    },
    upload: (upload) => uploadStream({ ...upload, client }),
  };
};
