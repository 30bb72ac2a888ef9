// The built-in runtime: containers are records in stevedore's table, and each container's
// root filesystem is one tar object in the bucket under `.stevedore/`, outside every share
// folder (share folder names cannot start with a dot). It makes the whole export/import flow
// work anywhere the table and bucket do, with no container engine.
import { randomBytes, randomUUID } from 'node:crypto';
import { CopyObjectCommand, DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, paginateQuery, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ArchiveEntry } from '../archive/entry.ts';
import { DEFAULT_UNPACK_LIMITS } from '../archive/limits.ts';
import { partSizeFor } from '../aws/part-size.ts';
import { countBytes } from '../count-bytes.ts';
import { uploadStream } from '../aws/stream-upload.ts';
import { packTar } from '../archive/pack.ts';
import { readTarEntries } from '../archive/tar-reader.ts';
import { quoteBounded } from '../quote.ts';
import { hostArch } from '../container/arch.ts';
import type { ContainerConfig, ContainerRecord, ContainerRuntime, ContainerSpec, ContainerSummary, ContainerType, RootfsExport } from './runtime.ts';
import { NameTaken, NotFound } from '../errors.ts';

const CONTAINER_PK = 'CONTAINER';
const CONTAINER_NAME_PK = 'CONTAINER_NAME';
const IMAGE_PK = 'IMAGE';
export const INTERNAL_PREFIX = '.stevedore/';

interface StoredContainer extends ContainerRecord {
  pk: string;
  sk: string;
  rootfsKey: string;
  created: number;
}

export interface ImageRecord {
  name: string;
  tag: string;
  rootfsKey: string;
}

