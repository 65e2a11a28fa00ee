// A change as files and hunks (parse-diff over `git diff`): which lines were added or removed,
// and which lines of the new file a review comment may point at. GitHub rejects a whole review
// when one inline comment is on a line outside the diff's hunks, so `commentable` is the set
// every inline comment is checked against.
import parseDiff from 'parse-diff';
import type { Git } from './git.js';

export interface DiffLine {
  line: number;
  content: string;
}

export interface FileDiff {
  path: string;
  /** the old path (renames) */
  from?: string;
  status: 'added' | 'deleted' | 'modified';
  added: DiffLine[];
  removed: DiffLine[];
  /** new-file lines inside hunks (added or context): where inline comments may go */
  commentable: Map<number, string>;
}

export function parseUnifiedDiff(text: string): FileDiff[] {
  return parseDiff(text).map((f) => {
    const deleted = f.deleted === true || f.to === '/dev/null';
    const path = (deleted ? f.from : f.to) ?? f.from ?? '';
    const out: FileDiff = { path, status: f.new ? 'added' : deleted ? 'deleted' : 'modified', added: [], removed: [], commentable: new Map() };
    if (f.from && f.from !== path && f.from !== '/dev/null') out.from = f.from;
    for (const chunk of f.chunks) {
      for (const c of chunk.changes) {
        // parse-diff keeps the +/-/space prefix in `content`
        const content = c.content.slice(1);
        if (c.type === 'add') {
          out.added.push({ line: c.ln, content });
          out.commentable.set(c.ln, content);
        } else if (c.type === 'del') out.removed.push({ line: c.ln, content });
        else out.commentable.set(c.ln2, content);
      }
    }
    return out;
  });
}

/** The diff of `base...head` as GitHub shows a PR: from their merge base. */
export async function diffBetween(git: Git, cwd: string, base: string, head: string): Promise<{ text: string; files: FileDiff[] }> {
  const text = await git.out(['diff', '--no-color', '--no-ext-diff', '--no-renames', '--unified=3', `${base}...${head}`], { cwd });
  return { text, files: parseUnifiedDiff(text) };
}
