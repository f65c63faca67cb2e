import { tool, type Tool } from '@novaloop/core';
import { z } from 'zod/v4';
import { evaluateExpression, MAX_EXPRESSION_LENGTH } from './calculator-parser.js';

export interface CalculatorOptions {
  /** Tool name; default `calculator`. */
  name?: string;
}

/**
 * Arithmetic for the model: + - * / % ^, parentheses, pi/e and common functions (sqrt, ln, log,
 * round, min, max, ...). Division by zero, results beyond a double and malformed input are error
 * results the model reads, never crashes.
 */
export function calculator(options: CalculatorOptions = {}): Tool {
  return tool({
    name: options.name ?? 'calculator',
    description:
      'Evaluate an arithmetic expression exactly instead of doing the math yourself. Supports + - * / % ^ (power), parentheses, ' +
      'the constants pi and e, and sqrt, cbrt, abs, exp, ln, log10, log2, log(x, base), sin, cos, tan, asin, acos, atan, floor, ceil, round(x, digits), min, max.',
    input: z.object({
      expression: z.string().min(1).max(MAX_EXPRESSION_LENGTH).describe('The expression, e.g. (1200 * 0.07) / 12'),
    }),
    run: ({ expression }) => {
      const raw = evaluateExpression(expression);
      // 15 significant digits: what a double holds exactly, so 0.1 + 0.2 reads 0.3.
      const result = Number(raw.toPrecision(15));
      return { expression, result };
    },
  });
}
