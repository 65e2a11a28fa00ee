// The message of the ConfigError a config text raises (fails the test if it parses).
import { expect } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config/load.js';

export function configError(text: string): string {
  try {
    parseConfig(text, 'c.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
}
