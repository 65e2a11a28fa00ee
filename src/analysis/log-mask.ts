// Masking of the parts of a log message that vary between occurrences of the same statement.
// One fixed rule set for every log source (no per-dataset regexes). Written by hand (one char-code
// pass per message that finds the tokens and hashes their digit skeletons, a cache of masked
// tokens by skeleton, a character scan only for tokens that can hold a value) because no
// maintained library masks by value kind and `add` sits on the per-tick hot path.
//
// Principles (each rule is about the *kind* of value, never about one log source):
// - numbers of any shape vary (ints, signed, decimals, IPs, versions, times, 123ms, 0x1f, 4KB);
// - long hexadecimal runs are ids/hashes/addresses; UUIDs are ids;
// - file paths and URLs point at things that vary;
// - a quoted single token is data put into a message ('foo', "bar"); a quoted phrase is tokenised
//   like the rest, because phrases such as HTTP request lines ("GET /x HTTP/1.1") carry the
//   statement's shape in their words;
// - identifiers made of letters followed by a few digits (ssh2, wl0, jk2_init) are names, kept;
//   but a number after "_" or "-" makes the rest of the identifier an id (task_1445_m_0 -> task_<*>);
// - host names (a.b.example.com, name:port), MAC addresses and dotted names with numeric labels are
//   addresses; reverse-DNS code names (com.apple.xpc, org.apache.Foo) and file:line are not;
// - month/weekday names next to numbers belong to the date;
// - a unit after a number is part of it (12 ms, 1.2 KB), and a bracketed restatement of a quantity
//   ("1190 bytes (1.16 KB)") is dropped;
// - key=value is split after "=" so the value is its own position;
// - a run of adjacent variables is one variable, and a list of same-kind values (blk_<*> blk_<*>)
//   is one value: lists and multi-word values of varying length do not split templates.

import { detached } from './detached.js';
import { sameSkeletonAt } from './log-skeleton.js';

export const WILDCARD = '<*>';

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isLower = (c: number): boolean => c >= 97 && c <= 122;
const isUpper = (c: number): boolean => c >= 65 && c <= 90;
const isAlpha = (c: number): boolean => isLower(c) || isUpper(c);
const isAlnum = (c: number): boolean => isDigit(c) || isAlpha(c);
const isMicro = (c: number): boolean => c === 0xb5 || c === 0x3bc;
const isNumberSep = (c: number): boolean => c === 46 || c === 58 || c === 44;
const isHexLetter = (c: number): boolean => (c >= 97 && c <= 102) || (c >= 65 && c <= 70);

const DOTTED_RE = /[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+){2,}/g;
/**
 * A dotted name is an address when a label starts with a value (10.0.0.1, 5.36.59.76.dsl.example.net),
 * holds a value of 2+ characters (ip-10-1.ec2.internal), or a name in it holds a 2+ digit number
 * (web12.example.org). Values are judged as whole runs (see isValueRun), never by which
 * characters of a run are digits: the line cache (log-skeleton.ts) relies on that.
 */
function maskDotted(m: string): string {
  let labelStart = true;
  for (let k = 0; k < m.length; ) {
    const c = m.charCodeAt(k);
    if (!isAlnum(c)) {
      labelStart = c === 46;
      k++;
      continue;
    }
    let e = k + 1;
    while (e < m.length && isAlnum(m.charCodeAt(e))) e++;
    if (isValueRun(m, k, e)) {
      if (labelStart || e - k >= 2) return WILDCARD;
    } else {
      for (let d = k + 1; d < e; d++) if (isDigit(m.charCodeAt(d)) && isDigit(m.charCodeAt(d - 1))) return WILDCARD;
    }
    labelStart = false;
    k = e;
  }
  return m;
}

/**
 * Whether the alphanumeric run t[s, e) is a value: it starts with a digit (10, 3ms, 0x1f), or is 6+
 * hexadecimal characters with a digit (a489c868f0). Which characters are digits and which hex
 * letters does not matter beyond that, so the line cache can read them alike.
 */
function isValueRun(t: string, s: number, e: number): boolean {
  if (isDigit(t.charCodeAt(s))) return true;
  if (e - s < 6) return false;
  let digit = false;
  for (let k = s; k < e; k++) {
    const c = t.charCodeAt(k);
    if (isDigit(c)) digit = true;
    else if (!isHexLetter(c)) return false;
  }
  return digit;
}

