// One stevedore Lambda function: the bundled module, its own role holding only what its
// `access` grants plus writing to its own log group, and the shared configuration.
import { Duration, RemovalPolicy, Size, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { CfnBucket, IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { RouteAccess } from '../../lib/http/route.ts';
import { grantAccess } from './access.ts';
import { HANDLER, type BundledModule } from './bundle.ts';
import type { EngineAccess } from './engine-access.ts';

/** What the stack hands each function that is not an HTTP endpoint (the worker, the sweep). */
export interface BackgroundFunctionProps {
  bundle: BundledModule;
  table: ITable;
  bucket: IBucket;
  environment: Record<string, string>;
  engine?: EngineAccess;
}

// The major the tests run on (the npm package `node` in devDependencies): what is tested is what runs.
export const RUNTIME = lambda.Runtime.NODEJS_24_X;
export const ARCHITECTURE = lambda.Architecture.ARM_64;

export interface StevedoreFunctionProps {
  /** The manifest entry's name (or `worker-tasks`, `worker-sweep`). */
  name: string;
  description: string;
  bundle: BundledModule;
  access: RouteAccess;
  table: ITable;
  bucket: IBucket;
  environment: Record<string, string>;
  timeout: Duration;
  memorySize: number;
  ephemeralStorageSize?: Size;
  /** Where the Docker engine is, when the stack has one: a function whose access says `engine` runs beside it. */
  engine?: EngineAccess;
}

export class StevedoreFunction extends Construct {
  readonly function: lambda.Function;
  readonly role: iam.Role;
  readonly access: RouteAccess;

  constructor(scope: Construct, id: string, props: StevedoreFunctionProps) {
    super(scope, id);
    this.access = props.access;

    // An explicit role instead of the default one: the default attaches the managed
    // AWSLambdaBasicExecutionRole, which may write to every log group of the account.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `stevedore ${props.name}`,
    });
    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    logGroup.grantWrite(this.role);
    grantAccess(this.role, props.access, props.table, props.bucket);
    const engine = props.access.engine ? props.engine : undefined;
    engine?.grant(this.role);

    this.function = new lambda.Function(this, 'Function', {
      description: props.description,
      runtime: RUNTIME,
      architecture: ARCHITECTURE,
      code: lambda.Code.fromAsset(props.bundle.dir),
      handler: HANDLER,
      role: this.role,
      logGroup,
      timeout: props.timeout,
      memorySize: props.memorySize,
      ephemeralStorageSize: props.ephemeralStorageSize,
      environment: props.environment,
      ...engine?.placement,
    });

    acknowledgeGrants(this, props);
  }
}

/** The one wildcard cdk-nag finds in a function's grants: object-level S3 actions need `<bucket>/*`. */
function acknowledgeGrants(scope: StevedoreFunction, props: StevedoreFunctionProps): void {
  if (!props.access.bucket) return;
  const bucketLogicalId = Stack.of(scope).getLogicalId(props.bucket.node.defaultChild as CfnBucket);
  Validations.of(scope.role).acknowledge({
    id: `AwsSolutions-IAM5[Resource::<${bucketLogicalId}.Arn>/*]`,
    reason:
      'Object actions (GetObject, and PutObject/DeleteObject/AbortMultipartUpload for writers) apply to objects, so the resource ' +
      'is the share bucket\'s object ARN pattern. It is this one bucket only; which keys a request may touch is decided by the ' +
      'share-folder path rules in lib/share, since share folders are configuration, not infrastructure.',
  });
}
