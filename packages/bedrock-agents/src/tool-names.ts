import { createHash } from 'node:crypto';

const MAX = 64;

/** A name Bedrock and Nova accept (letters, digits, underscores; at most 64), close to `name`. */
export function novaSafeName(name: string): string {
  let safe = name
    .replace(/[^A-Za-z0-9_]+/g, '_')
    .replace(/_+/g, '_')
    .replace(/^_|_$/g, '');
  if (safe === '') safe = 'action';
  if (safe.length <= MAX) return safe;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  return `${safe.slice(0, MAX - 9)}_${hash}`;
}

/**
 * Unique tool names for actions: each action's own name made Nova-safe, prefixed with its action
 * group's name where two groups share a name (Agents keeps them apart by group), numbered if still equal.
 */
export function assignToolNames(actions: readonly { actionGroup: string; name: string }[]): string[] {
  const base = actions.map((action) => novaSafeName(action.name));
  const counts = new Map<string, number>();
  for (const name of base) counts.set(name, (counts.get(name) ?? 0) + 1);
  const used = new Set<string>();
  return actions.map((action, i) => {
    let name = base[i] as string;
    if ((counts.get(name) ?? 0) > 1) name = novaSafeName(`${action.actionGroup}__${action.name}`);
    let unique = name;
    for (let n = 2; used.has(unique); n++) unique = novaSafeName(`${name}_${n}`);
    used.add(unique);
    return unique;
  });
}
