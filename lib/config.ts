// Every setting stevedore reads, taken once from the environment, with defaults and checks.
// A bad setting stops the process at start with one line per problem, instead of surfacing
// later as a confusing failure deep inside a request.
// Types only from the container layer: a value import would carry zod into every function's bundle.
import type { ContainerType } from './container-type.ts';
import { parseDockerEndpoint, type DockerEndpoint } from './docker/endpoint.ts';

export interface ShareFolderConfig {
  name: string;
  writable: boolean;
  /** Capacity reported as `totalsize`, in bytes. */
  quotaBytes: number;
}

/** The runtimes each container type can be served by (lib/services.ts builds them). */
// `host`: the containers a host worker publishes (lib/runtimes/host-inventory.ts), for an API that cannot reach the host.
export const RUNTIME_CHOICES = { docker: ['builtin', 'engine', 'host'], lxc: ['builtin', 'lxc', 'host'] } as const satisfies Record<ContainerType, readonly string[]>;
/** Every container type: each has its runtime choices. */
export const CONTAINER_TYPES = Object.keys(RUNTIME_CHOICES) as ContainerType[];
export type DockerRuntimeChoice = (typeof RUNTIME_CHOICES.docker)[number];
export type LxcRuntimeChoice = (typeof RUNTIME_CHOICES.lxc)[number];

export const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** API Gateway ends every integration after 29 seconds. */
export const API_GATEWAY_TIMEOUT_SECONDS = 29;
/** A long-poll function may run this long past its poll bound to shape and send its answer. */
export const LONG_POLL_HEADROOM_SECONDS = 3;
/** The longest poll bound: one that still answers before API Gateway gives up, wherever it runs. */
export const MAX_POLL_SECONDS = API_GATEWAY_TIMEOUT_SECONDS - LONG_POLL_HEADROOM_SECONDS;

/** How long the event log keeps an event unless configured otherwise. */
export const DEFAULT_EVENT_RETENTION_DAYS = 30;

/** How long a host type's task may wait for a host worker when none is at work, by default. */
export const DEFAULT_HOST_WAIT_MINUTES = 15;
/**
 * The longest such wait: a DynamoDB stream keeps its records for 24 hours, and a host worker
 * that starts later reads the stream from its oldest record, so an older task can never reach one.
 */
export const MAX_HOST_WAIT_MINUTES = 24 * 60;

/** `required`: every endpoint but login needs a session; `anonymous`: requests without one act as "Anonymous". */
export const AUTH_MODES = ['required', 'anonymous'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

/** Whether a listen address reaches only this machine (where `anonymous` may serve). */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127(\.\d{1,3}){3}$/.test(bare) || /^::ffff:127(\.\d{1,3}){3}$/.test(bare);
}