/** Whether a value run starts at t[s] (a run start: t[s - 1] is not alphanumeric). */
function valueRunAt(t: string, s: number): boolean {
  if (s >= t.length || !isAlnum(t.charCodeAt(s))) return false;
  let e = s + 1;
  while (e < t.length && isAlnum(t.charCodeAt(e))) e++;
  return isValueRun(t, s, e);
}

// Host names are values: the same statement runs against many hosts. A host name here: 3+ labels
// of letters/digits/hyphens ending in a top-level label that names networks: a country code, a
// generic domain (com, org, net, ...), or a private suffix (internal, local, lan, corp). Dotted
// code names end otherwise (spark.executor.memory, jquery.min.js, libc.so), and reverse-DNS
// identifiers (com.apple.xpc, org.apache.Foo, android.intent.X) start with such a label instead.
const HOST_RE = /^[A-Za-z0-9][A-Za-z0-9-]*(?:\.[A-Za-z0-9-]+)+\.([A-Za-z]{2,8})$/;
const REVERSE_DNS_FIRST = new Set(['com', 'org', 'net', 'edu', 'gov', 'io', 'java', 'javax', 'android', 'androidx', 'sun', 'kotlin', 'scala']);
const GENERIC_TLD = new Set(['com', 'net', 'org', 'edu', 'gov', 'mil', 'int', 'info', 'biz', 'name', 'pro', 'mobi', 'asia', 'arpa', 'cloud', 'online', 'site', 'tech', 'local', 'localdomain', 'lan', 'internal', 'intranet', 'corp', 'home', 'priv', 'private']);
// two-letter labels that end file names and code names, not country domains
const NOT_COUNTRY = new Set(['js', 'py', 'rb', 'go', 'so', 'sh', 'md', 'ts', 'gz', 'db', 'pl', 'cc', 'hh', 'mm', 'cs', 'kt', 'rs', 'el', 'ml', 'vm', 'fs', 'ui', 'id', 'ok', 'on']);
function maskHosts(m: string): string {
  const t = HOST_RE.exec(m);
  if (t === null) return m;
  const tld = t[1].toLowerCase();
  if (tld.length === 2 ? NOT_COUNTRY.has(tld) : !GENERIC_TLD.has(tld)) return m;
  const first = m.slice(0, m.indexOf('.')).toLowerCase();
  return REVERSE_DNS_FIRST.has(first) ? m : WILDCARD;
}

// name:port is an endpoint, so the name is a host even with one dot (csdnimg.cn:80); source
// locations (Foo.cpp:120) look alike and are code, not hosts.
// (the port: a value run, see isValueRun)
const HOSTPORT_RE = /[A-Za-z0-9][A-Za-z0-9-]*(?:\.[A-Za-z0-9-]+)*\.([A-Za-z]{2,6})(?=:(?:\d|(?=[0-9a-fA-F]*\d)[0-9a-fA-F]{6,}(?![A-Za-z0-9])))/g;
const SOURCE_EXT = new Set(['c', 'h', 'cc', 'cpp', 'hpp', 'cxx', 'java', 'py', 'go', 'js', 'ts', 'rb', 'cs', 'm', 'mm', 'swift', 'kt', 'scala', 'rs', 'php', 'pl', 'lua', 'erl', 'ex', 'exs']);
function maskHostPort(m: string, ext: string): string {
  return SOURCE_EXT.has(ext.toLowerCase()) ? m : WILDCARD;
}

