// The containers of the types placed on container hosts, as an API that cannot reach those
// hosts sees them (the deployed functions; STEVEDORE_LXC_RUNTIME=host): each host worker
// publishes its containers' summaries and configs into the table (publishInventory, every
// PUBLISH_EVERY_MS), and this runtime lists and finds them there. A record its host has not
// published again within STALE_AFTER_MS is gone: the host stopped, or the container did.
// Containers are made and removed on their host, so create and remove are refused with that
// reason; export and import tasks run on the host worker, never through this runtime.
import type { DynamoDocuments } from '../aws/dynamo-documents.ts';
import { queryPartition } from '../aws/query.ts';
import { TTL_ATTRIBUTE } from '../aws/table.ts';
import { isAddressOf } from '../container/address.ts';
import type { ContainerConfig, ContainerSpec, ContainerSummary, ContainerType } from '../container/model.ts';
import { InvalidInput } from '../errors.ts';
import type { Container, ContainerRuntime, ImageSummary } from './runtime.ts';

const HOST_CONTAINER_PK = 'HOST_CONTAINER';
export const PUBLISH_EVERY_MS = 30_000;
export const STALE_AFTER_MS = 3 * PUBLISH_EVERY_MS;

interface PublishedContainer {
  pk: string;
  sk: string;
  summary: ContainerSummary;
  config: ContainerConfig;
  host: string;
  publishedAt: number;
  [TTL_ATTRIBUTE]: number;
}

export interface InventoryTable {
  doc: DynamoDocuments;
  table: string;
  /** The clock, for the tests of staleness. */
  now?: () => number;
}

export class HostInventoryRuntime implements ContainerRuntime {
  constructor(
    private readonly inventory: InventoryTable,
    readonly types: readonly ContainerType[],
  ) {}

  async list(): Promise<ContainerSummary[]> {
    return (await this.published()).map((item) => item.summary);
  }

  async find(type: ContainerType, id: string): Promise<Container | undefined> {
    if (!this.types.includes(type)) return undefined;
    const { doc, table } = this.inventory;
    const direct = (await doc.get({ TableName: table, Key: { pk: HOST_CONTAINER_PK, sk: keyOf(type, id) }, ConsistentRead: true })) as PublishedContainer | undefined;
    const item =
      direct && this.isFresh(direct)
        ? direct
        : (await this.published()).find(({ summary }) => summary.type === type && isAddressOf(summary, id));
    if (!item) return undefined;
    return {
      summary: item.summary,
      config: item.config,
      exportRootfs: () => Promise.reject(new Error(`the root filesystem of ${type} container ${id} is on its host (${item.host}); its export runs there`)),
    };
  }

  async isNameTaken(name: string): Promise<boolean> {
    return (await this.published()).some(({ summary }) => summary.name === name);
  }

  async images(): Promise<ImageSummary[]> {
    return [];
  }

  async create(spec: ContainerSpec): Promise<ContainerSummary> {
    throw onTheirHost(spec.type, 'created');
  }

  async remove(type: ContainerType, _id: string): Promise<void> {
    throw onTheirHost(type, 'removed');
  }

  async importRootfs(spec: ContainerSpec): Promise<ContainerSummary> {
    throw new Error(`an import of a ${spec.type} container runs on its host worker, not here`);
  }

  /** What the hosts published and still stand by, in the order of their keys. */
  private async published(): Promise<PublishedContainer[]> {
    const items = await queryPartition<PublishedContainer>(this.inventory.doc, this.inventory.table, HOST_CONTAINER_PK);
    return items.filter((item) => this.types.includes(item.summary.type) && this.isFresh(item));
  }

  private isFresh(item: PublishedContainer): boolean {
    return item.publishedAt > (this.inventory.now ?? Date.now)() - STALE_AFTER_MS;
  }
}

/**
 * Publishes the containers `runtime` serves of `types` as this host's, and withdraws what this
 * host published before and no longer has. Returns how many it published.
 */
export async function publishInventory(runtime: Pick<ContainerRuntime, 'list' | 'find'>, types: readonly ContainerType[], inventory: InventoryTable, host: string): Promise<number> {
  const { doc, table } = inventory;
  const now = (inventory.now ?? Date.now)();
  const current = new Set<string>();
  for (const summary of (await runtime.list()).filter((c) => types.includes(c.type))) {
    const container = await runtime.find(summary.type, summary.id);
    if (!container) continue; // removed since the listing
    const item: PublishedContainer = {
      pk: HOST_CONTAINER_PK,
      sk: keyOf(summary.type, summary.id),
      summary: container.summary,
      config: container.config,
      host,
      publishedAt: now,
      // DynamoDB removes what nobody refreshes; reads do not wait for it (isFresh).
      [TTL_ATTRIBUTE]: Math.ceil((now + 10 * STALE_AFTER_MS) / 1000),
    };
    await doc.put({ TableName: table, Item: item });
    current.add(item.sk);
  }
  for (const item of await queryPartition<PublishedContainer>(doc, table, HOST_CONTAINER_PK)) {
    if (item.host === host && !current.has(item.sk)) {
      // Only our own record, and only if no other host took the key since.
      await doc.delete({ TableName: table, Key: { pk: HOST_CONTAINER_PK, sk: item.sk }, ConditionExpression: '#host = :host', ExpressionAttributeNames: { '#host': 'host' }, ExpressionAttributeValues: { ':host': host } }).catch(() => undefined);
    }
  }
  return current.size;
}

const keyOf = (type: ContainerType, id: string) => `${type}#${id}`;

const onTheirHost = (type: ContainerType, what: 'created' | 'removed') =>
  new InvalidInput(`${type} containers are ${what} on their container host, where the host worker runs; this deployment lists them and runs their export and import tasks there`);
