// The CDK app, asserted on its synthesized template: everything is derived from the route
// manifest, grants follow each entry's `access`, and cdk-nag's AwsSolutions pack is clean.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, Validations, type Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import type { CfnRole } from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifest } from '../../functions/routes.ts';
import { TTL_ATTRIBUTE } from '../../lib/aws/table.ts';
import { API_PREFIXES, type RouteDefinition } from '../../lib/http/route.ts';
import { WRITE_ACTIONS } from '../../infra/aws/access.ts';
import { bundleModules, deployedModules, ESBUILD_OPTIONS, removeBundles, REPO_ROOT } from '../../infra/aws/bundle.ts';
import { apiGatewayPath } from '../../infra/aws/http-api.ts';
import { readSettings, type StevedoreSettings } from '../../infra/aws/settings.ts';
import { LAMBDA_POLL_INTERVAL_MS, StevedoreStack } from '../../infra/aws/stack.ts';
import { WORKER_ENVIRONMENT } from '../../infra/aws/task-worker.ts';
import { hostWorkerPolicy, POLLER_TABLE_ACTIONS, STREAM_READ_ACTIONS, type PolicyDocument } from '../../infra/aws/host-worker-policy.ts';
import type { StevedoreFunction } from '../../infra/aws/function.ts';

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;
interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

// The feature flags `cdk synth` runs with, so the template under test is the deployed one.
const CDK_CONTEXT = JSON.parse(readFileSync(join(REPO_ROOT, 'infra/aws/cdk.json'), 'utf8')).context as Record<string, unknown>;

// Each app's cloud assembly goes under one directory this file removes: without an outdir, CDK
// makes a temporary directory per app and leaves it behind.
const ASSEMBLIES = mkdtempSync(join(tmpdir(), 'stevedore-synth-'));
afterAll(() => rmSync(ASSEMBLIES, { recursive: true, force: true }));

function synth(routes: readonly RouteDefinition[], settings?: StevedoreSettings, context: Record<string, unknown> = {}) {
  // Built-in CloudFormation schema validation is `cdk synth`'s job; here it would only add time.
  const outdir = mkdtempSync(join(ASSEMBLIES, 'app-'));
  const app = new App({ outdir, context: { ...CDK_CONTEXT, ...context }, builtinCloudFormationValidation: false });
  const stack = new StevedoreStack(app, 'Test', { manifest: routes, settings });
  return { app, stack, template: Template.fromStack(stack) };
}

/** Synthetic entries that reuse real modules (so nothing new is bundled) to cover long polls and mixed access. */
function fixtureManifest(): RouteDefinition[] {
  const module = manifest[0]!.module;
  return [
    ...manifest,
    { name: 'fixture-poll', method: 'GET', paths: ['/fixture/progress'], module, access: { table: 'read' }, longPoll: true },
    { name: 'fixture-read', method: 'GET', paths: ['/fixture', '/fixture/{type}/{rest+}'], module, access: { table: 'read', bucket: 'read' } },
    { name: 'fixture-none', method: 'PUT', paths: ['/fixture/nothing/'], module, access: {} },
  ];
}

function logicalId(stack: Stack, construct: IConstruct): string {
  return stack.getLogicalId(construct.node.defaultChild as CfnRole);
}

