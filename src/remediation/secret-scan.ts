// Secrets on added lines, found by secretlint's recommended rules (cloud keys, GitHub/Slack/npm
// tokens, private keys, basic-auth URLs…) plus the commander's own known secrets (the tokens it
// holds, which must never end up in a commit whatever their shape). Only added lines are
// scanned: a PR is not to blame for what the file had before.
import { extname } from 'node:path';
import { lintSource } from '@secretlint/core';
import { creator as recommended } from '@secretlint/secretlint-rule-preset-recommend';
import type { FileDiff } from './diff.js';

export interface SecretHit {
  path: string;
  line: number;
  rule: string;
  message: string;
}

/**
 * Scans the added lines of each file. Lines are laid out at their own line numbers (blank
 * lines between), so a hit's line is the new file's line. `known`: exact secrets to look for.
 */
export async function scanAddedLines(files: readonly FileDiff[], known: readonly string[] = []): Promise<SecretHit[]> {
  const hits: SecretHit[] = [];
  for (const f of files) {
    if (!f.added.length) continue;
    const last = f.added[f.added.length - 1].line;
    const lines: string[] = new Array<string>(last).fill('');
    for (const a of f.added) lines[a.line - 1] = a.content;
    const content = lines.join('\n');
    const r = await lintSource({
      source: { filePath: f.path, content, ext: extname(f.path), contentType: 'text' },
      options: { config: { rules: [{ id: '@secretlint/secretlint-rule-preset-recommend', rule: recommended }] }, maskSecrets: true, noPhysicFilePath: true },
    });
    for (const m of r.messages) {
      if (m.severity === 'info') continue;
      hits.push({ path: f.path, line: m.loc.start.line, rule: m.ruleId, message: m.message });
    }
    for (const a of f.added) {
      if (known.some((s) => s.length >= 8 && a.content.includes(s))) hits.push({ path: f.path, line: a.line, rule: 'commander-known-secret', message: 'a token the commander holds appears on this line' });
    }
  }
  return hits;
}
