// Streaming log template miner: one fixed configuration for every log source.
//
// How it groups (why each step exists):
// 1. Mask what varies by *kind* (numbers, hex ids, IPs, UUIDs, paths, URLs, quoted values; see
//    log-mask.ts) and split on whitespace. Identical masked token lists form one "leaf"; a Map
//    lookup on the masked key makes repeated shapes O(length) to assign.
// 2. Generalise by evidence, not by a similarity threshold: a word position becomes <*> only
//    when at least 3 groups that are identical everywhere else disagree at that one position
//    (a "hole"). Two statements that differ by one constant word (open/close, ON/OFF) are two
//    templates until the position shows the spread of a real variable (user names, hosts).
//    Drain's fixed similarity threshold merges the former and splits the latter depending on
//    message length; counting distinct fillers of a hole does neither. The same rule applies to
//    two positions that vary together (pairs), for templates of up to 16 tokens, when each of the
//    two shows that spread by itself (a constant word beside a variable co-varies with it).
// 3. Tokens that hold values the masker kept (names with numbers: CPU25, KB4276038; two shapes of
//    one id) count as evidence together: groups that agree on every token without a digit or a
//    masked part merge once 3 of them exist, however many such tokens vary at once.
// 4. A hole whose fillers are upper-case state or event names (RUNNING, SCREEN_ON: judged where
//    the fillers differ) is never generalised: such words name different code paths, not data.
// 5. A template must keep fixed context: with >= 2 constant words per position generalised at
//    once and no fewer constants than variables, 3 fillers do; with one constant word per
//    position ("<*> started"), 9 are needed; with none, unrelated short messages would collapse
//    into "<*> <*>", so never.
// 6. A template that generalises absorbs the groups it now covers (made before the position was
//    known to vary), so the grouping does not depend on which line came first.
// 7. Token count is part of the shape, but runs of adjacent variables collapse to one <*> (see
//    log-mask.ts), so a value spanning a varying number of words does not split a template.
//    A run of words of varying length (a description, "200 OK" / "404 Not Found") does: merging
//    such runs merged distinct statements on the development logs (error strings that LogHub's
//    annotators keep as separate templates).
//
// Ids: a group's id is a hash of the masked text of the first message that created it, so the same
// input order gives the same ids on every run; a group keeps its id while its template text
// generalises. When groups merge, the earliest-created one survives and keeps its id.
//
// Memory is bounded: at most `maxTemplates` groups (default 5,000); the masked-key cache holds at
// most 4x that many keys, the skeleton cache 65,536 messages; a message is cut to 128
// tokens; what is kept is copied out of the input (detached.ts), so it never pins input chunks.
// Once the cap is reached, a message of a new shape joins the most similar group of the same
// length when at least half its tokens match, else one shared overflow group per token count.
import { detached } from './detached.js';
import { IntPairMap } from './int-pair-map.js';
import { preMask, tokensOfPremasked, WILDCARD } from './log-mask.js';
import { MAY_PREMASK, maskUuidBytes, SkeletonCache } from './log-skeleton.js';

export interface MinedTemplate {
  /**
   * stable id: a hash of the masked text of the message that created the group, so the same input
   * gives the same ids on every run; the id stays while the template generalises. When two groups
   * merge, the older id survives; `TemplateMiner.resolve(oldId)` maps an earlier id to it.
   */
  id: string;
  /** template text with variable parts written <*> */
  template: string;
  count: number;
}

export interface TemplateMinerOptions {
  /** cap on groups kept (bounded memory). Default 5,000. */
  maxTemplates?: number;
  /** distinct fillers a one-position hole needs before it becomes <*>. Default 3. */
  minFillers?: number;
  /**
   * how many times minFillers a hole with scarce fixed context needs (one constant word per
   * generalised position, see fillersNeeded). Default 3.
   */
  scarceFactor?: number;
}

