import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../functions/core/config/schema.js';
import { metricDefinitions, metricNamespace } from '../../functions/core/metrics.js';
import { coldStartMetric } from '../../lib/observability/tollway-metrics.js';
import { TollwayStack } from '../../lib/tollway-stack.js';

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
const definedNames = Object.keys(metricDefinitions).sort();

/** CloudFormation intrinsics as text: strings joined, references as placeholders. */
const render = (value: unknown): string => {
  if (typeof value === 'string') return value;
  const record = value as Record<string, unknown>;
  if ('Ref' in record) return `\${${String(record.Ref)}}`;
  if ('Fn::GetAtt' in record) return `\${${(record['Fn::GetAtt'] as string[]).join('.')}}`;
  if ('Fn::Join' in record) {
    const [separator, parts] = record['Fn::Join'] as [string, unknown[]];
    return parts.map(render).join(separator);
  }
  throw new Error(`cannot render ${JSON.stringify(value)}`);
};

/** Tollway metric names in a dashboard body: SEARCH expressions and fixed `["Tollway", name, ...]` lines. */
const dashboardReferences = (body: string): string[] => {
  const names: string[] = [];
  const searchPattern = /SEARCH\('\{([^},]+)[^}]*\}[^']*MetricName=\\?"(\w+)\\?"/g;
  for (const [, namespace, name] of body.matchAll(searchPattern)) if (namespace === metricNamespace) names.push(name);
  const widgets = (JSON.parse(body) as { widgets: { properties: { metrics?: unknown[][] } }[] }).widgets;
  for (const line of widgets.flatMap((widget) => widget.properties.metrics ?? [])) {
    if (line[0] === metricNamespace && typeof line[1] === 'string') names.push(line[1]);
  }
  return names;
};

interface AlarmProperties {
  Namespace?: string;
  MetricName?: string;
  Metrics?: { Expression?: string; MetricStat?: { Metric: { Namespace: string; MetricName: string } } }[];
}

/** Tollway metric names an alarm watches, directly or inside its metric math. */
const alarmReferences = (alarm: AlarmProperties): string[] => {
  const names: string[] = [];
  if (alarm.Namespace === metricNamespace && alarm.MetricName) names.push(alarm.MetricName);
  for (const query of alarm.Metrics ?? []) {
    if (query.MetricStat?.Metric.Namespace === metricNamespace) names.push(query.MetricStat.Metric.MetricName);
    // Alarms cannot use SEARCH today; should one ever appear, its metric counts too.
    for (const [, name] of (query.Expression ?? '').matchAll(/MetricName="(\w+)"/g)) names.push(name);
  }
  return names;
};

const sourceFiles = (directory: string): string[] =>
  readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !/\.(test|spec)\.ts$/.test(entry.name) ? [path] : [];
  });

describe('metric coverage: what the dashboard and alarms draw is what the code emits', () => {
  let referenced: Set<string>;
  let emitted: Map<string, string[]>;
  let dynamicRecords: string[];
  let handlerSources: string;

  beforeAll(() => {
    const config = configSchema.parse({
      models: [
        { name: 'echo', provider: 'echo' },
        { name: 'titan-embed', provider: 'bedrock', model: 'amazon.titan-embed-text-v2:0', mode: 'embedding' },
      ],
      mcp_servers: [{ name: 'github', url: 'https://example.com/mcp' }],
      knowledge_bases: [{ name: 'docs', provider: 'local', path: './knowledge' }],
    });
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const template = Template.fromStack(new TollwayStack(app, 'Tollway', { config }));
    const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard')) as { Properties: { DashboardBody: unknown } }[];
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as { Properties: AlarmProperties }[];
    referenced = new Set([
      ...dashboards.flatMap((dashboard) => dashboardReferences(render(dashboard.Properties.DashboardBody))),
      ...alarms.flatMap((alarm) => alarmReferences(alarm.Properties)),
    ]);

    // A static scan: every metric is recorded through the port as `metrics.record('<Name>', ...)`.
    emitted = new Map();
    dynamicRecords = [];
    const files = sourceFiles(join(projectRoot, 'functions'));
    for (const file of files) {
      const source = readFileSync(file, 'utf8');
      const where = relative(projectRoot, file);
      for (const [, name] of source.matchAll(/\.record\(\s*['"`](\w+)['"`]/g)) emitted.set(name, [...(emitted.get(name) ?? []), where]);
      // A name the scan cannot read would make "emitted" incomplete: refuse it.
      for (const match of source.matchAll(/metrics\.record\(\s*(?!['"`])/g)) dynamicRecords.push(`${where}@${match.index}`);
    }
    handlerSources = sourceFiles(join(projectRoot, 'functions', 'handlers'))
      .map((file) => readFileSync(file, 'utf8'))
      .join('\n');
  });

  it('finds Tollway metrics in the synthesized dashboard and alarms', () => {
    expect(referenced.size).toBeGreaterThan(10);
    expect([...referenced]).toContain('Latency');
  });

  it('records metrics only under literal names, so the scan sees every one', () => {
    expect(dynamicRecords).toEqual([]);
  });

  it('draws or alarms on nothing the code does not emit', () => {
    const gatewayReferenced = [...referenced].filter((name) => name !== coldStartMetric.name);
    expect(gatewayReferenced.filter((name) => !emitted.has(name))).toEqual([]);
  });

  it('emits nothing the dashboard and alarms leave out', () => {
    expect([...emitted.keys()].filter((name) => !referenced.has(name))).toEqual([]);
  });

  it('references and emits only defined metrics', () => {
    expect([...referenced].filter((name) => name !== coldStartMetric.name && !definedNames.includes(name))).toEqual([]);
    expect([...emitted.keys()].filter((name) => !definedNames.includes(name))).toEqual([]);
  });

  it('emits every defined metric somewhere', () => {
    expect(definedNames.filter((name) => !emitted.has(name))).toEqual([]);
  });

  it('draws cold starts only because the handlers capture them through Powertools', () => {
    expect(referenced.has(coldStartMetric.name)).toBe(true);
    expect(handlerSources).toMatch(/logMetrics\([^)]*captureColdStartMetric:\s*true/);
  });
});
