// The optional LLM reviewer, through the same OpenAI-compatible client as the narrator. It is
// shown the hunks with new-file line numbers and must answer with findings that cite a line
// inside a hunk and quote text that is on that line; anything else is dropped, so a remark can
// never point at code that is not there. A timeout or an unreadable answer leaves the
// deterministic findings alone. Its findings are never errors: they inform, they do not block.
import { chatCompletion, type NarratorConfig } from '../summary/llm-narrator.js';
import type { FileDiff } from './diff.js';
import type { ReviewFinding } from './review-rules.js';

export interface LlmReviewResult {
  findings: ReviewFinding[];
  /** remarks that did not cite a hunk line or whose quote is not on it */
  dropped: number;
  error?: string;
}

const MAX_PROMPT_CHARS = 40_000;

/** Hunk lines as the model sees them: `path:line| text`, new-file numbering. */
export function numberedHunks(files: readonly FileDiff[]): string {
  const parts: string[] = [];
  let size = 0;
  for (const f of files) {
    for (const [line, text] of [...f.commentable].sort((a, b) => a[0] - b[0])) {
      const row = `${f.path}:${line}| ${text}`;
      size += row.length + 1;
      if (size > MAX_PROMPT_CHARS) return parts.join('\n') + '\n…(cut)';
      parts.push(row);
    }
  }
  return parts.join('\n');
}

/** Keeps only remarks on a hunk line whose quote is found on that line. */
export function checkedRemarks(raw: unknown, files: readonly FileDiff[]): { findings: ReviewFinding[]; dropped: number } {
  const list = Array.isArray(raw) ? raw : Array.isArray((raw as { findings?: unknown })?.findings) ? (raw as { findings: unknown[] }).findings : [];
  const findings: ReviewFinding[] = [];
  let dropped = 0;
  for (const r of list) {
    const x = r as { path?: unknown; line?: unknown; quote?: unknown; message?: unknown };
    const file = files.find((f) => f.path === x.path);
    const text = typeof x.line === 'number' ? file?.commentable.get(x.line) : undefined;
    const quote = typeof x.quote === 'string' ? x.quote.trim() : '';
    if (text === undefined || quote.length < 3 || !text.includes(quote) || typeof x.message !== 'string' || !x.message.trim()) {
      dropped++;
      continue;
    }
    findings.push({ ruleId: 'llm', severity: 'info', message: x.message.trim().slice(0, 500), path: file!.path, line: x.line as number });
  }
  return { findings: findings.slice(0, 20), dropped };
}

export async function llmReview(files: readonly FileDiff[], cfg: NarratorConfig, opts: { fetchImpl?: typeof fetch } = {}): Promise<LlmReviewResult> {
  const hunks = numberedHunks(files);
  if (!hunks) return { findings: [], dropped: 0 };
  const r = await chatCompletion(
    cfg,
    [
      {
        role: 'system',
        content:
          'You review a code change for bugs a careful engineer would flag. Answer ONLY with a JSON array, no prose: ' +
          '[{"path": "<file>", "line": <number from the listing>, "quote": "<exact text copied from that line>", "message": "<one sentence>"}]. ' +
          'Cite only lines of the listing; the quote must be copied exactly from the line you cite. Answer [] when nothing is wrong.',
      },
      { role: 'user', content: hunks },
    ],
    { maxTokens: 800, ...(opts.fetchImpl ? { fetchImpl: opts.fetchImpl } : {}) },
  );
  if ('error' in r) return { findings: [], dropped: 0, error: r.error };
  const json = /\[[\s\S]*\]/.exec(r.text)?.[0];
  let parsed: unknown;
  try {
    parsed = json ? JSON.parse(json) : undefined;
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined) return { findings: [], dropped: 0, error: 'unreadable answer (not a JSON array)' };
  return checkedRemarks(parsed, files);
}
