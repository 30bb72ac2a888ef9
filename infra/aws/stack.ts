// The stevedore stack, derived from the route manifest at synth time: one Lambda function and
// its API routes per manifest entry, the table with its stream worker, the share bucket and
// the stale-task sweep. Adding an endpoint to functions/routes.ts needs no change here.
import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { RouteDefinition } from '../../lib/http/route.ts';
import { bundleModules, deployedModules, NOT_FOUND_MODULE, SWEEP_MODULE, WORKER_MODULE } from './bundle.ts';
import { runtimeVariableOf } from '../../lib/config.ts';
import { EngineAccess } from './engine-access.ts';
import { StevedoreFunction } from './function.ts';
import { StevedoreHttpApi } from './http-api.ts';
import { longPollTimeoutSeconds, readSettings, HTTP_TIMEOUT_SECONDS, type StevedoreSettings } from './settings.ts';
import { ShareBucket } from './share-bucket.ts';
import { TaskSweep } from './task-sweep.ts';
import { TaskWorker } from './task-worker.ts';
import { TasksTable } from './tasks-table.ts';

/** Memory of HTTP functions: Lambda's CPU share grows with memory, and init is CPU-bound. */
export const HTTP_MEMORY_MB = 512;
/** Long polls mostly wait between cheap re-checks of one item. */
export const LONG_POLL_MEMORY_MB = 256;

export interface StevedoreStackProps extends StackProps {
  /** The route manifest (functions/routes.ts). */
  manifest: readonly RouteDefinition[];
  /** Settings; read from CDK context (`shareFolders`, `pollSeconds`) when omitted. */
  settings?: StevedoreSettings;
}

/** The long polls' re-check interval on Lambda (lib/config.ts has npm start's). */
export const LAMBDA_POLL_INTERVAL_MS = 200;

export class StevedoreStack extends Stack {
  readonly settings: StevedoreSettings;
  readonly table: TasksTable;
  readonly share: ShareBucket;
  readonly api: StevedoreHttpApi;
  /** Answers every request no manifest route matches with the 404 envelope. */
  readonly notFound: StevedoreFunction;
  readonly worker: TaskWorker;
  readonly sweep: TaskSweep;
  /** The Docker engine's VPC placement and TLS secret, when the stack is deployed with one. */
  readonly engine?: EngineAccess;
  /** The HTTP functions by manifest entry name. */
  readonly endpoints = new Map<string, { route: RouteDefinition; function: StevedoreFunction }>();

