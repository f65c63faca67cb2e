import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ClassifyRules, forcedToolTurn, type ClassifyRule } from './classify-rules.js';
import { LocalBedrockScriptError, validationError } from './errors.js';
import { isObject, type ContentBlock, type ConverseRequestBody, type StopReason } from './wire-types.js';

/** One scripted assistant turn. */
export interface ScriptTurn {
  /** Content blocks to answer. A toolUse may say `"toolUseId": "auto"` for a Bedrock-style id. */
  content: ContentBlock[];
  /** Defaults to `tool_use` when the content holds a toolUse, else `end_turn`. */
  stopReason?: StopReason;
  /** Extra latency for this turn only, on top of the server's `latencyMs`. */
  latencyMs?: number;
}

export interface ScriptScenario {
  /** Regular expression tested against the first user text of the conversation. */
  match: string;
  turns: ScriptTurn[];
}

/**
 * `turns` for a single conversation, or `scenarios` to hold several, picked by the first user text;
 * `classify` rules answer forced-tool classification requests (with them alone, other requests get
 * the default reply).
 */
export type Script = ({ turns: ScriptTurn[] } | { scenarios: ScriptScenario[] } | { turns?: undefined; scenarios?: undefined }) & {
  classify?: ClassifyRule[];
};

const STOP_REASONS: ReadonlySet<string> = new Set<StopReason>([
  'end_turn',
  'tool_use',
  'max_tokens',
  'stop_sequence',
  'guardrail_intervened',
  'content_filtered',
  'malformed_model_output',
  'malformed_tool_use',
  'model_context_window_exceeded',
]);

interface CompiledScenario {
  match: RegExp | undefined;
  source: string;
  turns: ScriptTurn[];
}

/** A script checked once at startup, so a mistake in it fails loudly before any request. */
export class CompiledScript {
  private readonly scenarios: CompiledScenario[];
  private readonly classify: ClassifyRules | undefined;

  constructor(script: Script | string) {
    const value: unknown = typeof script === 'string' ? readScriptFile(script) : script;
    if (!isObject(value)) throw new LocalBedrockScriptError('expected an object with "turns", "scenarios" or "classify".');
    this.classify = value.classify !== undefined ? new ClassifyRules(value.classify) : undefined;
    if (this.classify && value.turns === undefined && value.scenarios === undefined) {
      this.scenarios = [];
    } else if (Array.isArray(value.turns)) {
      this.scenarios = [{ match: undefined, source: '(turns)', turns: checkTurns(value.turns, 'turns') }];
    } else if (Array.isArray(value.scenarios)) {
      this.scenarios = value.scenarios.map((scenario: unknown, i) => {
        if (!isObject(scenario) || typeof scenario.match !== 'string' || !Array.isArray(scenario.turns)) {
          throw new LocalBedrockScriptError(`scenarios[${i}] needs a "match" string and a "turns" array.`);
        }
        let match: RegExp;
        try {
          match = new RegExp(scenario.match);
        } catch (error) {
          throw new LocalBedrockScriptError(`scenarios[${i}].match is not a valid regular expression: ${(error as Error).message}`);
        }
        return { match, source: scenario.match, turns: checkTurns(scenario.turns, `scenarios[${i}].turns`) };
      });
    } else {
      throw new LocalBedrockScriptError('expected an object with a "turns" array or a "scenarios" array.');
    }
  }

  /** The turn that answers this request: the one after the assistant turns already in it. */
  turnFor(request: ConverseRequestBody): ScriptTurn {
    const classified = this.classify?.turnFor(request);
    if (classified) return classified;
    if (this.scenarios.length === 0) return defaultTurn(request);
    const firstText = firstUserText(request);
    const scenario = this.scenarios.find((s) => !s.match || s.match.test(firstText));
    if (!scenario) {
      throw validationError(
        `bedrock-local: no script scenario matches the first user text ${JSON.stringify(firstText.slice(0, 80))}. Add a scenario whose "match" fits it.`,
      );
    }
    const index = assistantTurns(request);
    const turn = scenario.turns[index];
    if (!turn) {
      throw validationError(
        `bedrock-local: the script scenario ${scenario.source} has ${scenario.turns.length} turn(s) but this request needs turn ${index + 1}. Add turns to the script, or end the conversation sooner.`,
      );
    }
    return turn;
  }
}

function readScriptFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new LocalBedrockScriptError(`cannot read ${path}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new LocalBedrockScriptError(`${path} is not valid JSON: ${(error as Error).message}`);
  }
}

function checkTurns(turns: unknown[], where: string): ScriptTurn[] {
  return turns.map((turn, i) => {
    const at = `${where}[${i}]`;
    if (!isObject(turn) || !Array.isArray(turn.content) || turn.content.length === 0) {
      throw new LocalBedrockScriptError(`${at} needs a non-empty "content" array of Converse content blocks.`);
    }
    turn.content.forEach((block: unknown, j) => {
      if (!isObject(block)) throw new LocalBedrockScriptError(`${at}.content[${j}] is not a content block object.`);
      if ('toolUse' in block) {
        const use = block.toolUse;
        if (!isObject(use) || typeof use.name !== 'string' || typeof use.toolUseId !== 'string') {
          throw new LocalBedrockScriptError(`${at}.content[${j}].toolUse needs "name" and "toolUseId" (use "auto" for a generated id).`);
        }
      }
    });
    if (turn.stopReason !== undefined && !STOP_REASONS.has(String(turn.stopReason))) {
      throw new LocalBedrockScriptError(`${at}.stopReason ${JSON.stringify(turn.stopReason)} is not a Converse stop reason.`);
    }
    return turn as unknown as ScriptTurn;
  });
}

export const assistantTurns = (request: ConverseRequestBody): number =>
  request.messages.reduce((n, message) => (message.role === 'assistant' ? n + 1 : n), 0);

export function firstUserText(request: ConverseRequestBody): string {
  for (const block of request.messages[0]?.content ?? []) {
    if (isObject(block) && typeof block.text === 'string') return block.text;
  }
  return '';
}

/** A Bedrock-style tool use id: `tooluse_` and 22 URL-safe base64 characters. */
export const newToolUseId = (): string => `tooluse_${randomBytes(17).toString('base64url').slice(0, 22)}`;

/** Copies the turn's content with every `"auto"` toolUseId replaced by a fresh id. */
export function materialize(turn: ScriptTurn): ContentBlock[] {
  return turn.content.map((block) => {
    if (isObject(block) && isObject(block.toolUse) && block.toolUse.toolUseId === 'auto') {
      return { toolUse: { ...block.toolUse, toolUseId: newToolUseId() } };
    }
    return block;
  });
}

export const defaultStopReason = (content: readonly ContentBlock[]): StopReason =>
  content.some((block) => isObject(block) && 'toolUse' in block) ? 'tool_use' : 'end_turn';

/**
 * What bedrock-local answers with no script or responder: a short, deterministic text reply, or, for a
 * request that forces a tool, a toolUse of that tool with placeholder input.
 */
export function defaultTurn(request: ConverseRequestBody): ScriptTurn {
  const forced = forcedToolTurn(request);
  if (forced) return forced;
  const last = request.messages.at(-1);
  let said = '';
  for (const block of last?.content ?? []) {
    if (isObject(block) && typeof block.text === 'string') {
      said = block.text;
      break;
    }
  }
  const turn = assistantTurns(request) + 1;
  const text = said
    ? `Hello from bedrock-local (turn ${turn}). You said: "${said.length > 60 ? `${said.slice(0, 60)}…` : said}"`
    : `Hello from bedrock-local (turn ${turn}). I received your tool results.`;
  return { content: [{ text }], stopReason: 'end_turn' };
}
