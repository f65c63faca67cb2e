import { ToolCallError } from './errors.js';

// A recursive-descent parser that evaluates as it parses. The model's text is never handed to
// eval or Function: only the grammar below is understood, so nothing else can run.
//
//   expr    := term (('+' | '-') term)*
//   term    := unary (('*' | '/' | '%') unary)*
//   unary   := ('+' | '-') unary | power
//   power   := primary (('^' | '**') unary)?        right-associative; -2^2 is -4
//   primary := number | constant | function '(' expr (',' expr)* ')' | '(' expr ')'

export const MAX_EXPRESSION_LENGTH = 1000;
const MAX_DEPTH = 64;

const CONSTANTS: Readonly<Record<string, number>> = { pi: Math.PI, e: Math.E, tau: 2 * Math.PI };

interface MathFunction {
  arity: [min: number, max: number];
  apply(args: number[]): number;
}

const one = (fn: (x: number) => number): MathFunction => ({ arity: [1, 1], apply: (args) => fn(args[0] as number) });

const FUNCTIONS: Readonly<Record<string, MathFunction>> = {
  abs: one(Math.abs),
  sqrt: one(Math.sqrt),
  cbrt: one(Math.cbrt),
  exp: one(Math.exp),
  ln: one(Math.log),
  log10: one(Math.log10),
  log2: one(Math.log2),
  log: { arity: [1, 2], apply: ([x, base]) => (base === undefined ? Math.log10(x as number) : Math.log(x as number) / Math.log(base)) },
  sin: one(Math.sin),
  cos: one(Math.cos),
  tan: one(Math.tan),
  asin: one(Math.asin),
  acos: one(Math.acos),
  atan: one(Math.atan),
  floor: one(Math.floor),
  ceil: one(Math.ceil),
  round: { arity: [1, 2], apply: ([x, digits]) => roundTo(x as number, digits ?? 0) },
  min: { arity: [1, 64], apply: (args) => Math.min(...args) },
  max: { arity: [1, 64], apply: (args) => Math.max(...args) },
};

type Token =
  | { kind: 'number'; value: number; at: number }
  | { kind: 'name'; value: string; at: number }
  | { kind: 'op'; value: string; at: number }
  | { kind: 'end'; at: number };

/** Evaluates an arithmetic expression; throws `ToolCallError` for anything it cannot compute. */
export function evaluateExpression(expression: string): number {
  if (expression.length > MAX_EXPRESSION_LENGTH) {
    throw new ToolCallError(
      'CALC_TOO_LONG',
      `The expression is ${expression.length} characters long; at most ${MAX_EXPRESSION_LENGTH} are accepted. Split the calculation into smaller steps.`,
    );
  }
  const parser = new Parser(tokenize(expression));
  const value = parser.parse();
  return checkFinite(value, 'the expression');
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const number = /^(?:\d+(?:_\d+)*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/.exec(text.slice(i));
    if (number) {
      tokens.push({ kind: 'number', value: Number(number[0].replace(/_/g, '')), at: i });
      i += number[0].length;
      continue;
    }
    const name = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(text.slice(i));
    if (name) {
      tokens.push({ kind: 'name', value: name[0].toLowerCase(), at: i });
      i += name[0].length;
      continue;
    }
    if (text.startsWith('**', i)) {
      tokens.push({ kind: 'op', value: '^', at: i });
      i += 2;
      continue;
    }
    if ('+-*/%^(),'.includes(c)) {
      // Typographic minus and multiplication signs are what models and people paste in.
      tokens.push({ kind: 'op', value: c, at: i });
      i++;
      continue;
    }
    if (c === '×' || c === '−' || c === '÷') {
      tokens.push({ kind: 'op', value: c === '×' ? '*' : c === '−' ? '-' : '/', at: i });
      i++;
      continue;
    }
    throw syntax(`unexpected character ${JSON.stringify(c)} at position ${i + 1}`);
  }
  tokens.push({ kind: 'end', at: text.length });
  return tokens;
}

class Parser {
  private index = 0;
  private depth = 0;

  constructor(private readonly tokens: Token[]) {}

  parse(): number {
    if (this.peek().kind === 'end') throw syntax('the expression is empty');
    const value = this.expr();
    const rest = this.peek();
    if (rest.kind !== 'end') throw syntax(`unexpected ${describe(rest)} at position ${rest.at + 1}`);
    return value;
  }

  private expr(): number {
    this.enter();
    let value = this.term();
    for (let op = this.peekOp(); op === '+' || op === '-'; op = this.peekOp()) {
      this.index++;
      const right = this.term();
      value = op === '+' ? value + right : value - right;
    }
    this.depth--;
    return value;
  }

