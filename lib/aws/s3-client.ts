// The AWS SDK's S3 clients (the endpoint from AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL): the one
// for the transfers of archives and root filesystems (lib/aws/s3-transfers.ts), which a healthy
// store may leave silent far longer than a request, and one with the API's idle timeout for
// provisioning, the tests and the benchmarks. The share storage and the runtimes send their
// requests through stevedore's own client (lib/aws/s3-requests.ts) instead.
import { S3Client } from '@aws-sdk/client-s3';
import type { Config } from '../config.ts';
import type { ClientFactory } from './client-set.ts';
import { commonClientSettings } from './common.ts';
import { reportUnreachable } from './unreachable.ts';

export const s3Client: ClientFactory<S3Client> = (config) => newS3Client(config, config.backendIdleTimeoutMs);

export const s3TransferClient: ClientFactory<S3Client> = (config) => signHeadersOnly(newS3Client(config, config.backendTransferIdleTimeoutMs));

/** The commands whose body is an archive's bytes (a part, or a small archive whole). */
const BYTES_COMMANDS = new Set(['UploadPartCommand', 'PutObjectCommand']);

/**
 * Signs an archive's parts without hashing their bytes: the signature covers the request with
 * `x-amz-content-sha256: UNSIGNED-PAYLOAD`, as the SDK itself signs any streamed body. SHA-256
 * over every byte took the worker's event loop 15 ms per 5 MiB part here (0.8 CPU s for a
 * 256 MiB .tar), more than the archive's own packing; TLS carries the bytes' integrity to S3.
 */
function signHeadersOnly(client: S3Client): S3Client {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const request = args.request as { headers?: Record<string, string> };
      if (BYTES_COMMANDS.has(context.commandName ?? '') && request.headers) request.headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
      return next(args);
    },
    { step: 'build', name: 'stevedoreUnsignedPayload' },
  );
  return client;
}

function newS3Client(config: Config, idleMs: number): S3Client {
  const endpoint = config.s3Endpoint ?? config.endpoint;
  const client = new S3Client({
    ...commonClientSettings(config, idleMs),
    region: config.region,
    endpoint,
    // Emulators and LocalStack serve buckets by path, not by virtual host name.
    forcePathStyle: endpoint !== undefined,
    // The default (WHEN_SUPPORTED) sends streamed bodies with aws-chunked framing and trailing
    // checksums; some S3-compatible stores save that framing inside the object. Checksums
    // only where an operation requires them keeps every store byte-exact.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return reportUnreachable(client, 'S3', endpoint);
}
