import type { ToolUseBlock } from '@aws-sdk/client-bedrock-runtime';
import type { CollaboratorWait, PendingCall } from '../session/session-store.js';
import type { Tool } from '../tools/tool.js';
import type { ResumeAnswer } from './resume-pending.js';

/**
 * What a collaborator tool's call (`agent.asTool()`) returns when the collaborator's run paused: the
 * supervisor's call then waits on that pause instead of answering the model, and the supervisor
 * pauses too. Internal: the dispatcher turns it into a `PausedCall`.
 */
export class CollaboratorPaused {
  constructor(
    readonly name: string,
    /** The collaborator's session and the invocation its pause stored. */
    readonly sessionId: string,
    readonly invocationId: string,
    /** The collaborator's `result.pending`: its own calls and its collaborators'. */
    readonly calls: readonly PendingCall[],
  ) {}

  /** The supervisor's side: its call `use` waits on this pause, and lists the pause's calls as its own. */
  waitOf(use: ToolUseBlock): PausedCall {
    const calls = this.calls.map((call) => ({ ...call, collaborator: [this.name, ...(call.collaborator ?? [])] }));
    const wait: CollaboratorWait = {
      toolUseId: use.toolUseId ?? '',
      name: this.name,
      sessionId: this.sessionId,
      invocationId: this.invocationId,
      calls: calls.map((call) => call.toolUseId),
    };
    return { wait, input: use.input, calls };
  }
}

/** A call of this run that waits on a paused collaborator, with that collaborator's calls as this run lists them. */
export interface PausedCall {
  wait: CollaboratorWait;
  /** The waiting call's input, as the model sent it. */
  input: unknown;
  calls: PendingCall[];
}

/** A resume's call that continues a paused collaborator with the answers to its calls. */
export interface CollaboratorResume {
  use: ToolUseBlock;
  wait: CollaboratorWait;
  answers: ResumeAnswer[];
}

/** What an agent made into a tool by `agent.asTool()` tells the agents that use it. */
export interface CollaboratorAgent {
  /** Models its runs may call without a known price (for a supervisor's `maxCostUsd` check). */
  unpriced(): readonly string[];
  /** Whether its runs may pause (it has tools that return control or need approval, or such collaborators). */
  pausable: boolean;
  /**
   * Throws the typed error a resume of `wait` with `answers` would throw (a pause that is gone, a
   * result its tool's output schema refuses, ...), before the supervisor changes anything.
   */
  checkResume(wait: CollaboratorWait, answers: readonly ResumeAnswer[]): Promise<void>;
}

export const collaboratorAgents = new WeakMap<Tool, CollaboratorAgent>();
