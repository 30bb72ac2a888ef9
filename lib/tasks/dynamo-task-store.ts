// The task store in DynamoDB, one table for everything: tasks, per-kind counters, reservations
// and in-use markers, told apart by partition key. Every state change is a conditional write;
// the claim and the end write the task's event in the same transaction (lib/events/dynamo-event-log.ts).
import { ConditionalCheckFailed, TransactionCanceled, type DynamoDocuments } from '../aws/dynamo-documents.ts';
import { queryAll, queryIndexAll, type QueryInput } from '../aws/query.ts';
import { CHANGES_INDEX } from '../aws/table.ts';
import type { DynamoEventLog, TransactItems } from '../events/dynamo-event-log.ts';
import { taskEvent } from '../events/model.ts';
import type { PendingWrite } from '../share/share-storage.ts';
import { searchableSortKey, uniqueSortKey } from './sort-keys.ts';
import { epochSeconds, RESULT_FAILED, type TaskKind, type TaskProgress, type TaskRecord, type TaskState } from './model.ts';
import { ReservationTakenError, type Reservation, type TaskOutcome, type TaskStore } from './task-store.ts';

const COUNTER_PK = 'COUNTER';
const RESERVATION_PK = 'RESERVATION';
const IN_USE_PK = 'IN_USE';
/** Finished tasks expire from the table after this long, if nobody clears them first. */
const FINISHED_TASK_TTL_SECONDS = 30 * 24 * 3600;

export const taskKey = (kind: TaskKind, id: number) => ({ pk: `TASK#${kind}`, sk: id.toString().padStart(12, '0') });

/** Marks task items, so that the worker's stream filter can tell them from every other item. */
export const TASK_RECORD_TYPE = 'task';

/**
 * Something an unfinished task reads or writes (a share path, a container) that other tasks
 * may share but nobody may delete under it. Marker items are written with the task and read
 * with a prefix query; one whose task has finished is stale and removed when met.
 */
const useKey = (resource: string, task: Pick<TaskRecord, 'kind' | 'id'>) => `${searchableSortKey(resource)}|${task.kind}#${task.id}`;

interface UseMarker {
  resource: string;
  kind: TaskKind;
  id: number;
}

type Filter = Pick<QueryInput, 'FilterExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'>;

export class DynamoTaskStore implements TaskStore {
  constructor(
    private readonly doc: DynamoDocuments,
    private readonly table: string,
    readonly leaseMs: number,
    /** Where the events of state changes go, in the same transactions as the changes. */
    private readonly events: DynamoEventLog,
  ) {}

  async nextId(kind: TaskKind): Promise<number> {
    return this.increment(`task#${kind}`);
  }

