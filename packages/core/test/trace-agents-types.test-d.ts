// Type test (checked by the root `tsc` typecheck, not run by vitest): every trace part novaloop emits
// is assignable to Bedrock Agents' `TracePart`, so every field Agents also has has Agents' type and
// allowed values. novaloop's extra fields are allowed: assignability ignores them.
import type {
  FailureTrace as AgentsFailureTrace,
  InvocationInput as AgentsInvocationInput,
  Observation as AgentsObservation,
  OrchestrationTrace as AgentsOrchestrationTrace,
  RoutingClassifierTrace as AgentsRoutingClassifierTrace,
  TracePart as AgentsTracePart,
} from '@aws-sdk/client-bedrock-agent-runtime';
import type {
  ActionGroupInvocationInput,
  ActionGroupObservation,
  AgentCollaboratorInvocationInput,
  AgentCollaboratorObservation,
  FailureTrace,
  FinishInvocationInput,
  FinishObservation,
  KnowledgeBaseInvocationInput,
  KnowledgeBaseObservation,
  OrchestrationTrace,
  RepromptObservation,
  AskUserObservation,
  RoutingClassifierTrace,
  TracePart,
} from '../src/index.js';

export const asAgentsPart = (part: TracePart): AgentsTracePart => part;
export const asAgentsOrchestration = (trace: OrchestrationTrace): AgentsOrchestrationTrace => trace;
export const asAgentsRouting = (trace: RoutingClassifierTrace): AgentsRoutingClassifierTrace => trace;
export const asAgentsFailure = (trace: FailureTrace): AgentsFailureTrace => trace;

// Each variant on its own, so a failure names the variant.
export const invocationInputs = {
  actionGroup: (input: ActionGroupInvocationInput): AgentsInvocationInput => input,
  knowledgeBase: (input: KnowledgeBaseInvocationInput): AgentsInvocationInput => input,
  agentCollaborator: (input: AgentCollaboratorInvocationInput): AgentsInvocationInput => input,
  finish: (input: FinishInvocationInput): AgentsInvocationInput => input,
};
export const observations = {
  actionGroup: (observation: ActionGroupObservation): AgentsObservation => observation,
  knowledgeBase: (observation: KnowledgeBaseObservation): AgentsObservation => observation,
  agentCollaborator: (observation: AgentCollaboratorObservation): AgentsObservation => observation,
  finish: (observation: FinishObservation): AgentsObservation => observation,
  reprompt: (observation: RepromptObservation): AgentsObservation => observation,
  askUser: (observation: AskUserObservation): AgentsObservation => observation,
};

// And the check can fail: a part with a value Agents does not allow is rejected.
export const rejectedExecutionType: AgentsInvocationInput = {
  invocationType: 'ACTION_GROUP',
  // @ts-expect-error 'INLINE' is not an Agents executionType (LAMBDA or RETURN_CONTROL).
  actionGroupInvocationInput: { executionType: 'INLINE' },
};
export const rejectedCode = (failure: FailureTrace): AgentsFailureTrace => ({
  ...failure,
  // @ts-expect-error Agents' failureCode is a number.
  failureCode: 'BEDROCK_REQUEST_FAILED',
});