export interface Config {
  region: string;
  tableName: string;
  bucketName: string;
  /** One endpoint for every service (LocalStack); unset means real AWS or per-service URLs. */
  endpoint?: string;
  dynamoEndpoint?: string;
  dynamoStreamsEndpoint?: string;
  s3Endpoint?: string;
  secretsEndpoint?: string;
  host: string;
  port: number;
  dataDir: string;
  shareFolders: ShareFolderConfig[];
  /** Upper bound of one progress long poll, in milliseconds (see MAX_POLL_SECONDS). */
  pollBoundMs: number;
  /** How often a long poll re-checks the table, in milliseconds. */
  pollIntervalMs: number;
  /** How long a running task may go without a progress write before the sweep takes it back. */
  taskLeaseMs: number;
  /** Smallest part size of multipart uploads, in bytes (larger archives get larger parts). */
  uploadPartBytes: number;
  /** How long an AWS request may wait for its connection. */
  backendConnectTimeoutMs: number;
  /** How long an AWS request's socket may stay silent (nothing sent or received) before it fails. */
  backendIdleTimeoutMs: number;
  /**
   * The same for an archive's or root filesystem's transfer (a multipart upload, a streamed
   * read), which a healthy store or reader may leave silent much longer: s3rver answers the
   * completion of an upload only once it joined every part, and a reader pauses while the
   * runtime it feeds catches up.
   */
  backendTransferIdleTimeoutMs: number;
  /** gzip level of .tgz archives (1 fastest .. 9 smallest). */
  gzipLevel: number;
  dockerRuntime: DockerRuntimeChoice;
  /** The engine of `docker` containers when `dockerRuntime` is `engine` (lib/docker/endpoint.ts). */
  dockerEndpoint?: DockerEndpoint;
  lxcRuntime: LxcRuntimeChoice;
  /** Where LXC keeps its containers when `lxcRuntime` is `lxc` (LXC_PATH, as `lxc-create -P` takes it). */
  lxcPath?: string;
  /** The host directory the share folders are under, for LXC bind mounts (`volume.host`). */
  shareRoot?: string;
  /**
   * The container types whose tasks run on the container host, by a host worker
   * (`npm run worker`); every other worker (Lambda, `npm start`) leaves them alone.
   */
  hostTypes: ContainerType[];
  /** How long a host type's task may wait while no host worker is at work before the sweep aborts it. */
  hostWaitMs: number;
  /** How long the event log keeps an event, in days (the table's TTL removes it after). */
  eventRetentionDays: number;
  logLevel: LogLevel;
  /** Whether requests need a session (STEVEDORE_AUTH). */
  auth: AuthMode;
  /** How long a session lives after its login or its last refresh. */
  sessionTtlMs: number;
  /** Failed logins allowed per user and per client address within `loginFailureWindowMs`. */
  loginFailureLimit: number;
  loginFailureWindowMs: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const GIB = 1024 ** 3;
export const DEFAULT_QUOTA_BYTES = 40 * GIB;
const MIB = 1024 ** 2;

type Env = Record<string, string | undefined>;

export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const read = new EnvReader(env, problems);

