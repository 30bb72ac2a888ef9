// Where the functions that reach a Docker engine run when the stack is deployed with one: in the
// engine's VPC (the private subnets the context names), in a security group that may open only
// the engine's port and HTTPS (DynamoDB, S3 and Secrets Manager), able to read the engine's TLS
// secret. Only functions whose access says `engine` get any of it.
import { Annotations, Fn, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { EnginePlacement } from './settings.ts';

/** What Lambda needs to attach a function to the VPC: its network interfaces. */
export const NETWORK_INTERFACE_ACTIONS = [
  'ec2:CreateNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses',
  'ec2:UnassignPrivateIpAddresses',
] as const;

export class EngineAccess extends Construct {
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.ISubnet[];
  readonly securityGroup: ec2.SecurityGroup;
  readonly secret: secretsmanager.ISecret;
  /** The variables that choose the engine runtime and say where the engine is (lib/config.ts). */
  readonly environment: Record<string, string>;

  constructor(scope: Construct, id: string, placement: EnginePlacement) {
    super(scope, id);
    // Nothing is looked up at synth time. The subnets are named one by one, so the VPC's zones
    // are never consulted; the region's list (a deploy-time value) only satisfies the signature.
    // Both warnings CDK gives about it concern what the stack never asks of it (subnets by type, route tables).
    Annotations.of(this).acknowledgeWarning('@aws-cdk/aws-ec2:vpcAttributeIsListTokenavailabilityZones', 'the functions name their subnets');
    Annotations.of(this).acknowledgeWarning('@aws-cdk/aws-ec2:noSubnetRouteTableId', 'no route is added to the engine\'s subnets');
    this.vpc = ec2.Vpc.fromVpcAttributes(this, 'Vpc', { vpcId: placement.vpcId, availabilityZones: Fn.getAzs() });
    this.subnets = placement.subnetIds.map((subnetId, i) => ec2.Subnet.fromSubnetId(this, `Subnet${i}`, subnetId));
    this.securityGroup = new ec2.SecurityGroup(this, 'Clients', {
      vpc: this.vpc,
      // CloudFormation takes only some punctuation here (no apostrophe).
      description: 'stevedore functions that reach the Docker engine - allow this group in the engine security group',
      allowAllOutbound: false,
    });
    this.securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(placement.port), 'the Docker engine (TLS)');
    this.securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'DynamoDB, S3 and Secrets Manager over HTTPS');
    this.secret = placement.tlsSecret.startsWith('arn:')
      ? secretsmanager.Secret.fromSecretCompleteArn(this, 'TlsSecret', placement.tlsSecret)
      : secretsmanager.Secret.fromSecretNameV2(this, 'TlsSecret', placement.tlsSecret);
    this.environment = { STEVEDORE_DOCKER_RUNTIME: 'engine', DOCKER_HOST: placement.dockerHost, STEVEDORE_DOCKER_TLS_SECRET: placement.tlsSecret };
  }

  /** The function properties that place a function in the engine's subnets. */
  get placement(): Pick<lambda.FunctionProps, 'vpc' | 'vpcSubnets' | 'securityGroups'> {
    return { vpc: this.vpc, vpcSubnets: { subnets: this.subnets }, securityGroups: [this.securityGroup] };
  }

  /** Lets a function's own role attach it to the VPC and read the TLS secret. */
  grant(role: iam.Role): void {
    this.secret.grantRead(role);
    // A role of our own gets no AWSLambdaVPCAccessExecutionRole from CDK (nor should it: no managed policies).
    role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'NetworkInterfaces', actions: [...NETWORK_INTERFACE_ACTIONS], resources: ['*'] }));
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Lambda creates, describes and deletes the network interfaces of a function in a VPC with its role; ec2:DescribeNetworkInterfaces ' +
        'supports no resource-level permissions, and the others act on interfaces that do not exist before Lambda makes them. These are ' +
        'the actions of AWSLambdaVPCAccessExecutionRole, held inline, only by the functions that reach the Docker engine.',
    });
  }
}
