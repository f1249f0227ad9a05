import { statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Architecture, Runtime, Tracing, type CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ConfigError } from '../functions/core/config/load.js';
import type { TollwayConfig } from '../functions/core/config/schema.js';
import type { FunctionName } from '../functions/core/routes.js';
import { metricNamespace } from '../functions/core/metrics.js';
import { serviceName } from '../functions/handlers/environment.js';
import { configSecretsStatement } from './secret-access.js';

const projectRoot = fileURLToPath(new URL('..', import.meta.url));

/**
 * The folders of `provider: local` knowledge bases, relative to the project:
 * they are copied into every bundle. A folder outside the project, or one
 * that is not there, is a one-line ConfigError (at synth, not at bundling).
 */
export const localKnowledgeFolders = (config: TollwayConfig): string[] =>
  config.knowledge_bases.flatMap((base) => {
    if (base.provider !== 'local') return [];
    const folder = relative(projectRoot, resolve(projectRoot, base.path));
    if (folder.startsWith('..') || isAbsolute(folder)) {
      throw new ConfigError(`knowledge_bases "${base.name}": path ${base.path} is outside the project and cannot be deployed with the functions`);
    }
    const found = statSync(join(projectRoot, folder), { throwIfNoEntry: false });
    if (!found?.isDirectory()) {
      throw new ConfigError(`knowledge_bases "${base.name}": path ${base.path} (${join(projectRoot, folder)}) ${found ? 'is not a folder' : 'does not exist'}; fix "path", relative to the project folder`);
    }
    return [folder];
  });

/** Lets bundled CommonJS dependencies (the X-Ray SDK under Powertools Tracer) call `require` from ESM. */
const requireShim = "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

/** The esbuild settings of a gateway function bundle (what `BundlingOptions` says about the code itself). */
export type GatewayBundling = Required<
  Pick<BundlingOptions, 'format' | 'target' | 'mainFields' | 'banner' | 'minify' | 'sourceMap' | 'sourcesContent' | 'metafile' | 'externalModules' | 'define'>
>;

/**
 * How every gateway function is bundled: the one definition the stack and
 * `npm run bench` (bundle sizes, import times) both build with.
 */
export const gatewayBundling = (config: TollwayConfig): GatewayBundling => ({
  format: OutputFormat.ESM,
  target: 'node22',
  mainFields: ['module', 'main'],
  banner: requireShim,
  minify: true,
  sourceMap: true,
  // Mappings are enough for stack traces; the sources would only grow the zip.
  sourcesContent: false,
  // CDK writes the metafile into the asset folder, which would ship it in every
  // function's zip; `npm run bench` builds its own for the size breakdown.
  metafile: false,
  // Bundle everything, the AWS SDK included (not the copy the Lambda runtime
  // carries): the versions the lockfile pins, and the tests ran against, are
  // the ones deployed.
  externalModules: [],
  // Lambda environment variables are capped at 4 KB in total; a config
  // with a few dozen models would not fit, so it is compiled in.
  define: { 'process.env.TOLLWAY_CONFIG_JSON': JSON.stringify(JSON.stringify(config)) },
});

export interface GatewayFunctionProps {
  /** Which handler: `functions/handlers/<name>.ts`. */
  name: FunctionName;
  /** The validated config, compiled into the bundle. */
  config: TollwayConfig;
  timeout: Duration;
  memorySize: number;
  environment: Record<string, string>;
}

/**
 * One Lambda function of the gateway: Node.js 22 on arm64, bundled as ESM with
 * the validated config compiled in, traced, with its own log group, and
 * allowed to read exactly the config's secrets its routes can reach.
 */
export class GatewayFunction extends Construct {
  public readonly lambdaFunction: NodejsFunction;
  public readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: GatewayFunctionProps) {
    super(scope, id);
    this.logGroup = new LogGroup(this, 'Logs', {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const knowledgeFolders = localKnowledgeFolders(props.config);
    this.lambdaFunction = new NodejsFunction(this, 'Function', {
      description: `Tollway ${props.name} routes`,
      entry: join(projectRoot, 'functions', 'handlers', `${props.name}.ts`),
      handler: 'handler',
      projectRoot,
      depsLockFilePath: join(projectRoot, 'package-lock.json'),
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      timeout: props.timeout,
      memorySize: props.memorySize,
      tracing: Tracing.ACTIVE,
      logGroup: this.logGroup,
      environment: {
        POWERTOOLS_SERVICE_NAME: serviceName,
        POWERTOOLS_METRICS_NAMESPACE: metricNamespace,
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      bundling: {
        ...gatewayBundling(props.config),
        forceDockerBundling: false,
        commandHooks: {
          // The admin function serves the web console at /ui: built (when stale) before, copied in beside the code after.
          beforeBundling: (inputDir) => (props.name === 'admin' ? [`node "${join(inputDir, 'scripts', 'build-console.mjs')}"`] : []),
          beforeInstall: () => [],
          // Local knowledge bases travel with the code, at the same relative path.
          afterBundling: (inputDir, outputDir) => [
            ...knowledgeFolders.map((folder) => `mkdir -p "${join(outputDir, folder, '..')}" && cp -R "${join(inputDir, folder)}" "${join(outputDir, folder)}"`),
            ...(props.name === 'admin' ? [`cp -R "${join(inputDir, 'console', 'dist')}" "${join(outputDir, 'console')}"`] : []),
          ],
        },
      },
    });
    const secrets = configSecretsStatement(props.name, props.config);
    if (secrets) this.lambdaFunction.addToRolePolicy(secrets);
    // CDK makes a function depend on its role as well as on the role's policy; cfn-lint's W3005 notes that
    // the Role reference orders the role already. The policy dependency is the one that matters.
    (this.lambdaFunction.node.defaultChild as CfnFunction).addMetadata('cfn-lint', { config: { ignore_checks: ['W3005'] } });
  }
}
