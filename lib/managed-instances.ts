import { RemovalPolicy } from 'aws-cdk-lib';
import {
  FlowLogDestination,
  GatewayVpcEndpointAwsService,
  InterfaceVpcEndpointAwsService,
  Peer,
  Port,
  SecurityGroup,
  Subnet,
  SubnetType,
  Vpc,
  type ISubnet,
  type IVpc,
} from 'aws-cdk-lib/aws-ec2';
import { Architecture, CapacityProvider, type IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { DeploymentConfig, TollwayConfig } from '../functions/core/config/schema.js';

/** Memory of a function on managed instances: one vCPU at the default (and smallest) 2 GiB per vCPU. */
export const managedInstanceMemoryMb = 2048;

export interface ManagedInstancesProps {
  deployment: DeploymentConfig;
  /** For the VPC endpoints a new VPC needs (Bedrock Agent Runtime only with Bedrock knowledge bases). */
  config: TollwayConfig;
}

/**
 * Lambda Managed Instances for the long-waiting functions: a capacity
 * provider (arm64, `max_vcpus`) in an existing VPC, or in a new one whose
 * private subnets reach DynamoDB, Bedrock, Secrets Manager, CloudWatch Logs
 * and X-Ray through VPC endpoints, so no NAT gateway is needed (nor is the
 * internet reachable: upstreams outside AWS need a VPC of your own with egress).
 */
export class ManagedInstances extends Construct {
  public readonly capacityProvider: CapacityProvider;
  /** The VPC the stack created; absent with `deployment.vpc_id`. */
  public readonly vpc?: Vpc;
  public readonly securityGroup: SecurityGroup;
  readonly #deployment: DeploymentConfig;

  constructor(scope: Construct, id: string, props: ManagedInstancesProps) {
    super(scope, id);
    const { deployment, config } = props;
    this.#deployment = deployment;
    let vpc: IVpc;
    let subnets: ISubnet[];
    if (deployment.vpc_id && deployment.subnet_ids) {
      // Imported by id, not looked up: synth stays offline and needs no account context.
      vpc = Vpc.fromVpcAttributes(this, 'Vpc', { vpcId: deployment.vpc_id, availabilityZones: deployment.subnet_ids.map((_, index) => `zone-${index}`) });
      subnets = deployment.subnet_ids.map((subnetId, index) => Subnet.fromSubnetId(this, `Subnet${index}`, subnetId));
    } else {
      this.vpc = new Vpc(this, 'Network', {
        maxAzs: 3,
        natGateways: 0,
        subnetConfiguration: [{ name: 'instances', subnetType: SubnetType.PRIVATE_ISOLATED, cidrMask: 22 }],
      });
      vpc = this.vpc;
      subnets = this.vpc.isolatedSubnets;
    }
    this.securityGroup = new SecurityGroup(this, 'Instances', {
      vpc,
      description: 'Tollway managed instances: no inbound, HTTPS out (AWS endpoints, model and MCP upstreams)',
      allowAllOutbound: false,
    });
    this.securityGroup.addEgressRule(Peer.anyIpv4(), Port.tcp(443), 'HTTPS to AWS endpoints and upstreams');
    if (this.vpc) this.#endpoints(this.vpc, config);
    this.capacityProvider = new CapacityProvider(this, 'CapacityProvider', {
      subnets,
      securityGroups: [this.securityGroup],
      architectures: [Architecture.ARM_64],
      maxVCpuCount: deployment.max_vcpus,
    });
  }

  /** Runs `lambdaFunction` on the capacity provider, `per_environment_concurrency` requests per execution environment. */
  addFunction(lambdaFunction: IFunction): void {
    this.capacityProvider.addFunction(lambdaFunction, { perExecutionEnvironmentMaxConcurrency: this.#deployment.per_environment_concurrency });
  }

  /** Flow logs, and the endpoints the functions call, reachable from the instances only. */
  #endpoints(vpc: Vpc, config: TollwayConfig): void {
    vpc.addFlowLog('FlowLog', {
      destination: FlowLogDestination.toCloudWatchLogs(new LogGroup(this, 'FlowLogs', { retention: RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY })),
    });
    vpc.addGatewayEndpoint('DynamoDB', { service: GatewayVpcEndpointAwsService.DYNAMODB });
    const endpointGroup = new SecurityGroup(this, 'Endpoints', { vpc, description: 'Tollway VPC endpoints: HTTPS from the managed instances only', allowAllOutbound: false });
    endpointGroup.addIngressRule(this.securityGroup, Port.tcp(443), 'HTTPS from the managed instances');
    const services = {
      BedrockRuntime: InterfaceVpcEndpointAwsService.BEDROCK_RUNTIME,
      SecretsManager: InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
      Logs: InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
      XRay: InterfaceVpcEndpointAwsService.XRAY,
      ...(config.knowledge_bases.some((base) => base.provider === 'bedrock') ? { BedrockAgentRuntime: InterfaceVpcEndpointAwsService.BEDROCK_AGENT_RUNTIME } : {}),
    };
    for (const [name, service] of Object.entries(services)) vpc.addInterfaceEndpoint(name, { service, privateDnsEnabled: true, open: false, securityGroups: [endpointGroup] });
  }
}