  private term(): number {
    let value = this.unary();
    for (let op = this.peekOp(); op === '*' || op === '/' || op === '%'; op = this.peekOp()) {
      this.index++;
      const right = this.unary();
      if ((op === '/' || op === '%') && right === 0) {
        throw new ToolCallError('CALC_DIVISION_BY_ZERO', 'Division by zero: the divisor evaluates to 0. Check the expression.');
      }
      value = op === '*' ? value * right : op === '/' ? value / right : value % right;
    }
    return value;
  }

  private unary(): number {
    const op = this.peekOp();
    if (op === '-' || op === '+') {
      this.index++;
      this.enter();
      const value = this.unary();
      this.depth--;
      return op === '-' ? -value : value;
    }
    return this.power();
  }

  private power(): number {
    const base = this.primary();
    if (this.peekOp() !== '^') return base;
    this.index++;
    this.enter();
    const exponent = this.unary();
    this.depth--;
    return checkFinite(base ** exponent, `${base} ^ ${exponent}`);
  }

  private primary(): number {
    const token = this.next();
    if (token.kind === 'number') return token.value;
    if (token.kind === 'op' && token.value === '(') {
      const value = this.expr();
      this.expectOp(')');
      return value;
    }
    if (token.kind === 'name') {
      const fn = FUNCTIONS[token.value];
      if (fn !== undefined && this.peekOp() === '(') return this.call(token.value, fn);
      const constant = CONSTANTS[token.value];
      if (constant !== undefined) return constant;
      if (fn !== undefined) throw syntax(`${token.value} is a function: write ${token.value}(x)`);
      throw syntax(
        `unknown name ${JSON.stringify(token.value)} at position ${token.at + 1}; the known functions are ` +
          `${Object.keys(FUNCTIONS).join(', ')} and the constants ${Object.keys(CONSTANTS).join(', ')}`,
      );
    }
    throw syntax(`unexpected ${describe(token)}${token.kind === 'end' ? '' : ` at position ${token.at + 1}`}`);
  }

  private call(name: string, fn: MathFunction): number {
    this.index++; // (
    const args = [this.expr()];
    while (this.peekOp() === ',') {
      this.index++;
      args.push(this.expr());
    }
    this.expectOp(')');
    const [min, max] = fn.arity;
    if (args.length < min || args.length > max) {
      const wanted = min === max ? `${min}` : `${min} to ${max}`;
      throw syntax(`${name} takes ${wanted} argument${max === 1 ? '' : 's'}, got ${args.length}`);
    }
    return checkFinite(fn.apply(args), `${name}(${args.join(', ')})`);
  }

  private enter(): void {
    if (++this.depth > MAX_DEPTH) throw syntax(`the expression nests deeper than ${MAX_DEPTH} levels`);
  }

  private expectOp(op: string): void {
    const token = this.next();
    if (token.kind !== 'op' || token.value !== op) {
      throw syntax(`expected "${op}" but found ${describe(token)}${token.kind === 'end' ? '' : ` at position ${token.at + 1}`}`);
    }
  }

  private peek(): Token {
    return this.tokens[this.index] as Token;
  }

  private peekOp(): string | undefined {
    const token = this.peek();
    return token.kind === 'op' ? token.value : undefined;
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== 'end') this.index++;
    return token;
  }
}

function checkFinite(value: number, what: string): number {
  if (Number.isNaN(value)) {
    throw new ToolCallError(
      'CALC_NOT_FINITE',
      `${what} is not a real number (for example the square root or logarithm of a negative number).`,
    );
  }
  if (!Number.isFinite(value)) {
    throw new ToolCallError(
      'CALC_NOT_FINITE',
      `${what} is too large to compute (beyond ±1.8e308). Use smaller numbers, or work with logarithms instead.`,
    );
  }
  return value;
}

function roundTo(value: number, digits: number): number {
  if (!Number.isInteger(digits) || digits < 0 || digits > 15) throw syntax('round(x, digits) needs digits as a whole number from 0 to 15');
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

function describe(token: Token): string {
  if (token.kind === 'end') return 'the end of the expression';
  return JSON.stringify(String(token.value));
}

function syntax(detail: string): ToolCallError {
  return new ToolCallError(
    'CALC_SYNTAX',
    `Malformed expression: ${detail}. Write plain arithmetic such as (2 + 3) * 4 / 7 or sqrt(2) ^ 3.`,
  );
}
