import { createHash } from 'node:crypto';

const MAX = 64;

/**
 * Bedrock tool names for MCP tool names: `[a-zA-Z0-9_]{1,64}` (Nova fails at run time on hyphens,
 * and Bedrock refuses dots and longer names). A name already safe stays as it is; a changed one that
 * would collide with another gets a short hash of its MCP name, so two MCP names never map to one
 * tool. Returns safe name -> MCP name, in the order given.
 */
export function safeToolNames(names: readonly string[], prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const name of names) {
    const base = `${prefix}${name}`.replace(/[^a-zA-Z0-9_]/g, '_') || 'tool';
    let safe = fit(base);
    if (out.has(safe)) safe = fit(base, `_${hash(name)}`);
    for (let n = 2; out.has(safe); n++) safe = fit(base, `_${hash(name)}_${n}`);
    out.set(safe, name);
  }
  return out;
}

/** `name + suffix`, cut to 64; a name cut without a suffix keeps a hash of what it was. */
function fit(name: string, suffix = ''): string {
  if (name.length + suffix.length <= MAX) return name + suffix;
  const tail = suffix || `_${hash(name)}`;
  return name.slice(0, MAX - tail.length) + tail;
}

const hash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 8);