/** Every statement of every IAM policy attached to the function's role. */
function roleStatements(stack: StevedoreStack, resources: Resources, fn: StevedoreFunction): Statement[] {
  const roleId = logicalId(stack, fn.role);
  return Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy')
    .filter((r) => (r.Properties.Roles as unknown[]).some((ref) => JSON.stringify(ref) === JSON.stringify({ Ref: roleId })))
    .flatMap((r) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

/** cdk-nag's AwsSolutions pack finds nothing unacknowledged, and the synth left no error or warning. */
function expectCleanSynth(app: App, stack: Stack): void {
  const report = new AwsSolutionsChecks(app, { verbose: true }).validateScope(app);
  expect(report.violations.map((v) => `${v.severity} ${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
  expect(Annotations.fromStack(stack).findError('*', Match.anyValue())).toEqual([]);
  expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
}

// vitest ends its workers without an exit event; the bundles go when the file is done.
afterAll(removeBundles);

const actionsOf = (statements: Statement[]) => statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));

describe('the stack derived from functions/routes.ts', () => {
  let stack: StevedoreStack;
  let app: App;
  let template: Template;
  let resources: Resources;

  beforeAll(() => {
    ({ app, stack, template } = synth(manifest));
    resources = template.toJSON().Resources as Resources;
  });

  it('has one function per manifest entry, plus the 404, the worker and the sweep', () => {
    template.resourceCountIs('AWS::Lambda::Function', manifest.length + 3);
    expect([...stack.endpoints.keys()]).toEqual(manifest.map((r) => r.name));
    template.allResourcesProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      Environment: {
        Variables: Match.objectLike({
          STEVEDORE_TABLE: Match.anyValue(),
          STEVEDORE_BUCKET: Match.anyValue(),
          STEVEDORE_SHARE_FOLDERS: 'test:rw',
          STEVEDORE_POLL_SECONDS: '20',
          STEVEDORE_POLL_INTERVAL_MS: String(LAMBDA_POLL_INTERVAL_MS),
        }),
      },
    });
  });

  it('deploys the Node.js major the tests run on, and bundles for it', () => {
    const tested = JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules/node/package.json'), 'utf8')) as { version: string };
    const major = tested.version.split('.')[0];
    expect(process.versions.node.split('.')[0]).toBe(major);
    template.allResourcesProperties('AWS::Lambda::Function', { Runtime: `nodejs${major}.x` });
    expect(ESBUILD_OPTIONS.target).toBe(`node${major}`);
  });

  it('runs the worker with the Node options and malloc setting its benchmark measured', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('runs export and import tasks'),
      Environment: { Variables: Match.objectLike({ ...WORKER_ENVIRONMENT }) },
    });
  });

  it('gives the worker an mmap threshold under the size of a socket read, so freed reads go back to the system', () => {
    // Node's HTTP parser copies each read of a response body into a buffer of up to 64 KiB.
    expect(Number(WORKER_ENVIRONMENT.MALLOC_MMAP_THRESHOLD_)).toBeLessThanOrEqual(32 * 1024);
  });

  it('sends every request no route matches to the 404 function, whose role may touch nothing', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: '$default' });
    const fnId = logicalId(stack, stack.notFound.function);
    const integration = Object.values(resources).find(
      (r) => r.Type === 'AWS::ApiGatewayV2::Integration' && JSON.stringify(r.Properties.IntegrationUri).includes(fnId),
    );
    expect(integration).toBeDefined();
    const actions = roleStatements(stack, resources, stack.notFound).flatMap((st) => [st.Action].flat());
    expect(actions.filter((a) => /^(dynamodb|s3):/.test(String(a)))).toEqual([]);
  });

  it('has one route per path and API prefix, each integrated with its own entry', () => {
    const expected = manifest.reduce((n, r) => n + r.paths.length, 0) * API_PREFIXES.length;
    template.resourceCountIs('AWS::ApiGatewayV2::Route', expected + 1); // + $default

    const integrations = Object.fromEntries(
      Object.entries(resources)
        .filter(([, r]) => r.Type === 'AWS::ApiGatewayV2::Integration')
        .map(([id, r]) => [id, JSON.stringify(r.Properties.IntegrationUri)]),
    );
    const routes = Object.values(resources).filter((r) => r.Type === 'AWS::ApiGatewayV2::Route');
    for (const route of manifest) {
      const fnId = logicalId(stack, stack.endpoints.get(route.name)!.function.function);
      for (const prefix of API_PREFIXES) {
        for (const path of route.paths) {
          const key = `${route.method} ${apiGatewayPath(prefix, path, route.name)}`;
          const found = routes.find((r) => r.Properties.RouteKey === key);
          expect(found, key).toBeDefined();
          const integrationId = JSON.stringify(found!.Properties.Target).match(/"Ref":"([^"]+)"/)![1]!;
          expect(integrations[integrationId], key).toBe(JSON.stringify({ 'Fn::GetAtt': [fnId, 'Arn'] }));
        }
      }
    }
    // One invoke permission per HTTP function (scoped to this API), one for the 404, one for the schedule.
    template.resourceCountIs('AWS::Lambda::Permission', manifest.length + 2);
  });

  it('writes access logs of the API', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
    });
  });

  it('triggers the worker only on INSERTs of waiting tasks, with bounded retries and a failure queue', () => {
    const worker = stack.worker.worker.function;
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalId(stack, worker) },
      EventSourceArn: { 'Fn::GetAtt': [logicalId(stack, stack.table.table), 'StreamArn'] },
      FilterCriteria: {
        Filters: [
          {
            Pattern: JSON.stringify({
              eventName: ['INSERT'],
              dynamodb: { NewImage: { recordType: { S: ['task'] }, state: { S: ['waiting'] } } },
            }),
          },
        ],
      },
      BatchSize: 1,
      ParallelizationFactor: 10,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRetryAttempts: 3,
      MaximumRecordAgeInSeconds: 6 * 3600,
      StartingPosition: 'TRIM_HORIZON',
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [logicalId(stack, stack.worker.failures), 'Arn'] } } },
    });
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('places no container type on container hosts by default: no host types told, no type filter', () => {
    const variables = Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::Function').map((r) => (r.Properties.Environment as { Variables: Record<string, unknown> }).Variables);
    expect(variables.length).toBeGreaterThan(0);
    for (const v of variables) expect(Object.keys(v).filter((name) => name.startsWith('STEVEDORE_HOST_'))).toEqual([]);
    const mapping = Object.values(resources).find((r) => r.Type === 'AWS::Lambda::EventSourceMapping')!;
    expect(JSON.stringify(mapping.Properties.FilterCriteria)).not.toContain('anything-but');
  });

  it('sizes the worker for streaming archives, and the sweep under its schedule', () => {
    const worker = resources[logicalId(stack, stack.worker.worker.function)]!.Properties;
    expect(worker).toMatchObject({ MemorySize: 1024, Timeout: 900, EphemeralStorage: { Size: 512 } });
    const sweep = resources[logicalId(stack, stack.sweep.sweep.function)]!.Properties;
    expect(sweep.Timeout).toBeLessThan(60);
  });

  it('runs the sweep every minute', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [logicalId(stack, stack.sweep.sweep.function), 'Arn'] } })],
    });
  });

  it('keeps the share bucket private, encrypted, TLS-only and free of abandoned uploads', () => {
    const bucketId = logicalId(stack, stack.share.bucket);
    const bucket = resources[bucketId]!.Properties;
    expect(bucket.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.BucketEncryption).toEqual({ ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] });
    expect(bucket.LifecycleConfiguration).toEqual({
      Rules: [expect.objectContaining({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 }, Status: 'Enabled' })],
    });
    expect(bucket.VersioningConfiguration).toBeUndefined();
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 's3:*', Principal: { AWS: '*' }, Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('creates the single table: on demand, streamed, recoverable, with TTL and the index of tasks by their last change', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
        { AttributeName: 'changeSeq', AttributeType: 'N' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'changes',
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'changeSeq', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
    });
  });

  it('lets every function that reads the table query its index of changes (the long polls do), and nothing else on the index', () => {
    const tableId = logicalId(stack, stack.table.table);
    for (const fn of stack.allFunctions.filter((f) => f.access.table !== undefined)) {
      const onIndex = roleStatements(stack, resources, fn).filter((st) => JSON.stringify(st.Resource).includes('/index/'));
      expect(onIndex, fn.node.path).toEqual([{ Sid: 'TableIndex', Effect: 'Allow', Action: 'dynamodb:Query', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [tableId, 'Arn'] }, '/index/changes']] } }]);
    }
  });

  it('grants no wildcard actions, and "*" resources only where IAM accepts nothing else', () => {
    const statements = Object.values(resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy')
      .flatMap((r) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
    expect(statements.length).toBeGreaterThan(0);
    for (const action of actionsOf(statements)) expect(action).not.toMatch(/(^\*$)|(:\*$)/);
    template.resourcePropertiesCountIs('AWS::IAM::Role', { ManagedPolicyArns: Match.anyValue() }, 0);
    const starResources = statements.filter((s) => JSON.stringify(s.Resource) === '"*"');
    // dynamodb:ListStreams supports no resource-level permissions (the worker's event source).
    expect(actionsOf(starResources)).toEqual(['dynamodb:ListStreams']);
  });

  it('gives each function only the table and bucket actions its access allows', () => {
    const everyone = stack.allFunctions;
    expect(everyone).toHaveLength(manifest.length + 3);
    for (const fn of everyone) {
      const actions = actionsOf(roleStatements(stack, resources, fn));
      const dynamo = actions.filter((a) => a.startsWith('dynamodb:') && !['dynamodb:ListStreams', 'dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'].includes(a));
      const s3 = actions.filter((a) => a.startsWith('s3:'));
      const name = fn.node.path;
      expect(dynamo.length > 0, `${name} table access`).toBe(fn.access.table !== undefined);
      expect(s3.length > 0, `${name} bucket access`).toBe(fn.access.bucket !== undefined);
      if (fn.access.table !== 'write') expect(dynamo.filter((a) => WRITE_ACTIONS.includes(a)), name).toEqual([]);
      if (fn.access.bucket !== 'write') expect(s3.filter((a) => WRITE_ACTIONS.includes(a)), name).toEqual([]);
      if (fn.access.table === 'write') expect(dynamo, name).toEqual(expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:UpdateItem']));
      if (fn.access.bucket === 'write') expect(s3, name).toEqual(expect.arrayContaining(['s3:PutObject', 's3:AbortMultipartUpload']));
      expect(actions.filter((a) => a === 'dynamodb:Scan'), name).toEqual([]);
    }
    // Only the worker and the entries whose access says so may write objects.
    const objectWriters = everyone.filter((fn) => actionsOf(roleStatements(stack, resources, fn)).includes('s3:PutObject'));
    expect(objectWriters.map((fn) => fn.node.id).sort()).toEqual(
      [...manifest.filter((r) => r.access.bucket === 'write').map((r) => stack.endpoints.get(r.name)!.function.node.id), stack.worker.worker.node.id].sort(),
    );
  });

  it('passes cdk-nag AwsSolutions with every acknowledgment explained', () => {
    expectCleanSynth(app, stack);
    const acknowledgments = stack.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
      .flatMap((m) => Object.entries(m.data as Record<string, unknown>));
    expect(acknowledgments.length).toBeGreaterThan(0);
    for (const [rule, reason] of acknowledgments) {
      const text = typeof reason === 'string' ? reason : JSON.stringify(reason);
      expect(text.length, rule).toBeGreaterThan(40);
    }
  });

  it('deploys bundles that load and export a handler', () => {
    const bundles = bundleModules(deployedModules(manifest));
    const urls = [...bundles.values()].map((b) => pathToFileURL(b.file).href);
    // A separate Node process: the bundles are loaded as Lambda loads them, not through vitest.
    const script = `for (const u of ${JSON.stringify(urls)}) { const m = await import(u); if (typeof m.handler !== 'function') throw new Error(u); } console.log('ok');`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      env: { ...process.env, AWS_REGION: 'us-east-1' },
    });
    expect(out.trim()).toBe('ok');
  });
});

describe('deployed with a Docker engine', () => {
  const ENGINE = {
    dockerHost: 'tcp://10.0.1.5:2376',
    dockerVpcId: 'vpc-0123456789abcdef0',
    dockerSubnetIds: 'subnet-0aaaaaaaaaaaaaaa1, subnet-0bbbbbbbbbbbbbbb2',
    dockerTlsSecret: 'stevedore/docker-tls',
  };
  let app: App;
  let stack: StevedoreStack;
  let template: Template;
  let resources: Resources;
  beforeAll(() => {
    ({ app, stack, template } = synth(manifest, undefined, ENGINE));
    resources = template.toJSON().Resources as Resources;
  });
  const engineUsers = () => stack.allFunctions.filter((fn) => fn.access.engine);

  it('runs exactly the functions that reach the engine in its subnets, in a group that opens only the engine\'s port and HTTPS', () => {
    expect(engineUsers().map((fn) => fn.node.id).sort()).toEqual(
      [...manifest.filter((r) => r.access.engine).map((r) => stack.endpoints.get(r.name)!.function.node.id), stack.worker.worker.node.id].sort(),
    );
    const groupId = { 'Fn::GetAtt': [stack.getLogicalId(stack.engine!.securityGroup.node.defaultChild as CfnRole), 'GroupId'] };
    for (const fn of stack.allFunctions) {
      const props = resources[logicalId(stack, fn.function)]!.Properties;
      if (fn.access.engine) expect(props.VpcConfig, fn.node.path).toEqual({ SubnetIds: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0bbbbbbbbbbbbbbb2'], SecurityGroupIds: [groupId] });
      else expect(props.VpcConfig, fn.node.path).toBeUndefined();
    }
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      VpcId: 'vpc-0123456789abcdef0',
      SecurityGroupEgress: [
        { CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 2376, ToPort: 2376, Description: Match.anyValue() },
        { CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 443, ToPort: 443, Description: Match.anyValue() },
      ],
    });
    template.hasOutput('EngineClientSecurityGroupId', { Value: groupId });
  });

  it('tells every function the engine\'s address and the secret its TLS material is in, never the material itself', () => {
    template.allResourcesProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ STEVEDORE_DOCKER_RUNTIME: 'engine', DOCKER_HOST: 'tcp://10.0.1.5:2376', STEVEDORE_DOCKER_TLS_SECRET: 'stevedore/docker-tls' }) },
    });
    const variables = JSON.stringify(Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::Function').map((r) => r.Properties.Environment));
    expect(variables).not.toMatch(/DOCKER_CERT_PATH|DOCKER_TLS_VERIFY|BEGIN/);
  });

  it('lets only the functions that reach the engine read its secret and attach to the VPC', () => {
    for (const fn of stack.allFunctions) {
      const statements = roleStatements(stack, resources, fn);
      const actions = actionsOf(statements);
      expect(actions.includes('secretsmanager:GetSecretValue'), fn.node.path).toBe(fn.access.engine === true);
      expect(actions.includes('ec2:CreateNetworkInterface'), fn.node.path).toBe(fn.access.engine === true);
      const secretStatement = statements.find((st) => actionsOf([st]).includes('secretsmanager:GetSecretValue'));
      if (secretStatement) expect(JSON.stringify(secretStatement.Resource)).toContain(':secret:stevedore/docker-tls-??????');
    }
  });

  it('passes cdk-nag AwsSolutions', () => expectCleanSynth(app, stack));

  it('refuses an engine placement that is partial, not TLS over TCP, or names things that cannot be ids', () => {
    const read = (context: Record<string, string>) => () => readSettings((key) => context[key]);
    expect(read({ dockerHost: ENGINE.dockerHost })).toThrow('a Docker engine needs all of dockerHost, dockerVpcId, dockerSubnetIds, dockerTlsSecret; missing: dockerVpcId, dockerSubnetIds, dockerTlsSecret');
    expect(read({ ...ENGINE, dockerHost: 'unix:///var/run/docker.sock' })).toThrow('dockerHost: STEVEDORE_DOCKER_TLS_SECRET is set, but DOCKER_HOST "unix:///var/run/docker.sock" is not a tcp://host:port');
    expect(read({ ...ENGINE, dockerHost: 'tcp://engine.internal' })).toThrow('dockerHost: DOCKER_HOST: "tcp://engine.internal" is not unix:///path/to/docker.sock or tcp://host:port');
    expect(read({ ...ENGINE, dockerVpcId: 'my-vpc' })).toThrow('dockerVpcId: "my-vpc" is not a VPC id');
    expect(read({ ...ENGINE, dockerSubnetIds: 'subnet-0aaaaaaaaaaaaaaa1,private-a' })).toThrow('dockerSubnetIds: "private-a" is not a subnet id');
    expect(read({ ...ENGINE, dockerTlsSecret: 'my secret' })).toThrow('dockerTlsSecret: "my secret" is neither a Secrets Manager secret name nor its ARN');
    expect(readSettings((key) => ({ ...ENGINE, dockerTlsSecret: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:stevedore/docker-tls-AbCdEf' })[key])?.engine).toMatchObject({ port: 2376 });
  });
});

describe('deployed with types placed on container hosts', () => {
  let app: App;
  let stack: StevedoreStack;
  let template: Template;
  let resources: Resources;
  beforeAll(() => {
    ({ app, stack, template } = synth(manifest, undefined, { hostTypes: 'lxc', hostWaitMinutes: '30' }));
    resources = template.toJSON().Resources as Resources;
  });

  it('never triggers the Lambda worker for a task of a host type', () => {
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalId(stack, stack.worker.worker.function) },
      FilterCriteria: {
        Filters: [
          {
            Pattern: JSON.stringify({
              eventName: ['INSERT'],
              dynamodb: { NewImage: { recordType: { S: ['task'] }, state: { S: ['waiting'] }, type: { S: [{ 'anything-but': ['lxc'] }] } } },
            }),
          },
        ],
      },
    });
  });

  it('tells every function the host types and their wait, so the worker leaves them and the sweep bounds them', () => {
    template.allResourcesProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ STEVEDORE_HOST_TYPES: 'lxc', STEVEDORE_HOST_WAIT_MINUTES: '30', STEVEDORE_LXC_RUNTIME: 'host' }) },
    });
  });

  it('passes cdk-nag AwsSolutions', () => expectCleanSynth(app, stack));

  it("gives a host worker, in the README's policy, the Lambda worker's table and bucket actions and the stream reads its poller makes", () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const documents = [...readme.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1]!) as PolicyDocument);
    const documented = documents.find((d) => d.Statement?.some((st) => st.Sid === 'ReadStream'));
    const policy = hostWorkerPolicy('arn:aws:dynamodb:<region>:<account>:table/<table>', 'arn:aws:s3:::<bucket>');
    expect(documented).toEqual(policy);
    const lambdaWorker = actionsOf(roleStatements(stack, resources, stack.worker.worker)).filter((a) => /^(dynamodb|s3):/.test(a));
    const eventSourceOnly = ['dynamodb:ListStreams', ...STREAM_READ_ACTIONS];
    const hostWorker = policy.Statement.flatMap((st) => st.Action);
    expect(hostWorker.filter((a) => !eventSourceOnly.includes(a) && !POLLER_TABLE_ACTIONS.includes(a as never)).sort()).toEqual(lambdaWorker.filter((a) => !eventSourceOnly.includes(a)).sort());
    expect(hostWorker.filter((a) => /(^\*$)|(:\*$)/.test(a))).toEqual([]);
  });

  it('reads hostTypes and hostWaitMinutes from context, and refuses a type this build does not have, a wait past the stream\'s 24 hours, and a wait without types', () => {
    const read = (context: Record<string, string>) => readSettings((key) => context[key]);
    expect(read({ hostTypes: 'lxc, docker', hostWaitMinutes: '60' })).toMatchObject({ hostTypes: ['lxc', 'docker'], hostWaitMinutes: 60 });
    expect(read({})).not.toHaveProperty('hostTypes');
    expect(() => read({ hostTypes: 'lxc,vm' })).toThrow('hostTypes: "vm" is not a container type this build has (docker, lxc)');
    const engine = { dockerHost: 'tcp://10.0.1.5:2376', dockerVpcId: 'vpc-0123456789abcdef0', dockerSubnetIds: 'subnet-0aaaaaaaaaaaaaaa1', dockerTlsSecret: 'stevedore/docker-tls' };
    expect(() => read({ ...engine, hostTypes: 'docker' })).toThrow('hostTypes: docker containers are either on a host (hostTypes=docker) or on the engine the functions reach (dockerHost), not both');
    expect(() => read({ hostTypes: 'lxc', hostWaitMinutes: '1441' })).toThrow('hostWaitMinutes: "1441" must be a whole number from 1 to 1440');
    expect(() => read({ hostWaitMinutes: '30' })).toThrow("hostWaitMinutes: it bounds the wait of the host types' tasks, and hostTypes names none");
  });
});

describe('settings and long polls', () => {
  it('reads shareFolders and pollSeconds from context, with defaults', () => {
    expect(readSettings(() => undefined)).toEqual({ shareFolders: 'test:rw', pollSeconds: 20 });
    expect(readSettings((k) => ({ shareFolders: 'test:rw,Public:ro:100G', pollSeconds: '12' })[k])).toEqual({
      shareFolders: 'test:rw,Public:ro:100G',
      pollSeconds: 12,
    });
  });

  it('refuses a poll bound that would not answer within the API Gateway limit, and bad share folders', () => {
    for (const pollSeconds of [27, 28, 0, 2.5, 'soon']) {
      expect(() => readSettings((k) => (k === 'pollSeconds' ? pollSeconds : undefined)), String(pollSeconds)).toThrow(/pollSeconds/);
    }
    expect(() => readSettings((k) => (k === 'shareFolders' ? 'a:rw,a:ro' : undefined))).toThrow(/listed twice/);
    expect(() => readSettings((k) => (k === 'shareFolders' ? '../x' : undefined))).toThrow(/not a valid share folder name/);
  });

  it('times long polls out just above their bound, from context', () => {
    const { stack, template } = synth(fixtureManifest(), undefined, { pollSeconds: 26, shareFolders: 'test:rw,Public:ro' });
    const resources = template.toJSON().Resources as Resources;
    for (const [name, { route, function: fn }] of stack.endpoints) {
      const props = resources[logicalId(stack, fn.function)]!.Properties;
      expect(props.Timeout, name).toBe(route.longPoll ? 29 : 15);
      expect((props.Environment as { Variables: Record<string, unknown> }).Variables).toMatchObject({
        STEVEDORE_POLL_SECONDS: '26',
        STEVEDORE_SHARE_FOLDERS: 'test:rw,Public:ro',
      });
    }
    expect([...stack.endpoints.values()].some((e) => e.route.longPoll)).toBe(true);
    // The fixture's read-only entries hold no write actions either.
    for (const name of ['fixture-poll', 'fixture-read', 'fixture-none']) {
      const actions = actionsOf(roleStatements(stack, resources, stack.endpoints.get(name)!.function));
      expect(actions.filter((a) => WRITE_ACTIONS.includes(a)), name).toEqual([]);
    }
    const none = actionsOf(roleStatements(stack, resources, stack.endpoints.get('fixture-none')!.function));
    expect(none.sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
    // Routes: the greedy path, and a trailing slash dropped (API Gateway rejects it; `/x` answers `/x/`).
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'GET /container-station/api/v1/fixture/{type}/{rest+}' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'PUT /api/v1/fixture/nothing' });
  });
});

describe('manifest checks at synth time', () => {
  const base = manifest[0]!;
  const withEntry = (entry: Partial<RouteDefinition>) => [...manifest, { ...base, name: 'extra', ...entry } as RouteDefinition];

  it('rejects a greedy parameter that is not last, and odd segments', () => {
    expect(() => apiGatewayPath('/api/v1', '/a/{rest+}/b', 'x')).toThrow(/must be the last segment/);
    expect(() => apiGatewayPath('/api/v1', '/a/b c', 'x')).toThrow(/neither a literal/);
    expect(() => apiGatewayPath('/api/v1', 'a', 'x')).toThrow(/must start with/);
    expect(apiGatewayPath('/api/v1', '/', 'x')).toBe('/api/v1');
    expect(apiGatewayPath('/api/v1', '/export/', 'x')).toBe('/api/v1/export');
  });

  it('rejects two entries answering the same method and path', () => {
    expect(() => synth(withEntry({ method: base.method, paths: [base.paths[0]!] }))).toThrow(/declared by both/);
  });

  it('rejects a module that does not exist, and one without a handler export', () => {
    expect(() => synth(withEntry({ module: 'nowhere/at-all', paths: ['/nowhere'] }))).toThrow(/has no file functions\/nowhere\/at-all\.ts/);
    expect(() => bundleModules(['routes'])).toThrow(/must export `handler`/);
  });

  it('rejects names that are not stable identifiers', () => {
    expect(() => synth(withEntry({ name: 'Not_A-Name', paths: ['/n'] }))).toThrow(/lowercase/);
    expect(() => synth(withEntry({ name: 'task-worker', paths: ['/n'] }))).toThrow(/reserved/);
  });
});
