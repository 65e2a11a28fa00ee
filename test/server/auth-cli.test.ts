import { describe, expect, it, vi } from 'vitest';
import { run } from '../../src/cli/commands/token.js';
import { parseTokensEnv, verifyTokenHash } from '../../src/server/auth.js';

describe('devops-commander token create', () => {
  it('prints a token once and only its hash for the config', async () => {
    const out: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => (out.push(String(s)), true));
    try {
      expect(await run(['create', '--name', 'ci', '--role', 'operator'])).toBe(0);
    } finally {
      spy.mockRestore();
    }
    const text = out.join('');
    const token = /^\s+(dc_[\w-]+)$/m.exec(text)![1];
    const envLine = /COMMANDER_TOKENS=(\S+)/.exec(text)![1];
    const [entry] = parseTokensEnv(envLine);
    expect(entry).toMatchObject({ name: 'ci', role: 'operator' });
    expect(verifyTokenHash(token, entry.hash)).toBe(true);
    expect(envLine).not.toContain(token);
  });

  it('refuses a bad role or name with a one-line reason', async () => {
    await expect(run(['create', '--name', 'ci', '--role', 'root'])).rejects.toThrow('--role must be viewer, operator or admin');
    await expect(run(['create', '--name', 'a b', '--role', 'viewer'])).rejects.toThrow('--name must be');
    await expect(run(['revoke'])).rejects.toThrow("unknown subcommand 'revoke'");
  });
});
