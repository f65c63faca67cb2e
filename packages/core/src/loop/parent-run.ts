import type { ToolContext } from '../tools/tool.js';
import type { CollaboratorResume } from './collaborator-pause.js';
import type { AgentEvent } from './events.js';
import type { RunTotals } from './run-totals.js';

/**
 * What a collaborator's run (`agent.asTool()`) gets from the supervisor's tool call: where to count
 * its cost, and how to put its trace parts into the supervisor's event stream. Internal: reached
 * from the call's `ToolContext` through `parentRuns`, so it never shows in the public context type.
 */
export interface ParentRun {
  runId: string;
  sessionId: string;
  stepIndex: number;
  toolUseId: string;
  totals: RunTotals;
  /** Whether the supervisor's run keeps its session (a run without a sessionId in the default store does not). */
  keepsSession: boolean;
  /** Adds an event to the supervisor's stream, in order with its tool events. */
  emit(event: AgentEvent): void;
  /** Set when the call continues a paused collaborator run (a resume of the supervisor): resume it, do not start one. */
  resume?: CollaboratorResume | undefined;
  /**
   * Collaborator sessions a call of the same turn left paused: a later call of one of them must not
   * start a run there, which would abandon the pause the supervisor's pause is waiting on.
   */
  pausedSessions: Set<string>;
}

export const parentRuns = new WeakMap<ToolContext, ParentRun>();

/** The supervisor's side of a collaborator run, as its trace parts carry it. */
export interface CollaboratorOf {
  parentRunId: string;
  collaboratorName: string;
}

/** What a collaborator's run is started with (both absent for a top-level run). */
export interface CollaboratorLink {
  parent: ParentRun | undefined;
  collaboratorOf: CollaboratorOf | undefined;
}