  const config: Config = {
    region: read.string('AWS_REGION', env.AWS_DEFAULT_REGION ?? 'us-east-1'),
    tableName: read.matching('STEVEDORE_TABLE', 'stevedore', /^[a-zA-Z0-9_.-]{3,255}$/, '3-255 letters, digits, _ . -'),
    bucketName: read.matching('STEVEDORE_BUCKET', 'stevedore-share', /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name: 3-63 lowercase letters, digits, . -'),
    endpoint: read.url('AWS_ENDPOINT_URL'),
    dynamoEndpoint: read.url('AWS_ENDPOINT_URL_DYNAMODB'),
    dynamoStreamsEndpoint: read.url('AWS_ENDPOINT_URL_DYNAMODB_STREAMS'),
    s3Endpoint: read.url('AWS_ENDPOINT_URL_S3'),
    secretsEndpoint: read.url('AWS_ENDPOINT_URL_SECRETS_MANAGER'),
    host: read.string('HOST', '127.0.0.1'),
    port: read.integer('PORT', 8080, 0, 65535),
    dataDir: read.string('STEVEDORE_DATA_DIR', './.data'),
    shareFolders: parseShareFolders(read.string('STEVEDORE_SHARE_FOLDERS', 'test:rw'), problems),
    pollBoundMs: read.integer('STEVEDORE_POLL_SECONDS', 20, 1, MAX_POLL_SECONDS) * 1000,
    // Every poll waiting in one process shares one clock (lib/tasks/change-watch.ts), so locally a
    // re-check is one read for all of them, and 100 ms keeps a progress write's wake p95 within
    // 300 ms for 200 polls. On Lambda each poll reads alone: the stack sets 200 (infra/aws/stack.ts).
    pollIntervalMs: read.integer('STEVEDORE_POLL_INTERVAL_MS', 100, 50, 5000),
    taskLeaseMs: read.integer('STEVEDORE_TASK_LEASE_SECONDS', 120, 5, 3600) * 1000,
    // S3's smallest part: the worker holds three (two in flight, one filling), a fixed share of its memory budget.
    uploadPartBytes: read.integer('STEVEDORE_UPLOAD_PART_MIB', 5, 5, 512) * MIB,
    backendConnectTimeoutMs: read.integer('STEVEDORE_BACKEND_CONNECT_TIMEOUT_MS', 3000, 100, 60_000),
    backendIdleTimeoutMs: read.integer('STEVEDORE_BACKEND_IDLE_TIMEOUT_MS', 5000, 500, 600_000),
    backendTransferIdleTimeoutMs: read.integer('STEVEDORE_BACKEND_TRANSFER_IDLE_TIMEOUT_MS', 300_000, 500, 3_600_000),
    gzipLevel: read.integer('STEVEDORE_GZIP_LEVEL', 6, 1, 9),
    dockerRuntime: read.choice('STEVEDORE_DOCKER_RUNTIME', RUNTIME_CHOICES.docker, 'the runtime of docker containers'),
    lxcRuntime: read.choice('STEVEDORE_LXC_RUNTIME', RUNTIME_CHOICES.lxc, 'the runtime of lxc containers'),
    hostTypes: parseHostTypes(read.string('STEVEDORE_HOST_TYPES', ''), problems),
    hostWaitMs: read.integer('STEVEDORE_HOST_WAIT_MINUTES', DEFAULT_HOST_WAIT_MINUTES, 1, MAX_HOST_WAIT_MINUTES) * 60_000,
    eventRetentionDays: read.integer('STEVEDORE_EVENT_RETENTION_DAYS', DEFAULT_EVENT_RETENTION_DAYS, 1, 3650),
    // Powertools' own variable is honoured too, as its users expect.
    logLevel: read.choice('STEVEDORE_LOG_LEVEL', LOG_LEVELS, 'a log level', read.string('POWERTOOLS_LOG_LEVEL', 'INFO').toUpperCase()),
    // Anonymous only by default where nobody else can reach the server; `npm start` on 0.0.0.0 needs a login.
    auth: read.choice('STEVEDORE_AUTH', AUTH_MODES, 'an auth mode', isLoopbackHost(read.string('HOST', '127.0.0.1')) ? 'anonymous' : 'required'),
    sessionTtlMs: read.integer('STEVEDORE_SESSION_HOURS', 8, 1, 24 * 30) * 3_600_000,
    loginFailureLimit: read.integer('STEVEDORE_LOGIN_FAILURE_LIMIT', 10, 1, 1000),
    loginFailureWindowMs: read.integer('STEVEDORE_LOGIN_FAILURE_WINDOW_MINUTES', 15, 1, 24 * 60) * 60_000,
  };

  if (config.auth === 'anonymous' && !isLoopbackHost(config.host)) {
    problems.push(`STEVEDORE_AUTH: "anonymous" serves everyone who reaches the server without a login, so it is refused with HOST "${config.host}", which is not a loopback address; use STEVEDORE_AUTH=required and add users (npm run user -- add <name> --password-stdin)`);
  }

  if (config.dockerRuntime === 'engine') {
    // Read only when used: a DOCKER_HOST meant for other tools never stops a built-in stevedore.
    const docker = parseDockerEndpoint(env);
    if ('problem' in docker) problems.push(docker.problem);
    else config.dockerEndpoint = docker.endpoint;
  }

  if (config.lxcRuntime === 'lxc') {
    config.lxcPath = absolutePath('LXC_PATH', env.LXC_PATH, '/var/lib/lxc', problems);
    config.shareRoot = absolutePath('STEVEDORE_SHARE_ROOT', env.STEVEDORE_SHARE_ROOT, '/share', problems);
  }

  // A type whose containers only a host worker sees runs its tasks there, nowhere else.
  for (const type of CONTAINER_TYPES) {
    if (runtimeChoiceOf(config, type) === 'host' && !config.hostTypes.includes(type)) {
      problems.push(`${runtimeVariableOf(type)}: "host" needs ${type} in STEVEDORE_HOST_TYPES: its tasks run on the host worker that publishes its containers`);
    }
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** The runtime configuration chose for a container type. */
export function runtimeChoiceOf(config: Pick<Config, 'dockerRuntime' | 'lxcRuntime'>, type: ContainerType): DockerRuntimeChoice | LxcRuntimeChoice {
  return type === 'docker' ? config.dockerRuntime : config.lxcRuntime;
}

/** The variable that chooses it: `STEVEDORE_DOCKER_RUNTIME`, `STEVEDORE_LXC_RUNTIME`. */
export const runtimeVariableOf = (type: ContainerType) => `STEVEDORE_${type.toUpperCase()}_RUNTIME`;

function absolutePath(variable: string, value: string | undefined, fallback: string, problems: string[]): string {
  const path = value?.trim() || fallback;
  if (!path.startsWith('/')) problems.push(`${variable}: "${path}" must be an absolute path`);
  return path.replace(/(.)\/+$/, '$1');
}

/**
 * `STEVEDORE_SHARE_FOLDERS` is a comma-separated list of `name[:rw|:ro][:quota]`,
 * e.g. `test:rw,Public:ro:100G`. The quota is what `totalsize` reports.
 */
export function parseShareFolders(spec: string, problems: string[]): ShareFolderConfig[] {
  const folders: ShareFolderConfig[] = [];
  for (const raw of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [name = '', mode = 'rw', quota] = raw.split(':');
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/.test(name) || name === '.' || name === '..') {
      problems.push(`STEVEDORE_SHARE_FOLDERS: "${name}" is not a valid share folder name (letters, digits, _ . -, up to 63)`);
      continue;
    }
    if (mode !== 'rw' && mode !== 'ro') {
      problems.push(`STEVEDORE_SHARE_FOLDERS: "${raw}": the mode must be rw or ro`);
      continue;
    }
    const quotaBytes = quota === undefined ? DEFAULT_QUOTA_BYTES : parseSize(quota);
    if (quotaBytes === undefined) {
      problems.push(`STEVEDORE_SHARE_FOLDERS: "${raw}": the quota must look like 500M, 40G or 2T`);
      continue;
    }
    if (folders.some((f) => f.name === name)) {
      problems.push(`STEVEDORE_SHARE_FOLDERS: "${name}" is listed twice`);
      continue;
    }
    folders.push({ name, writable: mode === 'rw', quotaBytes });
  }
  if (folders.length === 0 && problems.length === 0) problems.push('STEVEDORE_SHARE_FOLDERS: at least one share folder is needed');
  return folders;
}

/** `STEVEDORE_HOST_TYPES` (and the CDK context `hostTypes`): a comma-separated list of container types, e.g. `lxc`. */
export function parseHostTypes(spec: string, problems: string[], name = 'STEVEDORE_HOST_TYPES'): ContainerType[] {
  const types: ContainerType[] = [];
  for (const raw of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const type = CONTAINER_TYPES.find((known) => known === raw.toLowerCase());
    if (type === undefined) problems.push(`${name}: "${raw}" is not a container type this build has (${CONTAINER_TYPES.join(', ')})`);
    else if (types.includes(type)) problems.push(`${name}: "${type}" is listed twice`);
    else types.push(type);
  }
  return types;
}

function parseSize(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)([KMGT]?)$/i.exec(text);
  if (!match) return undefined;
  const power = ' KMGT'.indexOf((match[2] || ' ').toUpperCase());
  return Math.round(Number(match[1]) * 1024 ** power);
}

class EnvReader {
  constructor(
    private readonly env: Env,
    private readonly problems: string[],
  ) {}

  private raw(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value === '' ? undefined : value;
  }

  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  matching(name: string, fallback: string, pattern: RegExp, expected: string): string {
    const value = this.string(name, fallback);
    if (!pattern.test(value)) this.problems.push(`${name}: "${value}" is not ${expected}`);
    return value;
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
      this.problems.push(`${name}: "${value}" must be a whole number from ${min} to ${max}`);
      return fallback;
    }
    return parsed;
  }

  /** One of `choices`; the first is the default unless `fallback` names another. */
  choice<const C extends readonly string[]>(name: string, choices: C, what: string, fallback: string = choices[0]!): C[number] {
    const value = this.raw(name) ?? fallback;
    const found = choices.find((choice) => choice.toUpperCase() === value.toUpperCase());
    if (found === undefined) {
      this.problems.push(`${name}: "${value}" is not ${what} this build has (${choices.join(', ')})`);
      return choices[0]!;
    }
    return found;
  }

  url(name: string): string | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    try {
      const parsed = new URL(value);
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('scheme');
      return value.replace(/\/+$/, '');
    } catch {
      this.problems.push(`${name}: "${value}" is not an http(s) URL`);
      return undefined;
    }
  }
}
