// The built-in runtime: containers are records in stevedore's table, and each container's
// root filesystem is one tar object in the bucket under `.stevedore/`, outside every share
// folder (share folder names cannot start with a dot). It makes the whole export/import flow
// work anywhere the table and bucket do, with no container engine. An import's root filesystem
// key and container record carry its task's claim, so a restart can find what a worker killed
// in the middle left: an object whose record was never written, or a container whose task never
// completed (removeAbandonedImports).
import { randomUUID } from 'node:crypto';
import type { ArchiveEntry } from '../archive/entry.ts';
import { DEFAULT_UNPACK_LIMITS } from '../archive/limits.ts';
import { tarBytes } from '../archive/tar-writer.ts';
import { TransactionCanceled, type DynamoDocuments } from '../aws/dynamo-documents.ts';
import { partSizeFor } from '../aws/part-size.ts';
import { queryAll, queryPartition } from '../aws/query.ts';
import type { S3RequestClient } from '../aws/s3-requests.ts';
import type { ObjectTransfers } from '../aws/s3-transfers.ts';
import { PARTITION_KEY, SORT_KEY } from '../aws/table.ts';
import { MIN_ID_PREFIX } from '../container/address.ts';
import { hostArch } from '../container/arch.ts';
import { configFor, newContainerId, type ContainerConfig, type ContainerSpec, type ContainerSummary, type ContainerType } from '../container/model.ts';
import { NotFound } from '../errors.ts';
import { quoteBounded } from '../quote.ts';
import { nameTaken } from './registry.ts';
import type { AbandonedImports, Container, ContainerRuntime, ImageSummary, ImportClaim, ImportOptions, RootfsExport } from './runtime.ts';

const CONTAINER_PK = 'CONTAINER';
const CONTAINER_NAME_PK = 'CONTAINER_NAME';
const IMAGE_PK = 'IMAGE';
export const INTERNAL_PREFIX = '.stevedore/';

interface StoredContainer extends ContainerSummary {
  pk: string;
  sk: string;
  config: ContainerConfig;
  rootfsKey: string;
  created: number;
  /** The task whose import made it, if an import did. */
  claim?: ImportClaim;
}

interface StoredImage extends ImageSummary {
  rootfsKey: string;
}

export interface BuiltinRuntimeOptions {
  doc: DynamoDocuments;
  /** Stevedore's own S3 client, for requests (lib/aws/s3-requests.ts). */
  s3: S3RequestClient;
  /**
   * The transfers of root filesystems (the AWS SDK's client, whose idle timeout a healthy store
   * may outlast a request's): the worker's and provisioning's only. The API functions, which
   * export and import nothing themselves, have none, and their bundles no SDK S3 client.
   */
  transfers?: ObjectTransfers;
  table: string;
  bucket: string;
  /** Smallest part of the multipart uploads of root filesystems. */
  partSize: number;
  /** The container types the registry gave this runtime. */
  types: readonly ContainerType[];
}

export class BuiltinRuntime implements ContainerRuntime {
  readonly types: readonly ContainerType[];

  constructor(private readonly options: BuiltinRuntimeOptions) {
    this.types = options.types;
  }

  async list(): Promise<ContainerSummary[]> {
    const stored = await this.queryAll<StoredContainer>(CONTAINER_PK);
    return stored
      .filter((container) => this.types.includes(container.type))
      .sort((a, b) => a.created - b.created)
      .map(summaryOf);
  }

  async find(type: ContainerType, id: string): Promise<Container | undefined> {
    const stored = await this.storedAt(type, id);
    return stored && this.handleOf(stored);
  }

  async isNameTaken(name: string): Promise<boolean> {
    return (await this.getItem(CONTAINER_NAME_PK, name)) !== undefined;
  }

  async images(): Promise<ImageSummary[]> {
    return (await this.queryAll<StoredImage>(IMAGE_PK)).map(({ name, tag }) => ({ name, tag }));
  }

  async create(spec: ContainerSpec): Promise<ContainerSummary> {
    const image = await this.getItem<StoredImage>(IMAGE_PK, `${spec.image}:${spec.tag}`);
    if (!image) throw new NotFound(`Image ${quoteBounded(`${spec.image}:${spec.tag}`)} not found`);
    if (await this.isNameTaken(spec.name)) throw nameTaken(spec.name);
    const rootfsKey = newRootfsKey();
    const { s3, bucket } = this.options;
    await s3.copyObject(bucket, rootfsKey, bucket, image.rootfsKey);
    return this.register(spec, configFor(spec, hostArch()), rootfsKey);
  }

