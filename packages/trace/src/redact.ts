/**
 * What to hide before a trace leaves the process. Keys match case-insensitively, ignoring `-` and `_`,
 * and also as a suffix (`secret` hides `clientSecret` and `client_secret`); their whole value is
 * replaced. Patterns are matched inside every string, including JSON text such as tool outputs.
 */
export interface RedactOptions {
  /** Extra keys whose values are hidden, e.g. `['ssn', 'x-internal-token']`. */
  keys?: readonly string[];
  /** Extra patterns hidden wherever they occur in a string. Use the `g` flag or not: all matches are replaced. */
  patterns?: readonly RegExp[];
  /** Keep the built-in keys and patterns (default true). */
  defaults?: boolean;
  /** What a hidden value becomes (default `[REDACTED]`). */
  replacement?: string;
}

/** Turns any value into JSON-ready data with secrets hidden: Dates become ISO strings, errors `{ name, code, message }`. */
export type Redactor = (value: unknown) => unknown;

/** Keys hidden by default. */
export const DEFAULT_REDACT_KEYS: readonly string[] = [
  'password',
  'passwd',
  'passphrase',
  'secret',
  'authorization',
  'apikey',
  'accesstoken',
  'refreshtoken',
  'idtoken',
  'sessiontoken',
  'bearertoken',
  'secretaccesskey',
  'privatekey',
  'cookie',
  'setcookie',
  'credentials',
];

/** Patterns hidden by default: AWS access key ids, AWS-secret-looking strings, bearer tokens and PEM private keys. */
export const DEFAULT_REDACT_PATTERNS: readonly RegExp[] = [
  /\b(?:AKIA|ASIA|AIDA|AROA)[A-Z0-9]{16}\b/g,
  // 40 base64 characters with upper, lower and a digit or `/` `+`: the shape of an AWS secret access key.
  // Requiring mixed case keeps hex digests (git SHAs) readable.
  /(?<![A-Za-z0-9/+=])(?=[A-Za-z0-9/+]{0,39}[A-Z])(?=[A-Za-z0-9/+]{0,39}[a-z])(?=[A-Za-z0-9/+]{0,39}[0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g,
  /\bBearer\s+[A-Za-z0-9._~+/-]{8,}=*/gi,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g,
];

const MAX_DEPTH = 64;
const normalise = (key: string) => key.toLowerCase().replace(/[-_\s]/g, '');

/** `false` turns redaction off; `undefined` or `{}` uses the defaults. */
export function createRedactor(options: RedactOptions | false | undefined = {}): Redactor {
  if (options === false) return (value) => toJsonData(value, undefined, 0, new WeakSet());
  const defaults = options.defaults ?? true;
  const keys = [...(defaults ? DEFAULT_REDACT_KEYS : []), ...(options.keys ?? [])].map(normalise).filter((key) => key.length > 0);
  const patterns = [...(defaults ? DEFAULT_REDACT_PATTERNS : []), ...(options.patterns ?? [])].map(
    (pattern) => new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`),
  );
  const replacement = options.replacement ?? '[REDACTED]';
  const rules: Rules = {
    hidesKey: (key) => {
      const name = normalise(key);
      return keys.some((secret) => name === secret || name.endsWith(secret));
    },
    scrub: (text) => scrubString(text, patterns, replacement, rules),
    replacement,
  };
  return (value) => toJsonData(value, rules, 0, new WeakSet());
}

interface Rules {
  hidesKey(key: string): boolean;
  scrub(text: string): string;
  replacement: string;
}

function scrubString(text: string, patterns: RegExp[], replacement: string, rules: Rules): string {
  // Tool outputs and raw responses are JSON text: hide secret keys inside them too.
  const trimmed = text.trimStart();
  if ((trimmed.startsWith('{') || trimmed.startsWith('[')) && text.length < 5_000_000) {
    try {
      const parsed: unknown = JSON.parse(text);
      const cleaned = toJsonData(parsed, rules, 0, new WeakSet());
      return JSON.stringify(cleaned);
    } catch {
      // Not JSON after all: fall through to the patterns.
    }
  }
  let out = text;
  for (const pattern of patterns) {
    pattern.lastIndex = 0;
    out = out.replace(pattern, replacement);
  }
  return out;
}

function toJsonData(value: unknown, rules: Rules | undefined, depth: number, seen: WeakSet<object>): unknown {
  if (value === null || value === undefined) return value ?? null;
  if (typeof value === 'string') return rules ? rules.scrub(value) : value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'object') return null;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (depth >= MAX_DEPTH || seen.has(value)) return '[Circular or too deep]';
  seen.add(value);
  try {
    if (value instanceof Error) {
      const code = (value as { code?: unknown }).code;
      return toJsonData({ name: value.name, ...(code !== undefined ? { code } : {}), message: value.message }, rules, depth + 1, seen);
    }
    if (value instanceof Uint8Array) return `[${value.byteLength} bytes]`;
    if (Array.isArray(value)) return value.map((item) => toJsonData(item, rules, depth + 1, seen) ?? null);
    const out: Record<string, unknown> = {};
    // Agents' tool parameters are `{ name, type, value }` entries: a secret's name sits beside its value.
    const namedSecret =
      rules !== undefined && typeof (value as { name?: unknown }).name === 'string' && rules.hidesKey((value as { name: string }).name);
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined || typeof item === 'function') continue;
      const hidden = rules !== undefined && (rules.hidesKey(key) || (namedSecret && key === 'value'));
      out[key] = hidden ? rules.replacement : toJsonData(item, rules, depth + 1, seen);
    }
    return out;
  } finally {
    seen.delete(value);
  }
}
