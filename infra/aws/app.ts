// The CDK app: `npm run synth` (offline) and `npm run deploy:local` (LocalStack) run this file.
// Context: `-c shareFolders=test:rw,Public:ro` and `-c pollSeconds=20` (see settings.ts);
// `-c stackName=...` to deploy a second copy side by side; `-c dockerHost=tcp://10.0.1.5:2376
// -c dockerVpcId=vpc-... -c dockerSubnetIds=subnet-...,subnet-... -c dockerTlsSecret=name-or-arn`
// for docker containers from a remote Docker engine (README, "The Docker Engine runtime");
// `-c hostTypes=lxc [-c hostWaitMinutes=15]` for the types host workers run (README, "Host workers").
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { manifest } from '../../functions/routes.ts';
import { StevedoreStack } from './stack.ts';

const app = new App();
const stackName = String(app.node.tryGetContext('stackName') ?? 'Stevedore');

new StevedoreStack(app, stackName, {
  manifest,
  description: 'stevedore: Container Station compatible container import/export service',
  // Environment-agnostic on purpose: the account and region come from the deploying credentials
  // (or LocalStack), and nothing in the stack looks anything up at synth time.
});

// cdk-nag's AwsSolutions pack: any finding that is not acknowledged (with its reason, next to
// the resource it concerns) fails the synth. CDK's own CloudFormation schema check runs too;
// `cdk synth --no-validation` skips that one when iterating (it is about half the synth time).
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
