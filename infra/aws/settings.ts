// Deployment settings from CDK context (`cdk synth -c shareFolders=test:rw,Public:ro`), checked
// at synth time with the same rules the functions apply at start, so a bad value fails the
// synth instead of every cold start.
import { API_GATEWAY_TIMEOUT_SECONDS, LONG_POLL_HEADROOM_SECONDS, MAX_HOST_WAIT_MINUTES, MAX_POLL_SECONDS, parseHostTypes, parseShareFolders } from '../../lib/config.ts';
import type { ContainerType } from '../../lib/container-type.ts';
import { parseDockerEndpoint } from '../../lib/docker/endpoint.ts';
/** Timeout of every other HTTP function: generous for one S3 or DynamoDB round of work. */
export const HTTP_TIMEOUT_SECONDS = 15;

export interface StevedoreSettings {
  /** `STEVEDORE_SHARE_FOLDERS`: `name[:rw|:ro][:quota]`, comma separated. */
  shareFolders: string;
  /** `STEVEDORE_POLL_SECONDS`: the upper bound of one progress long poll. */
  pollSeconds: number;
  /** Where the Docker engine is, when `docker` containers come from one (the engine runtime). */
  engine?: EnginePlacement;
  /**
   * `STEVEDORE_HOST_TYPES`: the container types whose tasks host workers run on the container
   * hosts (`npm run worker`); the Lambda worker never receives them.
   */
  hostTypes?: ContainerType[];
  /** `STEVEDORE_HOST_WAIT_MINUTES`: how long their tasks may wait with no host worker at work before the sweep aborts them. */
  hostWaitMinutes?: number;
}

/** A remote Docker engine: always TCP with TLS, reached from inside its VPC. */
export interface EnginePlacement {
  /** `DOCKER_HOST`: `tcp://host:port`. */
  dockerHost: string;
  port: number;
  vpcId: string;
  /** Private subnets of that VPC with a route to DynamoDB, S3 and Secrets Manager. */
  subnetIds: string[];
  /** Name or ARN of the Secrets Manager secret holding `{"ca", "cert", "key"}` as PEM text. */
  tlsSecret: string;
}

/** The context keys of an engine placement, all given or none. */
export const ENGINE_CONTEXT = ['dockerHost', 'dockerVpcId', 'dockerSubnetIds', 'dockerTlsSecret'] as const;

export const DEFAULT_SETTINGS: StevedoreSettings = { shareFolders: 'test:rw', pollSeconds: 20 };

/** Reads and checks the settings; `context` is `node.tryGetContext` of the app or stack. */
export function readSettings(context: (key: string) => unknown): StevedoreSettings {
  const problems: string[] = [];
  const shareFolders = String(context('shareFolders') ?? DEFAULT_SETTINGS.shareFolders).trim();
  parseShareFolders(shareFolders, problems);

  const rawPoll = context('pollSeconds') ?? DEFAULT_SETTINGS.pollSeconds;
  const pollSeconds = Number(rawPoll);
  const maxPoll = MAX_POLL_SECONDS;
  if (!Number.isInteger(pollSeconds) || pollSeconds < 1 || pollSeconds > maxPoll) {
    problems.push(
      `pollSeconds: "${String(rawPoll)}" must be a whole number from 1 to ${maxPoll}: a long poll's function runs up to ` +
        `${LONG_POLL_HEADROOM_SECONDS} s past its bound and must answer before API Gateway's ${API_GATEWAY_TIMEOUT_SECONDS} s limit`,
    );
  }

  const engine = readEnginePlacement(context, problems);

  const hostTypes = parseHostTypes(String(context('hostTypes') ?? ''), problems, 'hostTypes');
  const rawWait = context('hostWaitMinutes');
  const hostWaitMinutes = rawWait === undefined ? undefined : Number(rawWait);
  if (hostWaitMinutes !== undefined && (!Number.isInteger(hostWaitMinutes) || hostWaitMinutes < 1 || hostWaitMinutes > MAX_HOST_WAIT_MINUTES)) {
    problems.push(`hostWaitMinutes: "${String(rawWait)}" must be a whole number from 1 to ${MAX_HOST_WAIT_MINUTES}: the table's stream keeps a task's record for 24 hours`);
  } else if (hostWaitMinutes !== undefined && hostTypes.length === 0) {
    problems.push('hostWaitMinutes: it bounds the wait of the host types\' tasks, and hostTypes names none');
  }

  if (engine && hostTypes.includes('docker')) {
    problems.push('hostTypes: docker containers are either on a host (hostTypes=docker) or on the engine the functions reach (dockerHost), not both');
  }

  if (problems.length > 0) throw new Error(`invalid CDK context:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  return {
    shareFolders,
    pollSeconds,
    ...(engine && { engine }),
    ...(hostTypes.length > 0 && { hostTypes }),
    ...(hostWaitMinutes !== undefined && { hostWaitMinutes }),
  };
}

const VPC_ID = /^vpc-[0-9a-f]{8,17}$/;
const SUBNET_ID = /^subnet-[0-9a-f]{8,17}$/;
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/;

function readEnginePlacement(context: (key: string) => unknown, problems: string[]): EnginePlacement | undefined {
  const given = Object.fromEntries(ENGINE_CONTEXT.map((key) => [key, String(context(key) ?? '').trim()])) as Record<(typeof ENGINE_CONTEXT)[number], string>;
  const missing = ENGINE_CONTEXT.filter((key) => given[key] === '');
  if (missing.length === ENGINE_CONTEXT.length) return undefined;
  if (missing.length > 0) {
    problems.push(`a Docker engine needs all of ${ENGINE_CONTEXT.join(', ')}; missing: ${missing.join(', ')}`);
    return undefined;
  }
  const before = problems.length;
  const endpoint = parseDockerEndpoint({ DOCKER_HOST: given.dockerHost, STEVEDORE_DOCKER_TLS_SECRET: given.dockerTlsSecret });
  if ('problem' in endpoint) problems.push(`dockerHost: ${endpoint.problem}`);
  else if (endpoint.endpoint.kind !== 'tcp') problems.push(`dockerHost: "${given.dockerHost}" must be tcp://host:port`);
  if (!VPC_ID.test(given.dockerVpcId)) problems.push(`dockerVpcId: "${given.dockerVpcId}" is not a VPC id (vpc-0123456789abcdef0)`);
  const subnetIds = given.dockerSubnetIds.split(',').map((id) => id.trim());
  const badSubnets = subnetIds.filter((id) => !SUBNET_ID.test(id));
  if (badSubnets.length > 0) problems.push(`dockerSubnetIds: ${badSubnets.map((id) => `"${id}"`).join(', ')} ${badSubnets.length === 1 ? 'is not a subnet id' : 'are not subnet ids'} (subnet-0123456789abcdef0, comma separated)`);
  if (!SECRET_NAME.test(given.dockerTlsSecret) && !SECRET_ARN.test(given.dockerTlsSecret)) {
    problems.push(`dockerTlsSecret: "${given.dockerTlsSecret}" is neither a Secrets Manager secret name nor its ARN`);
  }
  if (problems.length > before || 'problem' in endpoint || endpoint.endpoint.kind !== 'tcp') return undefined;
  return { dockerHost: given.dockerHost, port: endpoint.endpoint.port, vpcId: given.dockerVpcId, subnetIds, tlsSecret: given.dockerTlsSecret };
}

/** The timeout of a long-poll function: just above its poll bound. */
export function longPollTimeoutSeconds(settings: StevedoreSettings): number {
  return settings.pollSeconds + LONG_POLL_HEADROOM_SECONDS;
}
