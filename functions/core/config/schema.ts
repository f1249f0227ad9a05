import * as z from 'zod';

/** Provider names a model entry may use. */
export const providerNames = ['bedrock', 'openai-compatible', 'openai', 'azure-openai', 'anthropic', 'echo'] as const;
export type ProviderName = (typeof providerNames)[number];

const name = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'use letters, digits, ".", "_", ":" or "-", starting with a letter or digit');

/** A name that also appears inside tool names and URL paths, so it stays plain. */
const plainName = z
  .string()
  .min(1)
  .max(32)
  .regex(/^[A-Za-z0-9][A-Za-z0-9-]*$/, 'use letters, digits and "-", starting with a letter or digit');

const perMillionTokens = z.number().nonnegative().finite();

export const priceSchema = z.strictObject({
  input_per_mtok: perMillionTokens,
  output_per_mtok: perMillionTokens,
  cache_read_per_mtok: perMillionTokens.optional(),
  cache_write_per_mtok: perMillionTokens.optional(),
});

export const modelSchema = z.strictObject({
  /** What clients send as `model`. Several entries with one name are deployments of one model. */
  name,
  provider: z.enum(providerNames),
  /** The upstream model id (Bedrock model or inference profile id, OpenAI model name...). */
  model: z.string().min(1).max(256).optional(),
  /** Base URL: an OpenAI-compatible API up to and including `/v1`; the resource endpoint for Azure; Anthropic's API (optional). */
  base_url: z.url({ protocol: /^https?$/ }).optional(),
  /** `env:NAME` or `secret:NAME` (or a literal, discouraged). */
  api_key: z.string().min(1).optional(),
  /** Extra headers sent upstream; values may contain `env:NAME` / `secret:NAME`. */
  headers: z.record(z.string(), z.string()).optional(),
  /** AWS region for Bedrock, when not the function's own. */
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region such as us-east-1').optional(),
  /** Azure OpenAI api-version. */
  api_version: z.string().optional(),
  mode: z.enum(['chat', 'embedding']).default('chat'),
  price: priceSchema.optional(),
  /** Output cap used when a request gives no max_tokens (also the worst case for budget reservations). */
  max_output_tokens: z.number().int().positive().optional(),
  weight: z.number().positive().default(1),
  /** Time allowed for a whole non-streamed call, or until the first streamed part. */
  timeout_ms: z.number().int().positive().optional(),
  /** Longest silence allowed between streamed parts once streaming. */
  stream_idle_timeout_ms: z.number().int().positive().optional(),
  /** Models tried in order when every deployment of this one failed. */
  fallbacks: z.array(name).optional(),
  /** Models tried when the upstream says the prompt is too long for this one. */
  context_window_fallbacks: z.array(name).optional(),
  /** Knowledge bases searched on every request to this model. */
  knowledge_bases: z.array(plainName).optional(),
  /** Bedrock: `auto` puts a cache point after the system prompt and after the tool definitions of every request. */
  prompt_caching: z.enum(['auto', 'off']).default('off'),
  /** Bedrock: a guardrail applied to every request (Converse `guardrailConfig`). */
  guardrail: z
    .strictObject({
      id: z.string().min(1).max(2048),
      version: z.string().regex(/^(DRAFT|[1-9][0-9]{0,7})$/, 'DRAFT or a version number'),
      trace: z.enum(['enabled', 'disabled', 'enabled_full']).optional(),
    })
    .optional(),
  /** Bedrock: the processing tier (Converse `serviceTier`). */
  service_tier: z.enum(['default', 'priority', 'flex', 'reserved']).optional(),
  /** Bedrock: latency-optimised inference where the model offers it (Converse `performanceConfig`). */
  performance_config: z.strictObject({ latency: z.enum(['standard', 'optimized']) }).optional(),
});

export const mcpServerSchema = z.strictObject({
  name: plainName,
  url: z.url({ protocol: /^https?$/ }),
  headers: z.record(z.string(), z.string()).optional(),
  timeout_ms: z.number().int().positive().default(30_000),
  /** USD per call of a named tool, held before the call and charged to budgets like tokens. */
  tool_prices: z.record(z.string().min(1), z.number().nonnegative()).optional(),
  /** USD per call of this server's tools not named in `tool_prices`. */
  default_tool_price: z.number().nonnegative().optional(),
});

