import { describe, expect, it } from 'vitest';
import { calculator, ToolCallError } from '../src/index.js';
import { callError, callOk } from './call-tool.js';

const calc = calculator();
const value = async (expression: string) => (await callOk(calc, { expression })).result;

describe('calculator', () => {
  it('evaluates with precedence, associativity, parentheses, functions and constants', async () => {
    expect(await value('1 + 2 * 3')).toBe(7);
    expect(await value('(1 + 2) * 3')).toBe(9);
    expect(await value('2 ^ 3 ^ 2')).toBe(512);
    expect(await value('2 ** 10')).toBe(1024);
    expect(await value('-2 ^ 2')).toBe(-4);
    expect(await value('10 - 4 - 3')).toBe(3);
    expect(await value('100 / 10 / 5')).toBe(2);
    expect(await value('7 % 4')).toBe(3);
    expect(await value('0.1 + 0.2')).toBe(0.3);
    expect(await value('1.5e3 + 1_000')).toBe(2500);
    expect(await value('sqrt(16) + abs(-3) + max(1, 9, 4) - min(2, 8)')).toBe(14);
    expect(await value('round(pi, 4)')).toBe(3.1416);
    expect(await value('log(8, 2)')).toBe(3);
    expect(await value('ln(e)')).toBe(1);
    expect(await value('12 × 3 − 6 ÷ 2')).toBe(33);
    expect(await callOk(calc, { expression: '(1200 * 0.07) / 12' })).toEqual({ expression: '(1200 * 0.07) / 12', result: 7 });
  });

  it('refuses division and modulo by zero with a typed error', async () => {
    for (const expression of ['1 / 0', '5 % 0', '1 / (2 - 2)']) {
      const error = await callError(calc, { expression });
      expect(error).toBeInstanceOf(ToolCallError);
      expect(error.code).toBe('CALC_DIVISION_BY_ZERO');
    }
  });

  it('refuses results beyond a double and non-real results', async () => {
    for (const expression of ['10 ^ 400', '9 ^ 9 ^ 9', 'exp(1000)', '2 ** 99999999', 'sqrt(-1)', 'ln(-1)']) {
      const error = await callError(calc, { expression });
      expect(error.code, expression).toBe('CALC_NOT_FINITE');
    }
  });

  it('refuses malformed expressions and anything that is not arithmetic, without running it', async () => {
    const cases = [
      '',
      '1 +',
      '(1 + 2',
      '1 + 2)',
      '2 3',
      'sqrt',
      'sqrt(1, 2)',
      'foo(1)',
      'process.exit(1)',
      "require('fs')",
      '1; 2',
      'x = 3',
      '[1]',
    ];
    for (const expression of cases) {
      const error = await callError(calc, { expression });
      // The empty string is refused by the schema before the parser sees it.
      if (expression !== '') expect(error.code, expression).toBe('CALC_SYNTAX');
      expect(error.message).toMatch(/expression|Invalid input/i);
    }
  });

  it('refuses over-long and too deeply nested input instead of overflowing the stack', async () => {
    expect((await callError(calc, { expression: '('.repeat(300) + '1' + ')'.repeat(300) })).code).toBe('CALC_SYNTAX');
    expect((await callError(calc, { expression: '-'.repeat(900) + '1' })).code).toBe('CALC_SYNTAX');
    const long = calculator();
    expect((await callError(long, { expression: '1+'.repeat(600) + '1' })).message).toMatch(/Invalid input|at most 1000/);
  });
});