export class BuiltinRuntime implements ContainerRuntime {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly s3: S3Client,
    private readonly table: string,
    private readonly bucket: string,
    private readonly partSize: number,
  ) {}

  async list(): Promise<ContainerSummary[]> {
    const items: StoredContainer[] = [];
    const query = { TableName: this.table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': CONTAINER_PK } };
    for await (const page of paginateQuery({ client: this.doc }, query)) items.push(...((page.Items ?? []) as StoredContainer[]));
    return items.sort((a, b) => a.created - b.created).map(summary);
  }

  async get(type: ContainerType, id: string): Promise<StoredContainer | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: { pk: CONTAINER_PK, sk: `${type}#${id}` }, ConsistentRead: true }));
    return out.Item as StoredContainer | undefined;
  }

  async isNameTaken(name: string): Promise<boolean> {
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: { pk: CONTAINER_NAME_PK, sk: name }, ConsistentRead: true }));
    return out.Item !== undefined;
  }

  async create(spec: ContainerSpec): Promise<ContainerRecord> {
    const image = await this.image(spec.image, spec.tag);
    if (!image) throw new NotFound(`Image ${quoteBounded(`${spec.image}:${spec.tag}`)} not found`);
    if (await this.isNameTaken(spec.name)) throw nameTaken(spec.name);
    const rootfsKey = newRootfsKey();
    await this.s3.send(new CopyObjectCommand({ Bucket: this.bucket, Key: rootfsKey, CopySource: `${this.bucket}/${image.rootfsKey}` }));
    return this.register(spec, configFor(spec), rootfsKey);
  }

  async remove(type: ContainerType, id: string): Promise<void> {
    const container = await this.get(type, id);
    if (!container) throw new NotFound(`Container ${id} not found`);
    await this.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          { Delete: { TableName: this.table, Key: { pk: CONTAINER_PK, sk: container.sk } } },
          { Delete: { TableName: this.table, Key: { pk: CONTAINER_NAME_PK, sk: container.name } } },
        ],
      }),
    );
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: container.rootfsKey }));
  }

  async exportRootfs(container: ContainerRecord, signal?: AbortSignal): Promise<RootfsExport> {
    const stored = container as StoredContainer;
    const object = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: stored.rootfsKey }), { abortSignal: signal });
    const listeners: ((bytes: number) => void)[] = [];
    const counter = countBytes(object.Body as NodeJS.ReadableStream, (bytesRead) => {
      for (const listener of listeners) listener(bytesRead);
    });
    return {
      totalBytes: object.ContentLength ?? 0,
      onBytesRead: (listener) => listeners.push(listener),
      entries: readTarEntries(counter),
    };
  }

  async importRootfs(spec: ContainerSpec, config: ContainerConfig, entries: AsyncIterable<ArchiveEntry>): Promise<ContainerRecord> {
    if (await this.isNameTaken(spec.name)) throw nameTaken(spec.name);
    const rootfsKey = newRootfsKey();
    // The object is completed only once every entry was read: a corrupt archive throws
    // first, the upload is aborted, and no root filesystem object ever appears.
    await this.uploadTar(rootfsKey, entries);
    try {
      return await this.register(spec, config, rootfsKey);
    } catch (err) {
      await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: rootfsKey }));
      throw err;
    }
  }

  async image(name: string, tag: string): Promise<ImageRecord | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: { pk: IMAGE_PK, sk: `${name}:${tag}` } }));
    return out.Item as ImageRecord | undefined;
  }

  /** Adds an image to the catalogue from a root filesystem (idempotent: same name, same object). */
  async putImage(name: string, tag: string, rootfs: AsyncIterable<ArchiveEntry>): Promise<ImageRecord> {
    const rootfsKey = `${INTERNAL_PREFIX}images/${name}/${tag}.tar`;
    const exists = await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: rootfsKey })).then(
      () => true,
      () => false,
    );
    if (!exists) {
      await this.uploadTar(rootfsKey, rootfs);
    }
    const record = { pk: IMAGE_PK, sk: `${name}:${tag}`, name, tag, rootfsKey };
    await this.doc.send(new TransactWriteCommand({ TransactItems: [{ Put: { TableName: this.table, Item: record } }] }));
    return record;
  }

  private async uploadTar(key: string, entries: AsyncIterable<ArchiveEntry>): Promise<void> {
    await uploadStream({
      client: this.s3,
      bucket: this.bucket,
      key,
      body: packTar(entries),
      // The size is not known before the end; root filesystems are capped at the unpack limit.
      partSize: partSizeFor(DEFAULT_UNPACK_LIMITS.maxTotalBytes, this.partSize),
      contentType: 'application/x-tar',
    });
  }

  private async register(spec: ContainerSpec, config: ContainerConfig, rootfsKey: string): Promise<StoredContainer> {
    const id = spec.type === 'lxc' ? spec.name : randomBytes(32).toString('hex');
    const record: StoredContainer = {
      pk: CONTAINER_PK,
      sk: `${spec.type}#${id}`,
      id,
      name: spec.name,
      image: `${spec.image}:${spec.tag}`,
      state: 'stopped',
      type: spec.type,
      config,
      rootfsKey,
      created: Date.now(),
    };
    try {
      await this.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: this.table, Item: { pk: CONTAINER_NAME_PK, sk: spec.name, type: spec.type, id }, ConditionExpression: 'attribute_not_exists(pk)' } },
            { Put: { TableName: this.table, Item: record, ConditionExpression: 'attribute_not_exists(pk)' } },
          ],
        }),
      );
    } catch (err) {
      if (err instanceof TransactionCanceledException) {
        await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: rootfsKey }));
        throw nameTaken(spec.name);
      }
      throw err;
    }
    return record;
  }
}

export const nameTaken = (name: string) => new NameTaken(`Container ${name} already exist!`);

const newRootfsKey = () => `${INTERNAL_PREFIX}containers/${randomUUID()}/rootfs.tar`;

export function configFor(spec: ContainerSpec): ContainerConfig {
  // The tag is part of the image's name in the summary, not of the config.
  const { tag: _tag, ...config } = spec;
  return { ...config, arch: hostArch() };
}

export function summary(record: ContainerRecord): ContainerSummary {
  return { id: record.id, image: record.image, name: record.name, state: record.state, type: record.type };
}