/** A generalised position is written exactly like a masked value: both mean "varies here". */
const GEN = WILDCARD;
const SEP = '\u0001';
const RECENT_CAP = 1 << 16;
const HAS_LETTER_RE = /[A-Za-z]/;
const MAX_TOKENS = 128;
const PAIR_MAX_TOKENS = 16;
const HOLE = '\u0002';
// Scratch arrays for per-position hashes (templates have at most MAX_TOKENS positions): reused,
// because a typed array per new template costs more than the loops that fill it. place and
// registerHoles each have their own; registerHoles only recurses (through generalise) once it
// is done with them.
const PROBE_HASHES = new Int32Array(MAX_TOKENS);
const HOLE_H1 = new Int32Array(MAX_TOKENS);
const HOLE_H2 = new Int32Array(MAX_TOKENS);
const HOLE_WORD = new Uint8Array(MAX_TOKENS);

interface Group {
  seq: number;
  tokens: string[];
  count: number;
  parent: Group | null;
  out: MinedTemplate;
}

/**
 * The groups that fill one hole, by filler (a token, or for a pair hole its two tokens). Most holes
 * never see a second filler (a 16-token template opens 136 of them), so the first filler is kept
 * inline and the map is only made when a second distinct one arrives.
 */
interface Hole {
  a: string;
  /** second token of a pair hole's first filler; null for a one-position hole */
  b: string | null;
  /** the group the first filler came from (may be stale; resolve with find) */
  group: Group;
  /** filler -> group, once there are two or more distinct fillers */
  fillers: Map<string, Group> | null;
}

const fillerKey = (a: string, b: string | null): string => (b === null ? a : a + SEP + b);

/** Record a filler of h; returns how many distinct fillers h has. */
function addFiller(h: Hole, a: string, b: string | null, g: Group): number {
  if (h.fillers === null) {
    if (h.a === a && h.b === b) return 1;
    h.fillers = new Map([[fillerKey(h.a, h.b), h.group]]);
  }
  const k = fillerKey(a, b);
  if (!h.fillers.has(k)) h.fillers.set(k, g);
  return h.fillers.size;
}

function fillersOf(h: Hole): Map<string, Group> {
  return h.fillers ?? new Map([[fillerKey(h.a, h.b), h.group]]);
}

