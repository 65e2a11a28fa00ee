// Validation of the values that flow from a deployment event (service, version, environment…) into
// actuator arguments, resource names and URLs. A webhook sender controls these strings, so every
// one is checked against an allow-list before it can reach an argv or an API path. Written by hand:
// the rule is ours (what may appear in an argv element), not a generic library concern.

/** Letters, digits and `. _ : @ + / -`; must start with a letter or digit; at most 253 chars. */
const SAFE = /^[A-Za-z0-9][A-Za-z0-9._:@+/-]{0,252}$/;

export type Check = { ok: true } | { ok: false; reason: string };

/** Why `value` may not be used as (part of) one command argument, or ok. */
export function checkValue(name: string, value: string): Check {
  if (value.length === 0) return { ok: false, reason: `${name} is empty` };
  if (/[\r\n\0]/.test(value)) return { ok: false, reason: `${name} contains a newline or NUL` };
  if (value.startsWith('-')) return { ok: false, reason: `${name} starts with '-' and would read as an option` };
  if (value.includes('..')) return { ok: false, reason: `${name} contains '..'` };
  if (value.length > 253) return { ok: false, reason: `${name} is longer than 253 characters` };
  if (!SAFE.test(value)) {
    const bad = [...value].find((c) => !/[A-Za-z0-9._:@+/-]/.test(c)) ?? value[0];
    return { ok: false, reason: `${name} contains ${JSON.stringify(bad)}, which is not allowed (allowed: letters, digits and . _ : @ + / -, starting with a letter or digit)` };
  }
  return { ok: true };
}

/** Kubernetes object names (RFC 1123 subdomain), stricter than checkValue. */
export function checkK8sName(name: string, value: string): Check {
  const base = checkValue(name, value);
  if (!base.ok) return base;
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(value))
    return { ok: false, reason: `${name} ${JSON.stringify(value)} is not a valid Kubernetes name (lower-case letters, digits, '-' and '.')` };
  return { ok: true };
}

export class TemplateError extends Error {}

/**
 * Replaces `{name}` placeholders inside ONE argument. The result is still one argument: values are
 * never split on spaces and never pass through a shell. Unknown or missing placeholders and values
 * that fail `check` throw a TemplateError with the reason.
 */
export function renderArg(
  template: string,
  values: Record<string, string | undefined>,
  check: (name: string, value: string) => Check = checkValue,
): string {
  return template.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, key: string) => {
    if (!Object.hasOwn(values, key)) throw new TemplateError(`unknown placeholder {${key}} (known: ${Object.keys(values).sort().join(', ')})`);
    const v = values[key];
    if (v === undefined || v === '') throw new TemplateError(`placeholder {${key}} has no value for this deployment`);
    const c = check(key, v);
    if (!c.ok) throw new TemplateError(c.reason);
    return v;
  });
}
