#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { ConfigError, parseConfig } from '../functions/core/config/load.js';
import type { TollwayConfig } from '../functions/core/config/schema.js';
import { TollwayStack } from '../lib/tollway-stack.js';

const readConfig = (path: string): TollwayConfig => {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`${path}: cannot be read (${error instanceof Error ? error.message : String(error)}); set TOLLWAY_CONFIG to another file`);
  }
  return parseConfig(text, path);
};

try {
  const config = readConfig(process.env.TOLLWAY_CONFIG ?? 'tollway.config.yaml');
  new TollwayStack(new App(), 'Tollway', { config });
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}
