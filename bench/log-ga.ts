// Grouping accuracy (GA) of a log template miner, as defined in the loghub-dev README: a line is
// correct only if the set of lines sharing its predicted group equals the set sharing its true
// group. Shared by bench/loghub.ts (dev systems, leave-one-system-out, generated styles).

/** GA: sum of sizes of predicted groups that coincide exactly with a true group, over all lines. */
export function groupingAccuracy(pred: readonly string[], truth: readonly string[]): number {
  const n = truth.length;
  const byPred = new Map<string, number[]>();
  const trueSize = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    trueSize.set(truth[i], (trueSize.get(truth[i]) ?? 0) + 1);
    const p = pred[i];
    if (p === undefined) continue;
    const g = byPred.get(p);
    if (g) g.push(i);
    else byPred.set(p, [i]);
  }
  let correct = 0;
  for (const lines of byPred.values()) {
    const t = truth[lines[0]];
    if (trueSize.get(t) === lines.length && lines.every((i) => truth[i] === t)) correct += lines.length;
  }
  return correct / n;
}

/** The true groups a prediction split and the predicted groups that mix true ones (for --verbose). */
export function groupingErrors(name: string, msgs: readonly string[], pred: readonly string[], truth: readonly string[], truthTemplate: (id: string) => string, predTemplate?: (id: string) => string): string[] {
  const byTrue = new Map<string, Set<string>>();
  const byPred = new Map<string, Set<string>>();
  const size = new Map<string, number>();
  truth.forEach((t, i) => {
    (byTrue.get(t) ?? byTrue.set(t, new Set()).get(t)!).add(pred[i]);
    (byPred.get(pred[i]) ?? byPred.set(pred[i], new Set()).get(pred[i])!).add(t);
    size.set(t, (size.get(t) ?? 0) + 1);
  });
  const out: string[] = [];
  for (const [e, ps] of byTrue) {
    if (ps.size > 1) {
      const ex = [...ps].slice(0, 4).map((p) => `${msgs[pred.indexOf(p)].slice(0, 100)}\n             -> ${(predTemplate?.(p) ?? '').slice(0, 100)}`);
      out.push(`  [${name}] SPLIT ${e} (${size.get(e)}) into ${ps.size}: ${truthTemplate(e).slice(0, 110)}\n      e.g. ${ex.join('\n           ')}`);
    }
  }
  for (const [p, es] of byPred) {
    if (es.size > 1) out.push(`  [${name}] MERGE ${p}: ${[...es].map((e) => `${e}(${size.get(e)}) ${truthTemplate(e).slice(0, 70)}`).join(' | ')}`);
  }
  return out;
}