  constructor(scope: Construct, id: string, props: StevedoreStackProps) {
    super(scope, id, props);
    this.settings = props.settings ?? readSettings((key) => this.node.tryGetContext(key));
    checkNames(props.manifest);

    const bundles = bundleModules(deployedModules(props.manifest));
    const bundle = (module: string) => bundles.get(module)!;

    this.table = new TasksTable(this, 'Tasks');
    this.share = new ShareBucket(this, 'Share');
    const table = this.table.table;
    const bucket = this.share.bucket;

    const engine = this.settings.engine && new EngineAccess(this, 'Engine', this.settings.engine);
    this.engine = engine;

    // One configuration for every function, the same variables `npm start` reads (lib/config.ts).
    const environment = {
      STEVEDORE_TABLE: table.tableName,
      STEVEDORE_BUCKET: bucket.bucketName,
      STEVEDORE_SHARE_FOLDERS: this.settings.shareFolders,
      STEVEDORE_POLL_SECONDS: String(this.settings.pollSeconds),
      // A Lambda instance serves one poll, whose re-checks are its own table reads: half as many
      // as npm start's shared 100 ms (18,000 strongly consistent reads per waiting poll-hour).
      STEVEDORE_POLL_INTERVAL_MS: String(LAMBDA_POLL_INTERVAL_MS),
      // Reachable by anyone who finds its URL: every endpoint but login needs a session.
      STEVEDORE_AUTH: 'required',
      ...engine?.environment,
      // The worker leaves these types to host workers, and the sweep gives them their wait.
      ...(this.settings.hostTypes && { STEVEDORE_HOST_TYPES: this.settings.hostTypes.join(',') }),
      // The functions cannot reach a host's disk or socket: they know its containers from what its host worker publishes.
      ...Object.fromEntries((this.settings.hostTypes ?? []).map((type) => [runtimeVariableOf(type), 'host'])),
      ...(this.settings.hostWaitMinutes !== undefined && { STEVEDORE_HOST_WAIT_MINUTES: String(this.settings.hostWaitMinutes) }),
    };

    for (const route of props.manifest) {
      const fn = new StevedoreFunction(this, functionId(route.name), {
        name: route.name,
        description: `stevedore ${route.name}: ${route.method} ${route.paths.join(' ')}`,
        bundle: bundle(route.module),
        access: route.access,
        table,
        bucket,
        environment,
        engine,
        timeout: Duration.seconds(route.longPoll ? longPollTimeoutSeconds(this.settings) : HTTP_TIMEOUT_SECONDS),
        memorySize: route.longPoll ? LONG_POLL_MEMORY_MB : HTTP_MEMORY_MB,
      });
      this.endpoints.set(route.name, { route, function: fn });
    }

    this.notFound = new StevedoreFunction(this, 'NotFound', {
      name: 'not-found',
      description: 'stevedore: the 404 envelope for requests no route matches',
      bundle: bundle(NOT_FOUND_MODULE),
      access: {},
      table,
      bucket,
      environment,
      timeout: Duration.seconds(HTTP_TIMEOUT_SECONDS),
      memorySize: LONG_POLL_MEMORY_MB,
    });
    this.api = new StevedoreHttpApi(
      this,
      'Http',
      [...this.endpoints.values()].map((e) => ({ route: e.route, function: e.function.function })),
      this.notFound.function,
    );
    this.worker = new TaskWorker(this, 'TaskWorker', { bundle: bundle(WORKER_MODULE), table, bucket, environment, engine, hostTypes: this.settings.hostTypes });
    this.sweep = new TaskSweep(this, 'TaskSweep', { bundle: bundle(SWEEP_MODULE), table, bucket, environment });

    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'Base URL: append /api/v1/...' });
    new CfnOutput(this, 'ApiId', { value: this.api.api.apiId });
    new CfnOutput(this, 'TableName', { value: table.tableName });
    new CfnOutput(this, 'BucketName', { value: bucket.bucketName });
    new CfnOutput(this, 'WorkerFailureQueueUrl', { value: this.worker.failures.queueUrl });
    if (engine) {
      new CfnOutput(this, 'EngineClientSecurityGroupId', {
        value: engine.securityGroup.securityGroupId,
        description: 'Allow TCP to the Docker engine\'s port from this group in the engine\'s security group',
      });
    }
  }

  /** Every function of the stack: the HTTP ones, the 404, the worker and the sweep. */
  get allFunctions(): StevedoreFunction[] {
    return [...[...this.endpoints.values()].map((e) => e.function), this.notFound, this.worker.worker, this.sweep.sweep];
  }
}

/** `sharefolder-list` -> `SharefolderList`: stable construct ids, so logical ids follow the name. */
export function functionId(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
}

const RESERVED_IDS = new Set(['Tasks', 'Share', 'Http', 'NotFound', 'TaskWorker', 'TaskSweep', 'Engine', 'ApiUrl', 'ApiId', 'TableName', 'BucketName', 'WorkerFailureQueueUrl', 'EngineClientSecurityGroupId', 'CDKMetadata']);

function checkNames(manifest: readonly RouteDefinition[]): void {
  const seen = new Map<string, string>();
  for (const route of manifest) {
    if (!/^[a-z0-9][a-z0-9-]*$/.test(route.name)) throw new Error(`route manifest: name "${route.name}" must be lowercase letters, digits and -`);
    const id = functionId(route.name);
    const other = seen.get(id);
    if (other !== undefined) throw new Error(`route manifest: names "${other}" and "${route.name}" collide`);
    if (RESERVED_IDS.has(id)) {
      throw new Error(`route manifest: name "${route.name}" is reserved by the stack`);
    }
    seen.set(id, route.name);
  }
}