function fnv1a(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/**
 * How many of a hole's fillers name states or events: upper-case identifiers (SCREEN_ON, NEW,
 * TIME_TICK) written by different statements, hence constants. What is looked at is the
 * identifier (a run of letters, digits and '_') where the fillers start to differ, so a path or a
 * dotted name that merely ends in an upper-case word (.../config/COMPONENTS) is judged by the part
 * that varies; an identifier with digits (CPU25, MC3) is a numbered instance, not a state name.
 */
function enumFillers(fillers: readonly string[]): number {
  if (fillers.length < 2) return 0;
  let common = fillers[0].length;
  for (const f of fillers) {
    let k = 0;
    while (k < common && k < f.length && f.charCodeAt(k) === fillers[0].charCodeAt(k)) k++;
    common = k;
  }
  let enums = 0;
  for (const f of fillers) if (isEnumAt(f, Math.min(common, f.length - 1))) enums++;
  return enums;
}

const isIdent = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;

function isEnumAt(tok: string, at: number): boolean {
  if (at < 0 || !isIdent(tok.charCodeAt(at))) return false;
  let start = at;
  while (start > 0 && isIdent(tok.charCodeAt(start - 1))) start--;
  let end = at;
  while (end < tok.length && isIdent(tok.charCodeAt(end))) end++;
  if (end - start < 2) return false;
  let letters = 0;
  for (let i = start; i < end; i++) {
    const c = tok.charCodeAt(i);
    if (c >= 65 && c <= 90) letters++;
    else if (c !== 95) return false;
  }
  return letters >= 2;
}

export class TemplateMiner {
  private readonly maxTemplates: number;
  private readonly minFillers: number;
  private readonly scarceFactor: number;
  /** masked key -> group that first matched it (leaf cache) */
  private readonly leaves = new Map<string, Group>();
  /** skeleton of the premasked line -> group (the line's group when it was masked) */
  private readonly shapes = new SkeletonCache<Group>(RECENT_CAP);
  /** generalised-template key -> group */
  private readonly byTemplate = new Map<string, Group>();
  /** 30-bit hashes of the token lists of byTemplate's keys: a filter that only rules keys out */
  private readonly templateHashes = new Set<number>();
  /** token count -> distinct generalisation signatures (position lists) in use */
  private readonly signatures = new Map<number, Map<string, number[]>>();
  /** holes by their key: two 32-bit hashes (see registerHoles) */
  private readonly holes = new IntPairMap<Hole>();
  /** groups by value skeleton (see registerHoles), keyed like holes */
  private readonly valueGroups = new IntPairMap<Group[]>();
  private readonly ids = new Set<string>();
  private readonly roots: Group[] = [];
  /** groups by token count (for the similarity fallback once the cap is reached) */
  private readonly byLength = new Map<number, Group[]>();
  private live = 0;
  private seq = 0;

  constructor(opts: TemplateMinerOptions = {}) {
    this.maxTemplates = opts.maxTemplates ?? 5000;
    this.minFillers = opts.minFillers ?? 3;
    this.scarceFactor = opts.scarceFactor ?? 3;
  }

  /** Assign one message to a template (creating or generalising one); returns that template. */
  add(message: string): MinedTemplate {
    return this.assign(message).out;
  }

  /**
   * add(), returning the group's number instead (dense, from 0 in order of creation): for callers
   * that keep one entry per line (`logs mine`), an integer in a typed array instead of a
   * reference. templateAt(n) gives the group's current template.
   */
  addIndex(message: string): number {
    return this.assign(message).seq;
  }

  /**
   * addIndex for a line given as UTF-8 bytes src[s, e) (no line break): a line whose shape is known
   * is found from its bytes, with no string made for it; only a new shape is decoded and masked.
   */
  addBytes(src: Uint8Array, s: number, e: number): number {
    let sh = this.shapes.hashBytes(src, s, e);
    if (sh < 0 || this.shapes.quoted) return this.assign(decode(src, s, e)).seq;
    if ((sh & MAY_PREMASK) !== 0) {
      // a UUID and no quote: premask the UUIDs in bytes and look the line up by those
      const buf = this.lineBuf.length >= e - s ? this.lineBuf : (this.lineBuf = new Uint8Array(e - s));
      e = maskUuidBytes(src, s, e, buf);
      src = buf;
      s = 0;
      sh = this.shapes.hashBytes(src, 0, e);
    }
    const hit = this.shapes.get(sh);
    if (hit !== undefined) {
      const r = find(hit);
      r.count++;
      r.out.count = r.count;
      return r.seq;
    }
    // the bytes are the line's premasked form: masked once, cached under them
    const g = this.group(decode(src, s, e));
    this.shapes.set(sh, g);
    return this.counted(g).seq;
  }

  /** scratch for a line's bytes with UUIDs premasked (addBytes) */
  private lineBuf = new Uint8Array(4096);

  /** Current template of the group numbered n by addIndex (merged groups give their survivor's). */
  templateAt(n: number): MinedTemplate {
    return find(this.roots[n]).out;
  }

  private assign(message: string): Group {
    // Fast path. Two messages with the same skeleton (log-skeleton.ts: numbers and hex ids read
    // by kind, names such as ssh2 as they are) mask to the same tokens, hence the same group, so
    // the group of a known skeleton is found without masking again. It is looked up by a hash
    // computed in one pass (no skeleton string is built, so a line of live logs with fresh values
    // allocates nothing here) and confirmed by comparing the stored skeleton bytes: a hash
    // collision only costs a miss. The key is taken after preMask, so lines that differ only in
    // their UUIDs or quoted values ('names') share it too; most lines come out of preMask as is.
    let p = message;
    let sh = this.shapes.hash(message);
    if ((sh & MAY_PREMASK) !== 0) {
      p = preMask(message);
      if (p !== message) sh = this.shapes.hash(p);
    }
    const hit = this.shapes.get(sh);
    if (hit !== undefined) return this.counted(hit);
    const g = this.group(p);
    // bounded (see SkeletonCache): cleared when full, which only costs re-masking
    this.shapes.set(sh, g);
    return this.counted(g);
  }

  /** The group (as first found: resolve with find) of a premasked line of an unknown shape. */
  private group(p: string): Group {
    const tokens = tokensOfPremasked(p);
    // bound the work per message: the tail of a very long line (a dump) is data
    if (tokens.length > MAX_TOKENS) {
      tokens.length = MAX_TOKENS - 1;
      tokens.push(WILDCARD);
    }
    const key = tokens.join(SEP);
    let g = this.leaves.get(key);
    if (g === undefined) {
      g = this.place(tokens, key);
      if (this.leaves.size < this.maxTemplates * 4) this.leaves.set(key, g);
    }
    return g;
  }

  /** Count one more line for g's current group; returns that group. */
  private counted(g: Group): Group {
    const r = find(g);
    r.count++;
    r.out.count = r.count;
    return r;
  }

  /** All current templates (merged groups excluded), in order of first appearance. */
  templates(): MinedTemplate[] {
    return this.roots.filter((g) => g.parent === null).map((g) => g.out);
  }

  /** Current template of an id returned earlier (ids of merged groups resolve to the survivor). */
  resolve(id: string): MinedTemplate | undefined {
    const g = this.byId.get(id);
    return g ? find(g).out : undefined;
  }

  private readonly byId = new Map<string, Group>();

  /** Find or create the group for a new masked shape. */
  private place(tokens: string[], key: string): Group {
    const n = tokens.length;
    // an existing group whose generalised template covers this shape?
    const exact = this.byTemplate.get(key);
    if (exact) return find(exact);
    const sigs = this.signatures.get(n);
    if (sigs) {
      // Most signatures do not match: a hash of each candidate template (the sum of position-salted
      // token hashes, so swapping in <*> costs O(1) per position) rules them out before any string
      // is built; a hash hit is confirmed by the exact lookup.
      const hs = PROBE_HASHES;
      let sum = 0;
      for (let i = 0; i < n; i++) {
        hs[i] = positionHash(tokens[i], i);
        sum = (sum + hs[i]) | 0;
      }
      let best: Group | null = null;
      for (const positions of sigs.values()) {
        let h = sum;
        for (const p of positions) h = (h - hs[p] + positionHash(GEN, p)) | 0;
        if (!this.templateHashes.has(h & 0x3fffffff)) continue;
        const t = tokens.slice();
        for (const p of positions) t[p] = GEN;
        const g = this.byTemplate.get(t.join(SEP));
        if (g) {
          const r = find(g);
          if (!best || r.seq < best.seq) best = r;
        }
      }
      if (best) return best;
    }
    if (this.live >= this.maxTemplates) return this.overflow(tokens);
    const g = this.newGroup(tokens, key);
    return this.registerHoles(g);
  }

  /** byTemplate.set, keeping the hash filter of template keys (see place) in step. */
  private setTemplate(key: string, tokens: string[], g: Group): void {
    this.byTemplate.set(key, g);
    let h = 0;
    for (let i = 0; i < tokens.length; i++) h = (h + positionHash(tokens[i], i)) | 0;
    this.templateHashes.add(h & 0x3fffffff);
  }

  private newGroup(tokens: string[], key: string): Group {
    // a group lives as long as the miner: its tokens must not pin the input they were cut from
    for (let i = 0; i < tokens.length; i++) tokens[i] = detached(tokens[i]);
    let id = 'T' + fnv1a(key);
    for (let k = 2; this.ids.has(id); k++) id = 'T' + fnv1a(key + '#' + k);
    this.ids.add(id);
    const g: Group = { seq: this.seq++, tokens, count: 0, parent: null, out: { id, template: renderTemplate(tokens), count: 0 } };
    this.setTemplate(key, tokens, g);
    this.addSignature(tokens);
    this.byId.set(id, g);
    this.roots.push(g);
    const same = this.byLength.get(tokens.length);
    if (same) same.push(g);
    else this.byLength.set(tokens.length, [g]);
    this.live++;
    return g;
  }

  /** Register g in the one-position holes of its template; generalise where evidence suffices. */
  private registerHoles(g: Group): Group {
    const t = g.tokens;
    const n = t.length;
    // A hole's key is two 32-bit sums of position-salted token hashes: a key with positions
    // removed is the total minus their terms, so each hole costs O(1) instead of a string join of
    // the whole template (pairs would be cubic). A collision needs both sums to collide at once.
    const h1 = HOLE_H1;
    const h2 = HOLE_H2;
    let s1 = Math.imul(n + 1, 0x27d4eb2f);
    let s2 = Math.imul(n + 1, 0x165667b1);
    // Words with a letter are the template's fixed context (see hasContext). Every group sharing a
    // hole has the same tokens outside it, hence the same context: a hole without enough of it can
    // never generalise, so it is not even recorded (most pair holes of short templates).
    const word = HOLE_WORD;
    let words = 0;
    for (let i = 0; i < n; i++) {
      word[i] = t[i] !== GEN && HAS_LETTER_RE.test(t[i]) ? 1 : 0;
      words += word[i];
    }
    for (let i = 0; i < n; i++) {
      h1[i] = positionHash(t[i], i);
      h2[i] = Math.imul(tokenHash2(t[i]) ^ Math.imul(i + 1, 0xc2b2ae35), 0x27d4eb2f);
      s1 = (s1 + h1[i]) | 0;
      s2 = (s2 + h2[i]) | 0;
    }
    // Values the masker left (names with numbers: CPU25, KB4276038, Package_<*>_for_KB12): groups
    // that agree on every token without a digit or a masked part are one statement when enough of
    // them differ only in such tokens, however many of those vary at once (pair holes stop at two
    // positions and at PAIR_MAX_TOKENS tokens).
    let v1 = s1;
    let v2 = s2;
    let valueWords = 0;
    let values = 0;
    for (let i = 0; i < n; i++) {
      if (t[i] === GEN || !isValueLike(t[i])) continue;
      values++;
      valueWords += word[i];
      v1 = (v1 - h1[i] + positionHash(GEN, i)) | 0;
      v2 = (v2 - h2[i] + Math.imul(GEN_HASH2 ^ Math.imul(i + 1, 0xc2b2ae35), 0x27d4eb2f)) | 0;
    }
    if (values > 0) {
      const need = this.fillersNeeded(n, words - valueWords, 1);
      if (need > 0) {
        const r = this.generaliseValues(v1 + 3, v2 + 3, g, need);
        if (r !== null) return r;
      }
    }
    for (let p = 0; p < n; p++) {
      if (t[p] === GEN || t[p] === WILDCARD) continue;
      const need = this.fillersNeeded(n, words - word[p], 1);
      if (need === 0) continue;
      const h = this.hole(s1 - h1[p] + 1, s2 - h2[p] + 1, t[p], null, g);
      const size = addFiller(h, t[p], null, g);
      if (size >= need && this.shouldGeneralise(h, need)) {
        return this.generalise(h, [p]);
      }
    }
    // two positions varying together ("Registering class A for class B"): the same evidence rule,
    // on pairs; only for short templates, the number of pairs grows with the square of the length
    if (n <= PAIR_MAX_TOKENS) {
      for (let p = 0; p < n; p++) {
        if (t[p] === GEN || t[p] === WILDCARD) continue;
        for (let q = p + 1; q < n; q++) {
          if (t[q] === GEN || t[q] === WILDCARD || this.fillersNeeded(n, words - word[p] - word[q], 2) !== this.minFillers) continue;
          const h = this.hole(s1 - h1[p] - h1[q] + 2, s2 - h2[p] - h2[q] + 2, t[p], t[q], g);
          const size = addFiller(h, t[p], t[q], g);
          if (size >= this.minFillers && this.shouldGeneralisePair(h)) {
            return this.generalise(h, [p, q]);
          }
        }
      }
    }
    return g;
  }

  /**
   * Distinct fillers k positions need before they become <*>, given the template's constant
   * words outside them; 0 = never. With ample fixed context (see hasContext) minFillers do; with
   * only one constant word per position ("Displayed <*> <*>", "<*> started") the evidence must be
   * scarceFactor times stronger, since a handful of short statements that share one word
   * (Creating / Deleting / Removing directory) look like a variable too; with none, never.
   */
  private fillersNeeded(n: number, constants: number, k: number): number {
    if (hasContext(n, constants, k)) return this.minFillers;
    return constants >= k && k === 1 ? this.minFillers * this.scarceFactor : 0;
  }

  /**
   * Add g to the groups sharing its value skeleton (key ka, kb: see registerHoles); once `need` of
   * them exist, merge them with <*> wherever they differ. Returns the merged group, or null.
   */
  private generaliseValues(ka: number, kb: number, g: Group, need: number): Group | null {
    let list = this.valueGroups.get(ka, kb);
    if (list === undefined) {
      this.valueGroups.set(ka, kb, [g]);
      return null;
    }
    const roots = new Set<Group>();
    for (const x of list) roots.add(find(x));
    if (roots.has(g)) return null;
    roots.add(g);
    // keep the list short: merged groups are represented by their survivor
    list = [...roots];
    this.valueGroups.set(ka, kb, list);
    if (list.length < need) return null;
    const t = g.tokens;
    const ps: number[] = [];
    for (let p = 0; p < t.length; p++) {
      if (t[p] === GEN) continue;
      for (const x of list) {
        if (x.tokens[p] !== t[p]) {
          ps.push(p);
          break;
        }
      }
    }
    return ps.length === 0 ? null : this.generalise(list, ps);
  }

  /** The hole with key (ka, kb); a new one gets (a, b) from g as its first filler. */
  private hole(ka: number, kb: number, a: string, b: string | null, g: Group): Hole {
    let h = this.holes.get(ka, kb);
    if (h === undefined) {
      h = { a, b, group: g, fillers: null };
      this.holes.set(ka, kb, h);
    }
    return h;
  }

  /** A pair hole generalises when both positions vary by themselves (else a one-position hole covers it). */
  private shouldGeneralisePair(h: Hole): boolean {
    const a = new Set<string>();
    const b = new Set<string>();
    for (const f of fillersOf(h).keys()) {
      const [x, y] = f.split(SEP);
      a.add(x);
      b.add(y);
    }
    // each position must show a variable's spread by itself: a constant word that picks the
    // statement (Accepted / Failed) co-varies with any real variable beside it, and the pair
    // would merge the two statements
    if (a.size < this.minFillers || b.size < this.minFillers) return false;
    if (enumFillers([...a]) + enumFillers([...b]) >= 2) return false;
    const seen = new Set<Group>();
    for (const g of fillersOf(h).values()) seen.add(find(g));
    return seen.size >= this.minFillers;
  }

  private shouldGeneralise(h: Hole, need: number): boolean {
    const seen = new Set<Group>();
    const fillers = fillersOf(h);
    for (const g of fillers.values()) seen.add(find(g));
    if (seen.size < need) return false;
    return enumFillers([...fillers.keys()]) < 2;
  }

  /** Merge the groups filling hole h (or listed), and those the result covers, into the earliest, with <*> at positions ps. */
  private generalise(h: Hole | Group[], ps: number[]): Group {
    const groups = new Set<Group>();
    for (const g of Array.isArray(h) ? h : fillersOf(h).values()) groups.add(find(g));
    const first = groups.values().next().value as Group;
    const t = first.tokens.slice();
    for (const p of ps) t[p] = GEN;
    // Groups the new template covers join it too (a group made before the positions were known to
    // vary, e.g. one with a literal where the template now has <*>), as they would have if they
    // had arrived now: the grouping does not depend on which line came first.
    this.addCovered(t, groups);
    let survivor = first;
    for (const g of groups) if (g.seq < survivor.seq) survivor = g;
    for (const g of groups) {
      if (g === survivor) continue;
      g.parent = survivor;
      survivor.count += g.count;
      this.live--;
    }
    survivor.tokens = t;
    survivor.out.template = renderTemplate(t);
    survivor.out.count = survivor.count;
    this.setTemplate(t.join(SEP), t, survivor);
    this.addSignature(t);
    // the generalised template may itself fill a hole with other generalised templates
    return this.registerHoles(survivor);
  }

  /** Add to `into` every live group of t's length that t covers (equal wherever t is not <*>). */
  private addCovered(t: string[], into: Set<Group>): void {
    const n = t.length;
    const same = this.byLength.get(n);
    if (same === undefined) return;
    let w = 0;
    for (let k = 0; k < same.length; k++) {
      const g = same[k];
      if (g.parent !== null) continue; // merged: dropped from the list while passing
      same[w++] = g;
      if (into.has(g)) continue;
      let i = 0;
      while (i < n && (t[i] === GEN || t[i] === g.tokens[i])) i++;
      if (i === n) into.add(g);
    }
    same.length = w;
  }

  private addSignature(t: string[]): void {
    const positions: number[] = [];
    for (let i = 0; i < t.length; i++) if (t[i] === GEN) positions.push(i);
    if (positions.length === 0) return;
    let m = this.signatures.get(t.length);
    if (!m) {
      m = new Map();
      this.signatures.set(t.length, m);
    }
    m.set(positions.join(','), positions);
  }

  /** Cap reached: join the most similar same-length group (≥ half the tokens equal) or overflow. */
  private overflow(tokens: string[]): Group {
    const n = tokens.length;
    let best: Group | null = null;
    let bestSame = 0;
    // The first group with at least half the positions equal is taken, and a later one only when
    // strictly more are: stop comparing a group once it cannot get there, and stop looking once
    // one matches everywhere (this runs for every new shape once the cap is reached).
    for (const g of this.byLength.get(n) ?? []) {
      if (g.parent !== null || n === 0) continue;
      const need = best === null ? Math.ceil(n / 2) : bestSame + 1;
      let same = 0;
      for (let i = 0; i < n && same + (n - i) >= need; i++) if (g.tokens[i] === tokens[i] || g.tokens[i] === GEN) same++;
      if (same >= need) {
        best = g;
        bestSame = same;
        if (same === n) break;
      }
    }
    if (best) return best;
    const key = HOLE + 'overflow' + SEP + tokens.length;
    const existing = this.byTemplate.get(key);
    if (existing) return find(existing);
    const g = this.newGroup(new Array<string>(Math.max(1, tokens.length)).fill(GEN), key);
    this.live--; // overflow groups do not count against the cap
    return g;
  }
}

// (a BOM is kept, as in the text the line came from)
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

function decode(src: Uint8Array, s: number, e: number): string {
  return utf8.decode(src.subarray(s, e));
}

function find(g: Group): Group {
  let r = g;
  while (r.parent !== null) r = r.parent;
  while (g.parent !== null && g.parent !== r) {
    const next: Group = g.parent;
    g.parent = r;
    g = next;
  }
  return r;
}

/**
 * Positions may only become <*> if the template keeps enough constant words to mean something:
 * at least two per position generalised now, and at least as many as its variables (else "X <*>"
 * shapes of unrelated one-word messages would all merge).
 */
function hasContext(n: number, constants: number, k: number): boolean {
  // constants: words with a letter outside the k positions; everything else, the k positions
  // included, is a variable. Generalising two positions at once needs twice the fixed context.
  const vars = n - constants;
  return constants >= 2 * k && constants >= vars;
}

const GEN_HASH = tokenHash1(GEN);
const GEN_HASH2 = tokenHash2(GEN);

/** A token that holds a value: a digit, or a part the masker replaced. */
function isValueLike(tok: string): boolean {
  for (let i = 0; i < tok.length; i++) {
    const c = tok.charCodeAt(i);
    if (c >= 48 && c <= 57) return true;
  }
  return tok.indexOf(WILDCARD) >= 0;
}

/** Hash of a token at a position (a template's hash is the sum over its positions). */
function positionHash(tok: string, i: number): number {
  return Math.imul((tok === GEN ? GEN_HASH : tokenHash1(tok)) ^ Math.imul(i + 1, 0x9e3779b1), 0x85ebca6b);
}

// Two independent 32-bit hashes of a token (FNV-1a and a murmur-style mix), as two functions
// rather than one returning a pair so the hot loop allocates nothing.
function tokenHash1(x: string): number {
  let a = 0x811c9dc5;
  for (let i = 0; i < x.length; i++) a = Math.imul(a ^ x.charCodeAt(i), 0x01000193);
  return a;
}

function tokenHash2(x: string): number {
  let b = 0x01000193;
  for (let i = 0; i < x.length; i++) b = Math.imul(b ^ x.charCodeAt(i), 0x5bd1e995) ^ (b >>> 13);
  return b;
}

function renderTemplate(t: string[]): string {
  return t.map((x) => (x === GEN ? WILDCARD : x)).join(' ');
}
