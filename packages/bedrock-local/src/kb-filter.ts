import { isObject } from './wire-types.js';

/** A metadata attribute value, as a `.metadata.json` sidecar holds it. */
export type MetadataValue = string | number | boolean | string[];
export type Metadata = Record<string, MetadataValue>;

const LEAF_OPERATORS = [
  'equals',
  'notEquals',
  'greaterThan',
  'greaterThanOrEquals',
  'lessThan',
  'lessThanOrEquals',
  'in',
  'notIn',
  'startsWith',
  'listContains',
  'stringContains',
] as const;
const GROUP_OPERATORS = ['andAll', 'orAll'] as const;
const ALL_OPERATORS: readonly string[] = [...LEAF_OPERATORS, ...GROUP_OPERATORS];

/**
 * The shape problems of a RetrievalFilter, as the service's constraint messages (`Value … at '…'
 * failed to satisfy constraint: …`). `path` is where the filter sits in the request.
 */
export function filterProblems(filter: unknown, path: string): string[] {
  if (!isObject(filter)) return [`Value at '${path}' failed to satisfy constraint: Member must be a structure`];
  const set = Object.keys(filter).filter((key) => filter[key] !== undefined && filter[key] !== null);
  const unknown = set.filter((key) => !ALL_OPERATORS.includes(key));
  if (unknown.length > 0) {
    return [
      `Value at '${path}' failed to satisfy constraint: Member must have exactly one of these members set: ${ALL_OPERATORS.join(', ')}`,
    ];
  }
  if (set.length !== 1) {
    return [`Value at '${path}' failed to satisfy constraint: Member must have exactly one member set, got ${set.length}`];
  }
  const operator = set[0] as string;
  const operand = filter[operator];
  const at = `${path}.${operator}`;
  if (operator === 'andAll' || operator === 'orAll') {
    if (!Array.isArray(operand)) return [`Value at '${at}' failed to satisfy constraint: Member must be a list`];
    const problems =
      operand.length < 2
        ? [`Value '${JSON.stringify(operand)}' at '${at}' failed to satisfy constraint: Member must have length greater than or equal to 2`]
        : [];
    operand.forEach((member, index) => problems.push(...filterProblems(member, `${at}.${index + 1}.member`)));
    return problems;
  }
  if (!isObject(operand)) return [`Value at '${at}' failed to satisfy constraint: Member must be a structure`];
  const problems: string[] = [];
  const key = operand.key;
  if (typeof key !== 'string') problems.push(`Value null at '${at}.key' failed to satisfy constraint: Member must not be null`);
  else if (key.length < 1 || key.length > 100) {
    problems.push(`Value '${key}' at '${at}.key' failed to satisfy constraint: Member must have length between 1 and 100`);
  }
  const value = operand.value;
  if (value === undefined || value === null)
    problems.push(`Value null at '${at}.value' failed to satisfy constraint: Member must not be null`);
  else if ((operator === 'in' || operator === 'notIn') && !Array.isArray(value)) {
    problems.push(`Value at '${at}.value' failed to satisfy constraint: ${operator} needs a list of values`);
  } else if (operator.startsWith('greater') || operator.startsWith('less')) {
    if (typeof value !== 'number') problems.push(`Value at '${at}.value' failed to satisfy constraint: ${operator} needs a number`);
  } else if ((operator === 'startsWith' || operator === 'stringContains') && typeof value !== 'string') {
    problems.push(`Value at '${at}.value' failed to satisfy constraint: ${operator} needs a string`);
  }
  return problems;
}

/** Whether a chunk's metadata passes a filter that `filterProblems` found no problem with. */
export function matchesFilter(filter: Record<string, unknown>, metadata: Metadata): boolean {
  const [operator, operand] = Object.entries(filter).find(([, v]) => v !== undefined && v !== null) as [string, unknown];
  if (operator === 'andAll') return (operand as Record<string, unknown>[]).every((f) => matchesFilter(f, metadata));
  if (operator === 'orAll') return (operand as Record<string, unknown>[]).some((f) => matchesFilter(f, metadata));
  const { key, value } = operand as { key: string; value: unknown };
  const attribute = metadata[key];
  switch (operator) {
    case 'equals':
      return attribute !== undefined && same(attribute, value);
    case 'notEquals':
      return attribute === undefined || !same(attribute, value);
    case 'greaterThan':
      return typeof attribute === 'number' && attribute > (value as number);
    case 'greaterThanOrEquals':
      return typeof attribute === 'number' && attribute >= (value as number);
    case 'lessThan':
      return typeof attribute === 'number' && attribute < (value as number);
    case 'lessThanOrEquals':
      return typeof attribute === 'number' && attribute <= (value as number);
    case 'in':
      return attribute !== undefined && (value as unknown[]).some((candidate) => same(attribute, candidate));
    case 'notIn':
      return attribute === undefined || !(value as unknown[]).some((candidate) => same(attribute, candidate));
    case 'startsWith':
      return typeof attribute === 'string' && attribute.startsWith(value as string);
    case 'listContains':
      return Array.isArray(attribute) && attribute.some((item) => same(item, value));
    case 'stringContains':
      if (typeof attribute === 'string') return attribute.includes(value as string);
      return Array.isArray(attribute) && attribute.some((item) => item.includes(value as string));
    default:
      return false;
  }
}

function same(attribute: unknown, value: unknown): boolean {
  if (Array.isArray(attribute) || Array.isArray(value)) return JSON.stringify(attribute) === JSON.stringify(value);
  return attribute === value;
}