  async remove(type: ContainerType, id: string): Promise<void> {
    const stored = await this.storedAt(type, id);
    if (!stored) throw new NotFound(`Container ${quoteBounded(id)} not found`);
    await this.unregister(stored);
  }

  /** Deletes a container's records, then its root filesystem object. */
  private async unregister(stored: StoredContainer): Promise<void> {
    const { doc, s3, table, bucket } = this.options;
    await doc.transactWrite([
      { Delete: { TableName: table, Key: { pk: CONTAINER_PK, sk: stored.sk } } },
      { Delete: { TableName: table, Key: { pk: CONTAINER_NAME_PK, sk: stored.name } } },
    ]);
    await s3.deleteObject(bucket, stored.rootfsKey);
  }

  /** The root filesystem objects imports left, with the claims their keys carry. */
  private async claimedObjects(): Promise<{ key: string; claim: ImportClaim }[]> {
    const found: { key: string; claim: ImportClaim }[] = [];
    for await (const page of this.options.s3.listPages(this.options.bucket, { prefix: CLAIMED_PREFIX })) {
      for (const { key } of page.contents) {
        const claim = claimOfKey(key);
        if (claim) found.push({ key, claim });
      }
    }
    return found;
  }

  async importRootfs(spec: ContainerSpec, config: ContainerConfig, tar: AsyncIterable<Buffer>, options: ImportOptions = {}): Promise<ContainerSummary> {
    if (await this.isNameTaken(spec.name)) throw nameTaken(spec.name);
    const rootfsKey = options.claim ? claimedRootfsKey(options.claim) : newRootfsKey();
    // The object is completed only once the whole tar was read: a corrupt archive throws
    // first, the upload is aborted, and no root filesystem object ever appears.
    await this.uploadTar(rootfsKey, tar);
    return this.register(spec, config, rootfsKey, options.claim);
  }

  /**
   * The containers whose record holds the claim of a gone worker's task that is being aborted,
   * and the root filesystem objects of gone workers' imports that no record names (the worker
   * died between the upload and the record). A completed import's container is never removed:
   * its task is no longer running, so its claim is never among the unfinished ones, and its
   * record names its object. A live worker's object, whose record may be on its way, is left.
   */
  async removeAbandonedImports({ isGone, unfinished }: AbandonedImports): Promise<string[]> {
    const removed: string[] = [];
    const objects = (await this.claimedObjects()).filter(({ claim }) => isGone(claim.owner));
    // The periodic pass of a host worker, with nothing of a gone worker in sight: one listing.
    if (objects.length === 0 && unfinished.size === 0) return removed;
    const named = new Set<string>();
    for (const stored of await this.queryAll<StoredContainer>(CONTAINER_PK)) {
      if (stored.claim && unfinished.has(stored.claim.owner) && isGone(stored.claim.owner)) {
        await this.unregister(stored);
        removed.push(`container ${stored.name} of import ${stored.claim.task}`);
      } else {
        named.add(stored.rootfsKey);
      }
    }
    for (const { key, claim } of objects) {
      if (named.has(key)) continue;
      await this.options.s3.deleteObject(this.options.bucket, key);
      removed.push(`root filesystem object of import ${claim.task}`);
    }
    return removed;
  }

  /**
   * Adds an image to the catalogue from a root filesystem (idempotent: same name, same object).
   * The built-in runtime's own: provisioning offers the demo image with it.
   */
  async putImage(name: string, tag: string, rootfs: AsyncIterable<ArchiveEntry>): Promise<ImageSummary> {
    const rootfsKey = `${INTERNAL_PREFIX}images/${name}/${tag}.tar`;
    const { doc, s3, table, bucket } = this.options;
    const exists = await s3.headObject(bucket, rootfsKey).then(
      () => true,
      () => false,
    );
    if (!exists) await this.uploadTar(rootfsKey, tarBytes(rootfs));
    const record = { pk: IMAGE_PK, sk: `${name}:${tag}`, name, tag, rootfsKey };
    await doc.transactWrite([{ Put: { TableName: table, Item: record } }]);
    return { name, tag };
  }

