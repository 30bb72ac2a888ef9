// The adapters of the processes that export and import (the stream worker, a whole stack in one
// process): the share storage and the runtimes the API functions have, with the archive and root
// filesystem transfers, which go through the AWS SDK's S3 client (lib/aws/s3-transfers.ts).
import { s3Transfers } from '../aws/s3-transfers.ts';
import type { Adapter } from './compose.ts';
import { builtinRuntimeFor, registryWith } from './runtimes.ts';
import { s3StorageFor } from './s3-storage.ts';

export const s3StorageWithTransfers: Adapter<'storage'> = (config, aws) => s3StorageFor(config, aws, aws.get(s3Transfers));

export const runtimesWithTransfers: Adapter<'runtimes'> = (config, aws) => registryWith(config, aws, builtinRuntimeFor(config, aws, aws.get(s3Transfers)));
