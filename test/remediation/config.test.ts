// The `remediation:` config section: the shipped example parses, defaults are safe (no auto, revert,
// COMMENT), per-service entries override, and mistakes name their line.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config/load.js';
import { remediationFor } from '../../src/config/remediation.js';

const example = (name: string) => readFileSync(new URL(`../../examples/${name}`, import.meta.url), 'utf8');
const error = (text: string) => {
  try {
    parseConfig(text, 'c.yaml');
  } catch (e) {
    if (e instanceof ConfigError) return e.message;
    throw e;
  }
  return 'no error';
};

describe('remediation config', () => {
  it('parses the example and resolves per-service settings over the defaults', () => {
    const c = parseConfig(example('remediation.yaml'), 'remediation.yaml').remediation;
    expect(c).toMatchObject({ auto: true, mode: 'revert', repository: 'acme/checkout', baseBranch: 'main', github: { tokenEnv: 'GITHUB_TOKEN', throttle: true }, review: { event: 'COMMENT' } });
    expect(c.agent?.argv).toContain('{taskFile}');
    const payments = remediationFor(c, 'payments');
    expect(payments.repo).toBe('/srv/git/payments');
    expect(payments.testCommand).toEqual(['make', 'test']);
    expect(payments.lintCommand).toEqual(['npx', 'eslint']);
    expect(remediationFor(c, 'checkout').repo).toBe('https://github.com/acme/checkout.git');
  });

  it('defaults: nothing automatic, revert mode, comments only', () => {
    const c = parseConfig('', 'empty.yaml').remediation;
    expect(c).toMatchObject({ auto: false, mode: 'revert', baseBranch: 'main', review: { event: 'COMMENT', pullRequests: false, llm: false } });
    expect(c.repo).toBeUndefined();
  });

  it('names the line of a mistake', () => {
    expect(error('remediation:\n  agent:\n    argv: "aider --yes"\n')).toMatch(/^c\.yaml:3: remediation\.agent\.argv: must be a list of arguments/);
    expect(error('remediation:\n  review:\n    event: APPROVE\n')).toMatch(/^c\.yaml:3: remediation\.review\.event/);
    expect(error('remediation:\n  github:\n    tokenEnv: ghp_abc-def\n')).toMatch(/^c\.yaml:3: .*tokenEnv must be an environment variable name/);
    expect(error('remediation:\n  repository: acme\n')).toMatch(/repository must be "owner\/name"/);
    expect(error('remediation:\n  agent:\n    argv: ["{taskFile}"]\n')).toMatch(/may not contain a placeholder/);
  });
});