  /** The container a request's address names, as its engine would resolve it (lib/container/address.ts). */
  private async storedAt(type: ContainerType, address: string): Promise<StoredContainer | undefined> {
    if (!this.types.includes(type)) return undefined;
    const byId = await this.getItem<StoredContainer>(CONTAINER_PK, `${type}#${address}`);
    if (byId || type !== 'docker') return byId;
    const named = await this.getItem<{ type: ContainerType; id: string }>(CONTAINER_NAME_PK, address);
    if (named) return named.type === type ? this.getItem<StoredContainer>(CONTAINER_PK, `${type}#${named.id}`) : undefined;
    if (address.length < MIN_ID_PREFIX) return undefined;
    // Two matches are one too many: like Docker, an ambiguous prefix names no container.
    const prefixed = await queryAll<StoredContainer>(this.options.doc, this.options.table, {
      KeyConditionExpression: `${PARTITION_KEY} = :pk AND begins_with(${SORT_KEY}, :prefix)`,
      ExpressionAttributeValues: { ':pk': CONTAINER_PK, ':prefix': `${type}#${address}` },
    });
    return prefixed.length === 1 ? prefixed[0] : undefined;
  }

  private handleOf(stored: StoredContainer): Container {
    return {
      summary: summaryOf(stored),
      config: stored.config,
      exportRootfs: async (signal?: AbortSignal): Promise<RootfsExport> => {
        const object = await this.transfers().read(this.options.bucket, stored.rootfsKey, signal);
        return { format: 'tar', tar: object.body, estimatedBytes: object.size };
      },
    };
  }

  private transfers(): ObjectTransfers {
    if (!this.options.transfers) throw new Error('this process has no root filesystem transfers: only the worker and provisioning export and import');
    return this.options.transfers;
  }

  private async uploadTar(key: string, tar: AsyncIterable<Buffer>): Promise<void> {
    await this.transfers().upload({
      bucket: this.options.bucket,
      key,
      body: tar,
      // The size is not known before the end; root filesystems are capped at the unpack limit.
      partSize: partSizeFor(DEFAULT_UNPACK_LIMITS.maxTotalBytes, this.options.partSize),
      contentType: 'application/x-tar',
    });
  }

  private async register(spec: ContainerSpec, config: ContainerConfig, rootfsKey: string, claim?: ImportClaim): Promise<ContainerSummary> {
    const { doc, s3, table, bucket } = this.options;
    const id = newContainerId(spec);
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
      ...(claim ? { claim: { task: claim.task, owner: claim.owner } } : {}),
    };
    try {
      await doc.transactWrite([
        { Put: { TableName: table, Item: { pk: CONTAINER_NAME_PK, sk: spec.name, type: spec.type, id }, ConditionExpression: 'attribute_not_exists(pk)' } },
        { Put: { TableName: table, Item: record, ConditionExpression: 'attribute_not_exists(pk)' } },
      ]);
    } catch (err) {
      await s3.deleteObject(bucket, rootfsKey);
      if (err instanceof TransactionCanceled) throw nameTaken(spec.name);
      throw err;
    }
    return summaryOf(record);
  }

  private async getItem<T>(pk: string, sk: string): Promise<T | undefined> {
    return (await this.options.doc.get({ TableName: this.options.table, Key: { pk, sk }, ConsistentRead: true })) as T | undefined;
  }

  private queryAll<T>(pk: string): Promise<T[]> {
    return queryPartition<T>(this.options.doc, this.options.table, pk);
  }
}

const newRootfsKey = () => `${INTERNAL_PREFIX}containers/${randomUUID()}/rootfs.tar`;

/**
 * An import's root filesystem key names its claim: `containers/import-<task>-<owner in
 * base64url>/rootfs.tar`, so an object whose record was never written still says whose it was.
 * A claim is one task's one run, so no two imports share a key.
 */
const CLAIMED_PREFIX = `${INTERNAL_PREFIX}containers/import-`;
const claimedRootfsKey = ({ task, owner }: ImportClaim) => `${CLAIMED_PREFIX}${task}-${Buffer.from(owner).toString('base64url')}/rootfs.tar`;

function claimOfKey(key: string): ImportClaim | undefined {
  const parts = /^(\d+)-([A-Za-z0-9_-]+)\/rootfs\.tar$/.exec(key.slice(CLAIMED_PREFIX.length));
  return parts ? { task: Number(parts[1]), owner: Buffer.from(parts[2]!, 'base64url').toString() } : undefined;
}

const summaryOf = (stored: StoredContainer): ContainerSummary => ({
  id: stored.id,
  image: stored.image,
  name: stored.name,
  state: stored.state,
  type: stored.type,
});