export const knowledgeBaseSchema = z.discriminatedUnion('provider', [
  z.strictObject({
    name: plainName,
    provider: z.literal('bedrock'),
    /** The existing knowledge base; leave out when `provision` creates one. */
    knowledge_base_id: z.string().regex(/^[0-9A-Za-z]{10}$/, 'a 10-character Bedrock knowledge base id').optional(),
    /** Let the stack create the knowledge base (S3 bucket, S3 Vectors index, Bedrock knowledge base and data source). */
    provision: z
      .union([
        z.literal(true),
        z.strictObject({
          embedding_model: z.string().min(1).optional(),
          dimensions: z.number().int().positive().max(4096).optional(),
          inclusion_prefixes: z.array(z.string()).max(10).optional(),
          chunking: z.strictObject({ max_tokens: z.number().int().min(20).max(8192), overlap_percentage: z.number().int().min(1).max(99) }).optional(),
        }),
      ])
      .optional(),
    region: z.string().optional(),
    /** A Bedrock reranking model (id or ARN) applied to the results. */
    reranking_model: z.string().min(1).optional(),
    reranking_results: z.number().int().min(1).max(100).optional(),
    search_type: z.enum(['hybrid', 'semantic']).optional(),
    description: z.string().optional(),
  }),
  z.strictObject({
    name: plainName,
    provider: z.literal('local'),
    path: z.string().min(1),
    description: z.string().optional(),
  }),
]);

export const routerSettingsSchema = z.strictObject({
  /** Further attempts after the first, across a model's deployments. */
  num_retries: z.number().int().min(0).max(10).default(2),
  /** First backoff delay; doubles each retry, with full jitter. */
  retry_base_ms: z.number().int().nonnegative().default(200),
  retry_max_ms: z.number().int().positive().default(8_000),
  /** Longest Retry-After honoured by waiting; longer ones move on to another deployment or fallback. */
  max_retry_after_ms: z.number().int().nonnegative().default(10_000),
  /** Failures within a minute after which a deployment is cooled down. */
  allowed_fails: z.number().int().positive().default(3),
  cooldown_seconds: z.number().int().positive().default(30),
  default_timeout_ms: z.number().int().positive().default(600_000),
  default_stream_idle_timeout_ms: z.number().int().positive().default(120_000),
});

export const settingsSchema = z.strictObject({
  router: routerSettingsSchema.default(routerSettingsSchema.parse({})),
  /** How long a key record is trusted from memory before it is read again. */
  key_cache_ttl_seconds: z.number().int().nonnegative().max(300).default(10),
  /** Largest request body accepted, in bytes. */
  // Lambda caps a whole invocation payload (body, headers, event envelope) at 6 MB.
  max_body_bytes: z.number().int().positive().max(5_900_000).default(5_500_000),
  /** Default output cap when neither the request nor the model entry gives one. */
  default_max_output_tokens: z.number().int().positive().default(4096),
  /** Origins allowed by CORS; none by default. */
  cors_origins: z.array(z.string()).default([]),
  /** Rounds of automatic MCP tool execution in one chat completion, the last one without tools. */
  mcp_max_tool_rounds: z.number().int().min(1).max(50).default(10),
  /** Prompts and completions are never logged unless this is true. */
  log_prompts: z.boolean().default(false),
  /** Where alarm notifications go (an SNS email subscription); none when absent. */
  alarm_email: z.email().optional(),
  /** Days usage records are kept (DynamoDB TTL). */
  usage_retention_days: z.number().int().positive().default(90),
  /** Days stored responses (`/v1/responses` with `store`) are kept (DynamoDB TTL). */
  response_retention_days: z.number().int().positive().default(30),
  /**
   * How long a budget hold lives unsettled before any later write may reclaim
   * it (a crashed or killed instance): just over Lambda's 900 s maximum.
   */
  hold_ttl_seconds: z.number().int().min(1).max(86_400).default(960),
  /** Longest one DynamoDB call may take, retries included; past it the request fails closed with 503. */
  dynamodb_timeout_ms: z.number().int().min(100).max(30_000).default(2_000),
  /**
   * Budget leases: an instance that serves many requests at once holds a
   * slice of each budget and rate window and admits requests from it in
   * memory (no DynamoDB call before the upstream), settling in batches. Never
   * on on-demand Lambda (`deployment.compute: lambda`), where an environment
   * serves one request at a time and is frozen between them.
   */
  budget_leases: z
    .strictObject({
      enabled: z.boolean().default(false),
      /** A lease nothing was admitted from for this long goes back to its budget. */
      idle_return_ms: z.number().int().min(10).max(60_000).default(250),
    })
    .default({ enabled: false, idle_return_ms: 250 }),
});

