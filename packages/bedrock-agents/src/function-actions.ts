import type { AgentActionGroup } from '@aws-sdk/client-bedrock-agent';
import { z } from 'zod/v4';
import { BedrockAgentsError } from './errors.js';
import type { ZodType } from './json-schema-to-zod.js';

/** One function of a function-schema action group, ready to become a tool. */
export interface FunctionAction {
  kind: 'function';
  actionGroup: string;
  function: string;
  description: string;
  input: z.ZodObject;
  /** Each parameter's declared Agents type (string, number, integer, boolean, array), for the Lambda event. */
  parameterTypes: Record<string, string>;
  requireConfirmation: boolean;
}

const PARAMETER_TYPES: Record<string, () => ZodType> = {
  string: () => z.string(),
  number: () => z.number(),
  integer: () => z.number().int(),
  boolean: () => z.boolean(),
  array: () => z.array(z.unknown()),
};

/** The functions of a function-schema action group, with their parameters as zod schemas. */
export function functionActions(group: AgentActionGroup): FunctionAction[] {
  const actionGroup = group.actionGroupName ?? '';
  const functions = group.functionSchema && 'functions' in group.functionSchema ? (group.functionSchema.functions ?? []) : [];
  return functions.map((fn) => {
    const name = fn.name ?? '';
    const shape: Record<string, ZodType> = {};
    const parameterTypes: Record<string, string> = {};
    for (const [parameter, detail] of Object.entries(fn.parameters ?? {})) {
      const type = detail.type ?? 'string';
      const make = PARAMETER_TYPES[type];
      if (!make) {
        throw new BedrockAgentsError(
          'AGENT_SCHEMA_INVALID',
          `Action group ${actionGroup}, function ${name}: parameter ${parameter} has type ${JSON.stringify(type)}; Agents allows string, number, integer, boolean and array. Fix the function schema.`,
          { actionGroupName: actionGroup },
        );
      }
      let member = make();
      if (detail.description) member = member.describe(detail.description);
      shape[parameter] = detail.required ? member : member.optional();
      parameterTypes[parameter] = type;
    }
    return {
      kind: 'function',
      actionGroup,
      function: name,
      description: fn.description || `${name} (action group ${actionGroup})`,
      input: z.object(shape),
      parameterTypes,
      requireConfirmation: fn.requireConfirmation === 'ENABLED',
    };
  });
}
