/**
 * What a million completions cost to run, from the bench's own measurements
 * and the list prices in `prices.ts`: Lambda (on demand at the chat
 * function's configured memory, or on managed instances), API Gateway and
 * DynamoDB request units. A completion is billed for as long as its stream
 * lasts, so the model is given per stream length (1 s and 10 s).
 */
import { chatFunctionMemoryMb } from '../lib/function-memory.js';
import { prices } from './prices.js';

export interface CostInputs {
  /** Measured write and read request units per completion (DynamoDB calls scenario). */
  writeUnitsPerCompletion: number;
  readUnitsPerCompletion: number;
  /** Gateway CPU per completion, ms of one core (throughput scenario), when measured: it bounds what one instance serves. */
  cpuMsPerCompletion?: number;
  /** Gateway time besides the upstream per completion, ms (added p50): billed on demand on top of the stream. */
  addedMs: number;
}

export interface CostRow {
  streamSeconds: number;
  lambdaOnDemandUsd: number;
  /** Instance-hours at full use of one c7g.large, with the fee, plus the Lambda request charge. */
  managedInstancesUsd: number;
  /** What limits a managed instance: concurrent requests, or CPU. */
  managedInstancesBound: 'concurrency' | 'cpu';
  apiGatewayUsd: number;
  dynamodbUsd: number;
  /** Lambda on demand + API Gateway + DynamoDB. */
  totalOnDemandUsd: number;
  /** Managed instances + API Gateway + DynamoDB. */
  totalManagedUsd: number;
}

export interface CostModel {
  perCompletions: number;
  memoryMb: number;
  prices: typeof prices;
  inputs: CostInputs;
  rows: CostRow[];
  method: string;
}

const million = 1_000_000;

/** The cost of a million completions for each stream length. */
export const costModel = (inputs: CostInputs, streamSeconds: number[] = [1, 10]): CostModel => {
  const { lambda, managedInstances, apiGateway, dynamodb } = prices;
  const instanceUsdPerHour = managedInstances.instancePerHour * (1 + managedInstances.managementFee);
  const concurrentPerInstance = managedInstances.concurrentRequestsPerVcpu * managedInstances.instanceVcpus;
  const rows = streamSeconds.map((seconds): CostRow => {
    const billedSeconds = seconds + inputs.addedMs / 1000;
    const lambdaOnDemandUsd = million * (chatFunctionMemoryMb / 1024) * billedSeconds * lambda.perGbSecond + lambda.perMillionRequests;
    // Completions one instance serves per second: as many streams as it may hold at once, unless its CPU runs out first.
    const byConcurrency = concurrentPerInstance / billedSeconds;
    const byCpu = inputs.cpuMsPerCompletion ? (managedInstances.instanceVcpus * 1000) / inputs.cpuMsPerCompletion : Number.POSITIVE_INFINITY;
    const perInstanceSecond = Math.min(byConcurrency, byCpu);
    const managedInstancesUsd = (million / perInstanceSecond / 3600) * instanceUsdPerHour + lambda.perMillionRequests;
    const apiGatewayUsd = apiGateway.restPerMillionRequests;
    const dynamodbUsd = inputs.writeUnitsPerCompletion * dynamodb.perMillionWriteUnits + inputs.readUnitsPerCompletion * dynamodb.perMillionReadUnits;
    return {
      streamSeconds: seconds,
      lambdaOnDemandUsd,
      managedInstancesUsd,
      managedInstancesBound: byCpu < byConcurrency ? 'cpu' : 'concurrency',
      apiGatewayUsd,
      dynamodbUsd,
      totalOnDemandUsd: lambdaOnDemandUsd + apiGatewayUsd + dynamodbUsd,
      totalManagedUsd: managedInstancesUsd + apiGatewayUsd + dynamodbUsd,
    };
  });
  return {
    perCompletions: million,
    memoryMb: chatFunctionMemoryMb,
    prices,
    inputs,
    rows,
    method:
      `Lambda on demand: ${chatFunctionMemoryMb} MB × (stream + added p50) per completion × $${lambda.perGbSecond}/GB-s + $${lambda.perMillionRequests}/1M requests. ` +
      `Managed instances: c7g.large-class (${managedInstances.instanceVcpus} vCPU) at $${managedInstances.instancePerHour}/h + ${managedInstances.managementFee * 100} % fee, fully used, ` +
      `${concurrentPerInstance} streams at once (${managedInstances.concurrentRequestsPerVcpu} per vCPU) or its CPU at the measured CPU per completion, whichever binds, + the request charge. ` +
      `API Gateway REST $${apiGateway.restPerMillionRequests}/1M. DynamoDB on demand: measured WRU and RRU per completion × $${dynamodb.perMillionWriteUnits} / $${dynamodb.perMillionReadUnits} per 1M.`,
  };
};
