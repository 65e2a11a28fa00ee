// Where the commander API lives. One setting, read in this order (first non-empty wins):
//   1. a browser override saved on the Settings page (localStorage 'commander.apiBase')
//   2. window.COMMANDER_API, set by a <script> a host may inject before the app
//   3. "apiBase" in ./config.json next to index.html (edit it after deploying static files)
//   4. VITE_COMMANDER_API at build time
//   5. '' = the same origin that served the dashboard (the commander itself serves it at /)

export function resolveApiBase(candidates: Array<string | null | undefined>): string {
  for (const c of candidates) {
    if (typeof c === 'string' && c.trim() !== '') return c.trim().replace(/\/+$/, '');
  }
  return '';
}

/** Only http(s) URLs (or '' for same origin) are accepted as an API base. */
export function validApiBase(s: string): boolean {
  if (s === '') return true;
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}