// MAC addresses and other colon/dash-separated byte strings (00:1a:2b:3c, FF-F2-9F-16)
const HEXPAIRS_RE = /(?:[0-9A-Fa-f]{2}[:-]){3,}[0-9A-Fa-f]{2}/g;
const isPairSep = (c: number): boolean => c === 58 || c === 45;
/** Cheap pre-check for HEXPAIRS_RE: a match has separators (':' or '-') 3 apart, 3 times in a row. */
function mayHaveHexPairs(tok: string): boolean {
  for (let k = 2; k + 8 < tok.length; k++) {
    if (isPairSep(tok.charCodeAt(k)) && isPairSep(tok.charCodeAt(k + 3)) && isPairSep(tok.charCodeAt(k + 6))) return true;
  }
  return false;
}
// Month and weekday names belong to the date around them ("Fri Jul 01 08:16:53 2005").
const CALENDAR = new Set(['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'sept', 'oct', 'nov', 'dec', 'january', 'february', 'march', 'april', 'june', 'july', 'august', 'september', 'october', 'november', 'december', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday']);
const UUID_RE = /[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/g;
// A quoted single-token value: opens at a token start or after = : ( [ , and closes before a token end or
// punctuation. Apostrophes inside words (can't, isn't) never open a span.
const QUOTED_RE = /(^|[\s=:([,{])(["'`])[^"'`\s]*\2(?=$|[\s,;:.)\]}])/g;

const isOpening = (c: number): boolean => c === 40 || c === 91 || c === 123 || c === 34 || c === 39 || c === 96 || c === 61;
const isClosing = (c: number): boolean => c === 41 || c === 93 || c === 125 || c === 34 || c === 39 || c === 96 || c === 44 || c === 59 || c === 58 || c === 46 || c === 33;

/**
 * Paths (/a/b, /healthz, ~/x, C:\x, \\server\share) and URLs (scheme://...) are values, also
 * inside brackets or quotes: "(/var/lib/x):" masks to "(<*>):". Returns the masked token, or null
 * when the token is not one. A lone "/" or "//" stays a word.
 */
function maskPathOrUrl(tok: string): string | null {
  let s = 0;
  while (s < tok.length - 1 && isOpening(tok.charCodeAt(s))) s++;
  let e = tok.length;
  while (e > s + 1 && isClosing(tok.charCodeAt(e - 1))) e--;
  const c0 = tok.charCodeAt(s);
  let path = false;
  if (c0 === 47 /* / */ || c0 === 126 /* ~ */) {
    // "/x", "~/x": a separator followed by a name; "~" alone or "//" are not paths
    const k = c0 === 126 ? s + 1 : s;
    path = tok.charCodeAt(k) === 47 && k + 1 < e && isNameStart(tok.charCodeAt(k + 1));
  } else if (c0 === 92 /* \ */) path = tok.charCodeAt(s + 1) === 92 && e - s > 3; // \\server\share
  else if (e - s > 3 && tok.charCodeAt(s + 1) === 58 && tok.charCodeAt(s + 2) === 92 && isAlpha(c0)) path = true; // C:\
  else {
    const k = tok.indexOf('://', s);
    path = k > s && k - s < 12;
  }
  if (!path) return null;
  return s === 0 && e === tok.length ? WILDCARD : tok.slice(0, s) + WILDCARD + tok.slice(e);
}
// what may follow a path's first separator: a name, a hidden one (/.ssh) or one starting with _
const isNameStart = (c: number): boolean => isAlnum(c) || c === 95 || c === 46;

/**
 * Mask one whitespace-free token. Returns the token with each variable run replaced by <*>.
 * Works on alphanumeric runs: a run is a value when it starts with a digit (numbers, 10ms, 4KB,
 * 1a2b), or is a hexadecimal string of 6+ chars with a digit (ids, hashes), or is 0x-prefixed.
 * Numbers absorb a leading sign and dots/colons between digit groups (IPs, versions, times).
 */
export function maskToken(tok: string): string {
  let dots = 0;
  let digit = false;
  for (let k = 0; k < tok.length; k++) {
    const c = tok.charCodeAt(k);
    if (c === 46) dots++;
    else if (c >= 48 && c <= 57) digit = true;
  }
  if (tok.length === 0) return tok;
  const path = maskPathOrUrl(tok);
  if (path !== null) return path;
  if (dots >= 2) tok = tok.replace(DOTTED_RE, maskHosts);
  if (!digit) return tok;
  const m = maskDigits(tok, dots);
  // two rules may mask adjacent parts (a MAC-like tail after a number: 87T79:90:93:37): one value
  return m.indexOf('<*><*>') >= 0 ? m.replace(ADJACENT_RE, WILDCARD) : m;
}
const ADJACENT_RE = /(?:<\*>){2,}/g;

/** maskToken for a token known to contain a digit and not to be a path/URL. */
function maskDigits(tok: string, dots: number): string {
  // a dotted name with a numeric label is an address (5.36.59.76.dsl.example.net, ip-10-1.ec2.internal)
  if (dots >= 2 && tok.indexOf('.') >= 0) tok = tok.replace(DOTTED_RE, maskDotted);
  if (dots >= 1 && tok.indexOf(':') > 0) tok = tok.replace(HOSTPORT_RE, maskHostPort);
  if (tok.length >= 11 && (tok.indexOf(':') >= 0 || tok.indexOf('-') >= 0) && mayHaveHexPairs(tok)) tok = tok.replace(HEXPAIRS_RE, WILDCARD);
  const n = tok.length;
  let out = '';
  let last = 0; // start of not-yet-copied text
  let i = 0;
  let changed = false;
  while (i < n) {
    const c = tok.charCodeAt(i);
    if (!isAlnum(c)) {
      i++;
      continue;
    }
    // alphanumeric run [i, j)
    let j = i;
    let digits = 0;
    let hexOnly = true;
    while (j < n) {
      const d = tok.charCodeAt(j);
      if (isDigit(d)) digits++;
      else if (isAlpha(d)) {
        if (!isHexLetter(d)) hexOnly = false;
      } else break;
      j++;
    }
    const len = j - i;
    const startsDigit = isDigit(c);
    const hex0x = len > 2 && c === 48 && (tok.charCodeAt(i + 1) | 32) === 120; // 0x...
    const longHex = hexOnly && digits > 0 && len >= 6;
    if (startsDigit || hex0x || longHex) {
      let s = i;
      // absorb a sign or comparison that is not part of a word (blk_-123 -> blk_<*>, <1 -> <*>)
      if (s > 0) {
        const p = tok.charCodeAt(s - 1);
        if ((p === 45 || p === 43 || p === 60 || p === 62 || p === 126) && (s === 1 || !isAlnum(tok.charCodeAt(s - 2)))) s--;
      }
      // absorb .value / :value continuations: 10.0.0.1, 1.2.3, 12:30:45.123, 3.5GB; and a
      // micro sign, which is a unit's letter after a number (38.6µs, 250μs)
      for (;;) {
        if (j < n && isMicro(tok.charCodeAt(j))) j++;
        else if (j + 1 < n && isNumberSep(tok.charCodeAt(j)) && valueRunAt(tok, j + 1)) j += 1;
        else break;
        while (j < n && (isAlnum(tok.charCodeAt(j)) || isMicro(tok.charCodeAt(j)))) j++;
      }
      // an identifier with a number after "_" or "-" is an id: the rest of it is too
      // (task_1445_0020_m_000000 -> task_<*>, so its inner letters do not split templates)
      if (s > 0 && (tok.charCodeAt(s - 1) === 95 || (tok.charCodeAt(s - 1) === 45 && s > 1 && isAlnum(tok.charCodeAt(s - 2))))) {
        while (j < n) {
          const d = tok.charCodeAt(j);
          if (isAlnum(d) || d === 95 || d === 45) j++;
          else break;
        }
      }
      if (s < last) s = last;
      out += tok.slice(last, s) + WILDCARD;
      last = j;
      changed = true;
    }
    i = j;
  }
  if (!changed) return tok;
  out += tok.slice(last);
  return out;
}

/** Cheap pre-check for the 8-4-4-4-12 dash layout before running the UUID regex. */
function mayHaveUuid(msg: string): boolean {
  for (let k = msg.indexOf('-', 8); k >= 0 && k + 28 <= msg.length; k = msg.indexOf('-', k + 1)) {
    if (msg.charCodeAt(k + 5) === 45 && msg.charCodeAt(k + 10) === 45 && msg.charCodeAt(k + 15) === 45) return true;
  }
  return false;
}

/** Replace UUIDs and quoted values in the raw message before it is split into tokens. */
export function preMask(msg: string): string {
  if (msg.length >= 36 && mayHaveUuid(msg)) msg = msg.replace(UUID_RE, WILDCARD);
  if (msg.indexOf('"') >= 0 || msg.indexOf("'") >= 0 || msg.indexOf('`') >= 0) {
    // quoted spans only open at a token boundary; skip the regex when no quote can open one
    msg = msg.replace(QUOTED_RE, (_m, pre: string, q: string) => pre + q + WILDCARD + q);
  }
  return msg;
}

// Units that belong to the number before them: "1.16 KB", "<1 sec", "20 ms" are one value.
const UNITS = new Set(['b', 'kb', 'mb', 'gb', 'tb', 'pb', 'kib', 'mib', 'gib', 'tib', 'byte', 'bytes', 'ms', 'us', 'µs', 'ns', 's', 'sec', 'secs', 'second', 'seconds', 'min', 'mins', 'minute', 'minutes', 'h', 'hr', 'hrs', 'hour', 'hours', 'day', 'days', '%']);
const UNIT_MAX = Math.max(...[...UNITS].map((u) => u.length));

/** A value token: a <*> with nothing around it but brackets/punctuation ("<*>", "(<*>)", "<*>,"). */
function isValueToken(t: string): boolean {
  const k = t.indexOf(WILDCARD);
  if (k < 0) return false;
  for (let i = 0; i < t.length; i++) {
    if (i === k) {
      i += WILDCARD.length - 1;
      continue;
    }
    const c = t.charCodeAt(i);
    if (isAlnum(c) || c === 60 || c === 62) return false;
  }
  return true;
}

function isBracketed(t: string): boolean {
  const a = t.charCodeAt(0);
  const b = t.charCodeAt(t.length - 1);
  return (a === 40 && b === 41) || (a === 91 && b === 93);
}

/** Length of t without its trailing punctuation ("KB)," -> 2); '%' counts as a word character. */
function coreLength(t: string): number {
  let e = t.length;
  while (e > 0 && !isAlnum(t.charCodeAt(e - 1)) && t.charCodeAt(e - 1) !== 37) e--;
  return e;
}

// Token output state of the current tokensOfPremasked call (module-level rather than closures so the
// hot path allocates nothing but the tokens themselves; calls never interleave: all synchronous).
let out: string[] = [];
let prevValue = false;
/** an opening bracket waiting to be joined to the next token */
let pendingOpen = '';

// Masked form of the tokens that need a rule, by digit skeleton (see log-skeleton.ts): values of
// one shape (blk_-1608999687919862906, 10.251.31.5:50010, 2005-06-03-15.42.50.363779) differ
// only in their digits, so one entry serves them all; names such as ssh2 keep their digits in the
// skeleton (ssh2 and ssh3 are two entries), and a token without digits is its own skeleton.
// tokensOfPremasked hashes each token's skeleton while it scans the message and checks a hit against
// the message in place, so a token of a known shape costs no substring, no second pass and no
// map lookup. Direct-mapped (slot = hash): a store is two array writes and never grows, which
// matters when most shapes are one-offs (random hex ids); two shapes sharing a slot only evict
// each other.
const SLOTS = 1 << 13;
const cachedRaw: string[] = new Array<string>(SLOTS).fill('');
const cachedMasked: string[] = new Array<string>(SLOTS).fill('');

/** Push the masked form of m[s, e), whose skeleton hash (as accumulated by tokensOfPremasked) is h. */
function pushCached(m: string, s: number, e: number, h: number): void {
  h = Math.imul(h ^ (e - s), 0x2c1b3c6d);
  const slot = (h ^ (h >>> 15)) & (SLOTS - 1);
  const raw = cachedRaw[slot];
  if (raw.length === e - s && sameSkeletonAt(raw, m, s)) {
    pushMasked(cachedMasked[slot]);
    return;
  }
  const tok = m.slice(s, e);
  const t = maskToken(tok);
  cachedRaw[slot] = detached(tok);
  cachedMasked[slot] = t;
  pushMasked(t);
}

function pushMasked(t: string): void {
  if (pendingOpen !== '') {
    t = pendingOpen + t;
    pendingOpen = '';
  }
  const last = out.length > 0 ? out[out.length - 1] : '';
  // a run of variables is one variable; a list of same-kind values (blk_<*> blk_<*>) is one value
  if ((t === WILDCARD && last === WILDCARD) || (t === last && t.indexOf(WILDCARD) >= 0)) return;
  if (prevValue) {
    const e = coreLength(t);
    // (no unit is longer than UNIT_MAX: longer words skip the lookup and its strings)
    if (e <= UNIT_MAX && UNITS.has(t.slice(0, e).toLowerCase())) {
      const tail = t.slice(e);
      if (tail) out[out.length - 1] += tail;
      // a bracketed quantity right after a quantity restates it: "1190 bytes (1.16 KB)"
      const k = out.length - 1;
      if (k >= 1 && isBracketed(out[k]) && isValueToken(out[k - 1])) out.pop();
      return;
    }
  }
  out.push(t);
  prevValue = t.length >= 3 && t.indexOf('<*>') >= 0 && isValueToken(t);
}

// Separators. Most messages only use spaces: then only ' ' separates tokens (two spaces make an
// empty token, which is skipped). A message with a tab or line break is split on any whitespace
// (what /\s/ matches), as a log line reflowed by its writer.
const WS_RE = /[\t\r\n\f\v]/;
function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/**
 * Split a message into masked tokens. Whitespace separates tokens; "key=value" is split after the
 * "=" so the value is its own position (rhost=<*>, user=root). A unit after a value is part of
 * it; a run of adjacent value tokens (lists, "1190 bytes (1.16 KB)") collapses into one, so a
 * value spanning a varying number of words still yields one template.
 */
export function maskedTokens(msg: string): string[] {
  return tokensOfPremasked(preMask(msg));
}

/**
 * maskedTokens of a message that already went through preMask (the miner premasks to key its
 * cache). One pass over the message finds each token and, in the same pass, what it holds and
 * its skeleton hash. Only tokens that can need a rule (a digit, '.', '=', ':', or a leading '/' or
 * '~' for paths) go through the token cache and maskToken; any other token is a plain word and is
 * kept as is. Scanning char codes here replaces a split plus regex tests per token.
 */
export function tokensOfPremasked(m: string): string[] {
  out = [];
  prevValue = false;
  pendingOpen = '';
  const anySpace = WS_RE.test(m);
  const n = m.length;
  let i = 0;
  while (i < n) {
    let c = m.charCodeAt(i);
    if (anySpace ? isSpace(c) : c === 32) {
      i++;
      continue;
    }
    const start = i;
    let special = c === 47 /* / */ || c === 126; /* ~ */
    let digit = false;
    let eq = -1;
    let slash = false; // a '/' before the first '=': a URL's query (/search?q=x), not key=value
    // skeleton hashes (FNV-1a over the characters, digits not after a letter read as '0') of the
    // whole token, of its "key=" part and of the part after its first '='
    let h = 0x811c9dc5;
    let hKey = 0;
    let hValue = 0x811c9dc5;
    let afterLetter = false;
    for (; i < n; i++) {
      c = m.charCodeAt(i);
      let f = c;
      if (c >= 48 && c <= 57) {
        digit = true;
        if (!afterLetter) f = 48;
      } else {
        if (c === 46 || c === 58 || c === 47 || c === 92) {
          special = true;
          if (c === 47 && eq < 0) slash = true;
        }
        else if (c === 61) {
          if (eq < 0) {
            eq = i;
            hKey = Math.imul(h ^ c, 0x01000193);
            hValue = 0x811c9dc5;
            h = hKey;
            afterLetter = false;
            continue;
          }
        } else if (anySpace ? isSpace(c) : c === 32) break;
        afterLetter = isAlpha(c);
      }
      h = Math.imul(h ^ f, 0x01000193);
      if (eq >= 0) hValue = Math.imul(hValue ^ f, 0x01000193);
    }
    if (!special && !digit && eq < 0) {
      const tok = m.slice(start, i);
      // a month/weekday name next to a number is part of a date; the next token is the text after
      // this one's separator (after a run of whitespace when splitting on any whitespace)
      if (tok.length <= 9 && (prevValue || nextIsValue(m, i, anySpace)) && CALENDAR.has(tok.toLowerCase())) pushMasked(WILDCARD);
      // a bracket padded away from its number ("[   18.926341]", as dmesg writes times) is one
      // token with it, so the padding's width does not change the token count
      else if (tok.length === 1 && (tok === '[' || tok === '(') && nextIsValue(m, i, anySpace)) pendingOpen = tok;
      else pushMasked(tok); // plain word: no rule applies
      continue;
    }
    // key=value: the value is its own position (rhost=<*>, user=root)
    if (eq > start && eq < i - 1 && !slash) {
      pushCached(m, start, eq + 1, hKey);
      prevValue = false;
      pushCached(m, eq + 1, i, hValue);
    } else pushCached(m, start, i, h);
  }
  const result = out;
  out = [];
  return result;
}

/** Whether the token after the separator at `i` (and any padding) starts with a value run. */
function nextIsValue(m: string, i: number, anySpace: boolean): boolean {
  if (i >= m.length) return false;
  let k = i + 1;
  while (k < m.length && (anySpace ? isSpace(m.charCodeAt(k)) : m.charCodeAt(k) === 32)) k++;
  return valueRunAt(m, k);
}