/** How the chat and mcp functions run: on-demand Lambda, or Lambda Managed Instances (many requests per execution environment). */
export const deploymentSchema = z
  .strictObject({
    /** `lambda`: on-demand, one request per execution environment; `managed-instances`: a capacity provider (EC2 in your account, arm64). */
    compute: z.enum(['lambda', 'managed-instances']).default('lambda'),
    /** Managed instances: the most vCPUs the capacity provider scales to (the service's default is 400). */
    max_vcpus: z.number().int().min(12).max(15_000).optional(),
    /** Managed instances: requests one execution environment serves at once (Node.js takes up to 64 per vCPU). */
    per_environment_concurrency: z.number().int().min(1).max(1600).default(64),
    /** Managed instances: an existing VPC for the instances; a new one with VPC endpoints (and no NAT) when absent. */
    vpc_id: z.string().regex(/^vpc-[0-9a-f]{8,17}$/, 'a VPC id such as vpc-0123456789abcdef0').optional(),
    /** With `vpc_id`: the private subnets to launch instances in (one per Availability Zone). */
    subnet_ids: z.array(z.string().regex(/^subnet-[0-9a-f]{8,17}$/, 'a subnet id such as subnet-0123456789abcdef0')).min(1).max(16).optional(),
  })
  .superRefine((deployment, context) => {
    if (deployment.vpc_id && !deployment.subnet_ids) context.addIssue({ code: 'custom', message: '"vpc_id" needs "subnet_ids"', path: ['subnet_ids'] });
    if (deployment.subnet_ids && !deployment.vpc_id) context.addIssue({ code: 'custom', message: '"subnet_ids" needs "vpc_id"', path: ['vpc_id'] });
  });

const uniqueNames = <T extends { name: string }>(items: T[], context: z.RefinementCtx, field: string) => {
  const seen = new Set<string>();
  items.forEach((item, index) => {
    if (seen.has(item.name)) {
      context.addIssue({ code: 'custom', message: `duplicate name "${item.name}"`, path: [field, index, 'name'] });
    }
    seen.add(item.name);
  });
};

export const configSchema = z
  .strictObject({
    models: z.array(modelSchema).min(1),
    mcp_servers: z.array(mcpServerSchema).default([]),
    knowledge_bases: z.array(knowledgeBaseSchema).default([]),
    settings: settingsSchema.default(settingsSchema.parse({})),
    deployment: deploymentSchema.default(deploymentSchema.parse({})),
  })
  .superRefine((config, context) => {
    uniqueNames(config.mcp_servers, context, 'mcp_servers');
    uniqueNames(config.knowledge_bases, context, 'knowledge_bases');
    config.knowledge_bases.forEach((base, index) => {
      if (base.provider === 'bedrock' && !base.knowledge_base_id && !base.provision) {
        context.addIssue({ code: 'custom', message: 'give "knowledge_base_id", or "provision" to have the stack create one', path: ['knowledge_bases', index, 'knowledge_base_id'] });
      }
      if (base.provider === 'bedrock' && base.knowledge_base_id && base.provision) {
        context.addIssue({ code: 'custom', message: '"provision" creates a new knowledge base; leave out "knowledge_base_id"', path: ['knowledge_bases', index, 'provision'] });
      }
    });
    const modelNames = new Set(config.models.map((model) => model.name));
    const knowledgeBaseNames = new Set(config.knowledge_bases.map((base) => base.name));
    config.models.forEach((model, index) => {
      if (model.provider !== 'echo' && !model.model) {
        context.addIssue({ code: 'custom', message: `provider ${model.provider} needs "model"`, path: ['models', index, 'model'] });
      }
      if ((model.provider === 'openai-compatible' || model.provider === 'azure-openai') && !model.base_url) {
        context.addIssue({ code: 'custom', message: `provider ${model.provider} needs "base_url"`, path: ['models', index, 'base_url'] });
      }
      if (model.provider === 'anthropic' && model.mode === 'embedding') {
        context.addIssue({ code: 'custom', message: 'provider anthropic offers no embeddings', path: ['models', index, 'mode'] });
      }
      for (const field of ['fallbacks', 'context_window_fallbacks'] as const) {
        model[field]?.forEach((fallback, fallbackIndex) => {
          if (!modelNames.has(fallback)) {
            context.addIssue({ code: 'custom', message: `unknown model "${fallback}"`, path: ['models', index, field, fallbackIndex] });
          }
        });
      }
      model.knowledge_bases?.forEach((base, baseIndex) => {
        if (!knowledgeBaseNames.has(base)) {
          context.addIssue({ code: 'custom', message: `unknown knowledge base "${base}"`, path: ['models', index, 'knowledge_bases', baseIndex] });
        }
      });
    });
  });

export type TollwayConfig = z.infer<typeof configSchema>;
export type ModelConfig = z.infer<typeof modelSchema>;
export type McpServerConfig = z.infer<typeof mcpServerSchema>;
export type KnowledgeBaseConfig = z.infer<typeof knowledgeBaseSchema>;
export type Price = z.infer<typeof priceSchema>;
export type RouterSettings = z.infer<typeof routerSettingsSchema>;
export type DeploymentConfig = z.infer<typeof deploymentSchema>;
