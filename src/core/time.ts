/** ISO-8601 → epoch ms; NaN when it is not a time. */
export function parseTime(iso: string): number {
  return Date.parse(iso);
}

export function isoTime(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}
