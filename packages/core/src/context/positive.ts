import { AgentConfigError } from '../errors.js';

/** Checks a policy option: an integer ≥ 1. */
export function positive(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) throw new AgentConfigError(`\`${name}\` must be an integer ≥ 1 (got ${value}).`);
}