  async create(task: TaskRecord, reservation?: Reservation): Promise<void> {
    const items: TransactItems = [
      {
        Put: {
          TableName: this.table,
          Item: { ...taskKey(task.kind, task.id), recordType: TASK_RECORD_TYPE, ...task, reservation: reservation?.key },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    ];
    if (reservation) {
      items.push({
        Put: {
          TableName: this.table,
          Item: { pk: RESERVATION_PK, sk: uniqueSortKey(reservation.key), kind: task.kind, id: task.id },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      });
    }
    for (const resource of task.uses ?? []) {
      const marker: UseMarker = { resource, kind: task.kind, id: task.id };
      items.push({ Put: { TableName: this.table, Item: { pk: IN_USE_PK, sk: useKey(resource, task), ...marker } } });
    }
    try {
      await this.doc.transactWrite(items);
    } catch (err) {
      if (err instanceof TransactionCanceled && err.reasons[1]?.Code === 'ConditionalCheckFailed') {
        throw new ReservationTakenError(reservation?.takenMessage ?? 'reserved');
      }
      throw err;
    }
  }

  async get(kind: TaskKind, id: number): Promise<TaskRecord | undefined> {
    return (await this.doc.get({ TableName: this.table, Key: taskKey(kind, id), ConsistentRead: true })) as TaskRecord | undefined;
  }

  async list(kind: TaskKind, filter?: Filter): Promise<TaskRecord[]> {
    return this.queryAll<TaskRecord>({
      KeyConditionExpression: 'pk = :pk',
      ...filter,
      ExpressionAttributeValues: { ':pk': `TASK#${kind}`, ...filter?.ExpressionAttributeValues },
      ScanIndexForward: false,
    });
  }

  async listInState(kind: TaskKind, state: TaskState): Promise<TaskRecord[]> {
    return this.list(kind, { FilterExpression: '#s = :state', ExpressionAttributeNames: { '#s': 'state' }, ExpressionAttributeValues: { ':state': state } });
  }

  // The claim and its "running" event are one transaction: a duplicate delivery finds the task
  // no longer waiting (here, or in the condition when two deliveries race) and writes neither.
  async claim(kind: TaskKind, id: number, owner: string): Promise<TaskRecord | undefined> {
    const waiting = await this.get(kind, id);
    if (waiting?.state !== 'waiting') return undefined;
    const seq = await this.bumpChangeCounter(kind);
    const now = Date.now();
    const claimed: TaskRecord = {
      ...waiting,
      state: 'running',
      start: epochSeconds(now),
      progress: 0,
      owner,
      leaseUntil: now + this.leaseMs,
      changeSeq: seq,
      attempts: (waiting.attempts ?? 0) + 1,
    };
    const update: TransactItems[number] = {
      Update: {
        TableName: this.table,
        Key: taskKey(kind, id),
        UpdateExpression: 'SET #s = :running, #start = :start, progress = :zero, #owner = :owner, leaseUntil = :lease, changeSeq = :seq ADD attempts :one',
        ConditionExpression: '#s = :waiting',
        ExpressionAttributeNames: { '#s': 'state', '#start': 'start', '#owner': 'owner' },
        ExpressionAttributeValues: {
          ':running': 'running',
          ':waiting': 'waiting',
          ':start': claimed.start,
          ':zero': 0,
          ':owner': owner,
          ':lease': claimed.leaseUntil,
          ':seq': seq,
          ':one': 1,
        },
      },
    };
    return (await this.events.writeWith([update], taskEvent(claimed, epochSeconds(now)))) ? claimed : undefined;
  }

  // Every change a long poll reports (claim, progress, finish) bumps the kind's change counter
  // first, then writes the task with the counter's value as its changeSeq: a poll that sees the
  // counter move finds the task once the write lands.
  async reportProgress(task: TaskRecord, owner: string, progress: TaskProgress): Promise<boolean> {
    const seq = await this.bumpChangeCounter(task.kind);
    const values: Record<string, unknown> = { ':p': progress.percent, ':seq': seq, ':lease': Date.now() + this.leaseMs };
    // Every operand reads the item as it was: prevChangeSeq takes the claim's or last progress's seq.
    let update = 'SET progress = :p, prevChangeSeq = changeSeq, changeSeq = :seq, leaseUntil = :lease';
    if (progress.bytes) {
      update += ', bytesDone = :done, bytesTotal = :total';
      values[':done'] = progress.bytes.done;
      values[':total'] = progress.bytes.total;
    }
    return this.ownedUpdate(task, owner, update, values);
  }

  async renewLease(task: TaskRecord, owner: string): Promise<boolean> {
    return this.ownedUpdate(task, owner, 'SET leaseUntil = :lease', { ':lease': Date.now() + this.leaseMs });
  }

  async finish(task: TaskRecord, owner: string | undefined, outcome: TaskOutcome): Promise<boolean> {
    const seq = await this.bumpChangeCounter(task.kind);
    const names: Record<string, string> = { '#s': 'state', '#end': 'end', '#owner': 'owner', '#r': 'result' };
    const values: Record<string, unknown> = {
      ':final': outcome.state,
      ':end': epochSeconds(),
      ':result': outcome.result,
      ':running': 'running',
      ':expires': epochSeconds() + FINISHED_TASK_TTL_SECONDS,
      ':seq': seq,
    };
    let set = 'SET #s = :final, #end = :end, #r = :result, expiresAt = :expires, prevChangeSeq = changeSeq, changeSeq = :seq';
    if (outcome.error !== undefined) {
      set += ', #e = :error';
      names['#e'] = 'error';
      values[':error'] = outcome.error;
    }
    if (outcome.warnings && outcome.warnings.length > 0) {
      set += ', warnings = :warnings';
      values[':warnings'] = outcome.warnings;
    }
    let condition = '#s = :running';
    if (owner !== undefined) {
      condition += ' AND #owner = :owner';
      values[':owner'] = owner;
    } else {
      // The sweep: only if nobody renewed the lease since the sweep looked.
      condition += ' AND leaseUntil = :lease';
      values[':lease'] = task.leaseUntil;
    }
    const items: TransactItems = [
      {
        Update: {
          TableName: this.table,
          Key: taskKey(task.kind, task.id),
          UpdateExpression: `${set} REMOVE progress, #owner, leaseUntil`,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        },
      },
    ];
    return this.endWith(task, items, { ...task, state: outcome.state, result: outcome.result });
  }

  async abortWaiting(task: TaskRecord, error: string): Promise<boolean> {
    const seq = await this.bumpChangeCounter(task.kind);
    const now = epochSeconds();
    return this.endWith(task, [
      {
        Update: {
          TableName: this.table,
          Key: taskKey(task.kind, task.id),
          // It never started: it starts and ends now, as every aborted task has both.
          UpdateExpression: 'SET #s = :aborted, #start = :now, #end = :now, #r = :result, #e = :error, expiresAt = :expires, changeSeq = :seq',
          ConditionExpression: '#s = :waiting',
          ExpressionAttributeNames: { '#s': 'state', '#start': 'start', '#end': 'end', '#r': 'result', '#e': 'error' },
          ExpressionAttributeValues: {
            ':aborted': 'aborted',
            ':waiting': 'waiting',
            ':now': now,
            ':result': RESULT_FAILED,
            ':error': error,
            ':expires': now + FINISHED_TASK_TTL_SECONDS,
            ':seq': seq,
          },
        },
      },
    ], { ...task, state: 'aborted', result: RESULT_FAILED });
  }

  /**
   * Ends a task with its own write, the release of its reservation and the event of its end
   * (`ended` is the task as it ends), all or nothing. False when the write's condition failed.
   */
  private async endWith(task: TaskRecord, items: TransactItems, ended: TaskRecord): Promise<boolean> {
    if (task.reservation) {
      items.push({
        Delete: {
          TableName: this.table,
          Key: { pk: RESERVATION_PK, sk: uniqueSortKey(task.reservation) },
          ConditionExpression: 'attribute_not_exists(pk) OR (kind = :kind AND id = :id)',
          ExpressionAttributeValues: { ':kind': task.kind, ':id': task.id },
        },
      });
    }
    return this.events.writeWith(items, taskEvent(ended, epochSeconds()));
  }

  async unfinishedTasksUsing(resource: string): Promise<TaskRecord[]> {
    return this.unfinishedUsers(`${resource}|`, (used) => used === resource);
  }

  async unfinishedTasksUsingAnyUnder(prefix: string): Promise<TaskRecord[]> {
    return this.unfinishedUsers(prefix, (used) => used.startsWith(prefix));
  }

  async reservationHolder(key: string): Promise<TaskRecord | undefined> {
    const reservation = await this.doc.get({ TableName: this.table, Key: { pk: RESERVATION_PK, sk: uniqueSortKey(key) }, ConsistentRead: true });
    if (!reservation) return undefined;
    const task = await this.get(reservation.kind as TaskKind, Number(reservation.id));
    return task && isUnfinished(task) ? task : undefined;
  }

  // A marker left behind (a release that failed) is dropped when a query meets it anyway.
  async releaseUses(task: Pick<TaskRecord, 'kind' | 'id' | 'uses'>, uses: readonly string[] = task.uses ?? []): Promise<void> {
    await Promise.all(uses.map((resource) => this.doc.delete({ TableName: this.table, Key: { pk: IN_USE_PK, sk: useKey(resource, task) } })));
  }

  private async unfinishedUsers(skPrefix: string, matches: (resource: string) => boolean): Promise<TaskRecord[]> {
    const markers = (
      await this.queryAll<UseMarker>({
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': IN_USE_PK, ':prefix': searchableSortKey(skPrefix) },
      })
    ).filter((m) => matches(m.resource));
    const users: TaskRecord[] = [];
    for (const marker of markers) {
      const task = await this.get(marker.kind, marker.id);
      if (task && isUnfinished(task)) users.push(task);
      else await this.releaseUses(marker, [marker.resource]);
    }
    return users;
  }

  async recordPendingWrite(task: TaskRecord, owner: string, write: PendingWrite): Promise<boolean> {
    return this.ownedUpdate(task, owner, 'SET upload = :upload', { ':upload': write });
  }

  async runningOwnedBy(kind: TaskKind, ownerPrefix: string): Promise<TaskRecord[]> {
    return this.list(kind, {
      FilterExpression: '#s = :running AND begins_with(#owner, :prefix)',
      ExpressionAttributeNames: { '#s': 'state', '#owner': 'owner' },
      ExpressionAttributeValues: { ':running': 'running', ':prefix': ownerPrefix },
    });
  }

  async clearFinished(kind: TaskKind): Promise<number[]> {
    const deleted: number[] = [];
    for (const task of await this.list(kind)) {
      if (task.state !== 'completed' && task.state !== 'aborted') continue;
      try {
        await this.doc.delete({
          TableName: this.table,
          Key: taskKey(kind, task.id),
          ConditionExpression: '#s IN (:completed, :aborted)',
          ExpressionAttributeNames: { '#s': 'state' },
          ExpressionAttributeValues: { ':completed': 'completed', ':aborted': 'aborted' },
        });
        deleted.push(task.id);
      } catch (err) {
        if (!(err instanceof ConditionalCheckFailed)) throw err;
      }
    }
    return deleted.sort((a, b) => a - b);
  }

  // One strongly consistent read of one item.
  async changeCounter(kind: TaskKind): Promise<number> {
    const counter = await this.doc.get({ TableName: this.table, Key: { pk: COUNTER_PK, sk: `changes#${kind}` }, ConsistentRead: true });
    return Number(counter?.value ?? 0);
  }

  async changedSince(kind: TaskKind, since: number, options: { consistent?: boolean } = {}): Promise<TaskRecord[]> {
    // Both reads answer the same set. A waiting task has no changeSeq, so the index holds none;
    // the filter says what is answered all the same.
    const names = { '#s': 'state' };
    const values = { ':waiting': 'waiting', ':since': since };
    if (options.consistent) {
      return this.list(kind, { FilterExpression: '#s <> :waiting AND changeSeq > :since', ExpressionAttributeNames: names, ExpressionAttributeValues: values });
    }
    const changed = await queryIndexAll<TaskRecord>(this.doc, this.table, CHANGES_INDEX, {
      KeyConditionExpression: 'pk = :pk AND changeSeq > :since',
      FilterExpression: '#s <> :waiting',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: { ':pk': `TASK#${kind}`, ...values },
    });
    // Newest first, as the table's own query gives them.
    return changed.sort((a, b) => b.id - a.id);
  }

  private async bumpChangeCounter(kind: TaskKind): Promise<number> {
    return this.increment(`changes#${kind}`);
  }

  /** Adds one to a counter item atomically and answers the new value. */
  private async increment(counter: string): Promise<number> {
    const counted = await this.doc.update({
      TableName: this.table,
      Key: { pk: COUNTER_PK, sk: counter },
      UpdateExpression: 'ADD #v :one',
      ExpressionAttributeNames: { '#v': 'value' },
      ExpressionAttributeValues: { ':one': 1 },
      ReturnValues: 'UPDATED_NEW',
    });
    return Number(counted?.value);
  }

  private queryAll<T>(input: QueryInput): Promise<T[]> {
    return queryAll<T>(this.doc, this.table, input);
  }

  private async ownedUpdate(task: TaskRecord, owner: string, update: string, values: Record<string, unknown>): Promise<boolean> {
    try {
      await this.doc.update({
        TableName: this.table,
        Key: taskKey(task.kind, task.id),
        UpdateExpression: update,
        ConditionExpression: '#s = :running AND #owner = :owner',
        ExpressionAttributeNames: { '#s': 'state', '#owner': 'owner' },
        ExpressionAttributeValues: { ...values, ':running': 'running', ':owner': owner },
      });
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailed) return false;
      throw err;
    }
  }
}

const isUnfinished = (task: TaskRecord) => task.state === 'waiting' || task.state === 'running';
