import type { Agent } from '@novaloop/core';

/** What Agents calls one turn: the user's text and the prompt session attributes, which last for it. */
export interface TurnState {
  inputText: string;
  promptSessionAttributes: Record<string, string>;
}

// Runs whose end was never seen (a consumer stopped iterating) must not pile up.
const MAX_TRACKED = 1_000;

/**
 * The turn of every run in progress, by run id, for the Lambda events. A run's 'run-start' event
 * opens it (before any tool can run); a resumed run's turn is read back from the session.
 */
export class Turns {
  private readonly turns = new Map<string, TurnState>();
  /** Prompt session attributes given for a session's next turn, taken when the turn opens. */
  private readonly presets = new Map<string, Record<string, string>>();
  private agent: Agent | undefined;

  /** Follows the agent's runs (once, right after it is made). */
  follow(agent: Agent): void {
    this.agent = agent;
    agent.events.on('run-start', (event) => {
      if (event.resumes !== undefined) return;
      this.open(event.runId, event.sessionId, textOf(event.input.content ?? []));
    });
    agent.events.on('run-end', (event) => this.turns.delete(event.result.runId));
  }

  /**
   * Gives the session's next turn these prompt session attributes (invokeAgentStream's
   * sessionState); the returned function withdraws them if the turn never opened.
   */
  preset(sessionId: string, values: Record<string, string>): () => void {
    this.presets.set(sessionId, { ...values });
    return () => this.presets.delete(sessionId);
  }

  async get(runId: string, sessionId: string): Promise<TurnState> {
    const known = this.turns.get(runId);
    if (known) return known;
    // A resumed run (maybe in another process): its turn's text is the last prompt in the session.
    const session = await this.agent?.memory.load(sessionId);
    let inputText = '';
    for (const message of [...(session?.messages ?? [])].reverse()) {
      const text = message.role === 'user' ? textOf(message.content ?? []) : '';
      if (text !== '') {
        inputText = text;
        break;
      }
    }
    return this.turns.get(runId) ?? this.open(runId, sessionId, inputText);
  }

  private open(runId: string, sessionId: string, inputText: string): TurnState {
    const turn: TurnState = { inputText, promptSessionAttributes: this.presets.get(sessionId) ?? {} };
    this.presets.delete(sessionId);
    this.turns.set(runId, turn);
    if (this.turns.size > MAX_TRACKED) this.turns.delete(this.turns.keys().next().value as string);
    return turn;
  }
}

function textOf(content: readonly { text?: string | undefined }[]): string {
  return content
    .map((block) => block.text)
    .filter((text): text is string => typeof text === 'string')
    .join('\n');
}
