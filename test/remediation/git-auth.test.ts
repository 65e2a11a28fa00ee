// The token reaches an HTTPS/HTTP git remote as an Authorization header set through the
// environment (GIT_CONFIG_COUNT…), and git's own error messages never carry it back.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GitError, gitWithToken } from '../../src/remediation/git.js';

describe('git authentication', () => {
  it('sends the token as a Basic Authorization header from the environment, and scrubs it from errors', async () => {
    const token = 'ghp_headerOnlyToken_0123456789abcdefABCD';
    const seen: Array<{ url: string; auth: string | undefined }> = [];
    // a smart-HTTP remote that refuses everything: enough to see what git sends
    const server = createServer((req, res) => {
      seen.push({ url: req.url ?? '', auth: req.headers.authorization });
      res.writeHead(403, { 'content-type': 'text/plain' });
      res.end(`denied for ${req.headers.authorization ?? 'nobody'}\n`);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const dir = mkdtempSync(join(tmpdir(), 'git-auth-'));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/acme/checkout.git`;
      const err = await gitWithToken(token).run(['ls-remote', url], { cwd: dir }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(GitError);
      expect(seen.length).toBeGreaterThan(0);
      expect(seen[0].url).toMatch(/\/acme\/checkout\.git\/info\/refs\?service=git-upload-pack/);
      expect(seen[0].auth).toBe(`Basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`);
      const message = `${(err as GitError).message}\n${(err as GitError).stderr}\n${(err as GitError).args.join(' ')}`;
      expect(message).not.toContain(token);
      expect(message).not.toContain(Buffer.from(`x-access-token:${token}`).toString('base64'));
    } finally {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
