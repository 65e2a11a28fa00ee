// Lookups keyed by outside data (a webhook's environment name, a service from a deployment, a
// metric name a client pushed): a plain `obj[key]` with key 'constructor', 'toString' or
// '__proto__' finds Object.prototype's members instead of "nothing configured".

/** obj[key] only when key is obj's own property. */
export function own<V>(obj: Readonly<Partial<Record<string, V>>> | undefined, key: string): V | undefined {
  return obj !== undefined && obj !== null && Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/** An object with no prototype, for maps from outside names to values that must stay plain objects (JSON, spreads). */
export function dict<V>(): Record<string, V> {
  return Object.create(null) as Record<string, V>;
}
