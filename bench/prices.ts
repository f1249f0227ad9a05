/**
 * AWS list prices the bench's cost model uses, in one place. us-east-1,
 * on-demand, USD. Source: the AWS pricing pages (aws.amazon.com/lambda/pricing,
 * /api-gateway/pricing, /dynamodb/pricing/on-demand, /ec2/pricing/on-demand),
 * as used in earlier Tollway estimates; recorded on 2026-12-03 and NOT
 * re-verified then (the bench machine has no internet). Check them before
 * quoting a figure.
 */
export const prices = {
  recordedOn: '2026-12-03',
  verified: false,
  source: 'AWS list prices (Lambda, API Gateway, DynamoDB, EC2 pricing pages), us-east-1, as used previously; unverified on the date recorded',
  lambda: {
    /** arm64, per GB-second of duration. */
    perGbSecond: 0.0000133334,
    /** Per request (on-demand and managed instances alike). */
    perMillionRequests: 0.2,
  },
  managedInstances: {
    /** c7g.large (2 vCPU arm64, 4 GiB), EC2 on-demand per hour. */
    instancePerHour: 0.0725,
    instanceVcpus: 2,
    /** Lambda's management fee on top of the EC2 price. */
    managementFee: 0.15,
    /** Node.js requests one execution environment serves at once, per vCPU. */
    concurrentRequestsPerVcpu: 64,
  },
  apiGateway: {
    /** REST API (response streaming included), per million requests, first tier. */
    restPerMillionRequests: 3.5,
  },
  dynamodb: {
    /** On-demand, per million write request units. */
    perMillionWriteUnits: 0.625,
    /** On-demand, per million read request units. */
    perMillionReadUnits: 0.125,
  },
} as const;
