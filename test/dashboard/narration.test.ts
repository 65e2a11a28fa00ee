// The dashboard's narration line (dashboard/src/components/Narration.tsx), rendered with React's
// server renderer from timeline events shaped as the loop writes them (src/loop/narration.ts).
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { TimelineEvent } from '../../src/core/timeline.js';

// The root tsconfig compiles no JSX (the dashboard's own tsconfig type-checks the component), so
// the component is loaded by a path the root type-check does not follow.
const COMPONENT = '../../dashboard/src/components/Narration.js';
const { Narration } = (await import(COMPONENT)) as { Narration: (p: { events: TimelineEvent[]; upTo?: number }) => ReturnType<typeof createElement> | null };

const ev = (seq: number, at: number, payload: Record<string, unknown>): TimelineEvent => ({ seq, at, deploymentId: 'd1', type: 'summary.narrated', actor: 'system', payload, prevHash: '', hash: '' });
const render = (events: TimelineEvent[], upTo?: number) => renderToStaticMarkup(createElement(Narration, { events, upTo }));

describe('Narration', () => {
  const events = [
    ev(1, 1000, { tick: 1, grounded: true, author: 'llm:fake-model', text: 'Error rate rose to 7.1% after v2.15.0.' }),
    ev(2, 2000, { tick: 2, grounded: false, author: 'deterministic', text: 'checkout v2.15.0: …', error: 'timeout' }),
  ];
  it('shows the grounded narration of the summary shown, and says it was checked', () => {
    const html = render(events, 1500);
    expect(html).toContain('Error rate rose to 7.1% after v2.15.0.');
    expect(html).toContain('narrated by llm:fake-model');
  });
  it('says why the deterministic text stands when the LLM failed', () => {
    expect(render(events)).toContain('LLM narration not used (timeout)');
  });
  it('shows nothing without a narration', () => {
    expect(render([])).toBe('');
    expect(render(events, 500)).toBe('');
  });
});
