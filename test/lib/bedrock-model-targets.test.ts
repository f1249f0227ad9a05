import { Stack } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { bedrockModelTarget, geographyRegions } from '../../lib/bedrock-model-targets.js';

/** The target with its tokens resolved, as JSON text. */
const resolved = (modelId: string, region: string) => JSON.stringify(new Stack().resolve(bedrockModelTarget(modelId, region)));

describe('bedrockModelTarget', () => {
  it('takes a model id without a geography prefix as a foundation model in the given Region', () => {
    const target = bedrockModelTarget('amazon.titan-embed-text-v2:0', 'eu-west-1');

    expect(target.kind).toBe('foundation-model');
    expect(resolved('amazon.titan-embed-text-v2:0', 'eu-west-1')).toContain(':bedrock:eu-west-1::foundation-model/amazon.titan-embed-text-v2:0');
  });

  it('does not take an object property name for a geography', () => {
    expect(bedrockModelTarget('constructor.anthropic.claude-x', 'us-east-1').kind).toBe('foundation-model');
    expect(bedrockModelTarget('toString.anthropic.claude-x', 'us-east-1').kind).toBe('foundation-model');
  });

  it('routes a geographic profile to its source Region and every Region of its geography, each once', () => {
    const target = bedrockModelTarget('apac.anthropic.claude-sonnet-4-5-20250929-v1:0', 'ap-northeast-1');
    if (target.kind !== 'geographic') throw new Error(`expected a geographic profile, got ${target.kind}`);
    const regions = target.modelArns.map((arn) => /:bedrock:([^:]*)::/.exec(JSON.stringify(new Stack().resolve(arn)))?.[1]);

    expect(regions[0]).toBe('ap-northeast-1');
    expect(new Set(regions).size).toBe(regions.length);
    expect([...regions].sort()).toEqual([...geographyRegions.apac].sort());
  });

  it('adds the source Region when it lies outside the profile\'s geography', () => {
    const target = bedrockModelTarget('us.anthropic.claude-haiku-4-5-20251001-v1:0', 'ca-central-1');
    if (target.kind !== 'geographic') throw new Error(`expected a geographic profile, got ${target.kind}`);

    expect(target.modelArns).toHaveLength(geographyRegions.us.length + 1);
  });

  it('takes a full ARN as it is', () => {
    const arn = 'arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/abc123';

    expect(bedrockModelTarget(arn)).toEqual({ kind: 'arn', arn });
  });
});
