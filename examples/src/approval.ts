// An approval flow: the agent may look at a service on its own, but restarting one waits for a person.
// The run pauses with stopReason 'needs_approval'; this program asks on the terminal (or takes
// --approve / --deny from the command line, as a non-interactive run must), then resumes the run with
// the answer. A denial's reason reaches the model as an error result, so it can say what it did not do.
//
//   pnpm approval               asks "Approve restart_service {...}? [y/N]" on the terminal
//   pnpm approval --approve     approves without asking (CI, scripts)
//   pnpm approval --deny        denies without asking
//
// It runs offline on bedrock-local (loopback only, no AWS account). The session lives in a
// SessionStore between the pause and the resume: here the agent's in-memory store, but with
// @novaloop/memory's SQLite, Redis or DynamoDB store the resume may happen in another process, hours later.
import { startLocalBedrock, type ConverseCall, type ScriptTurn } from '@novaloop/bedrock-local';
import { Agent, tool, type PendingCall, type ResumeAnswer, type RunResult } from '@novaloop/core';
import { createInterface } from 'node:readline/promises';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

export const QUESTION = 'payments-api looks unhealthy. Check it and restart it if it is degraded.';

const USAGE = `Usage: pnpm approval [--approve | --deny]

  (no flag)   asks on the terminal before the agent restarts a service
  --approve   approves without asking
  --deny      denies without asking (also what a non-interactive run without a flag does)`;

/** A problem with how the example was started; its message says what to do. */
export class ApprovalSetupError extends Error {
  override name = 'ApprovalSetupError';
}

/** How a paused call is decided: yes/no and, for a no, the reason the model reads. */
export type Decide = (call: PendingCall) => Promise<{ approve: boolean; reason?: string }>;

const restarted: string[] = [];

const getServiceStatus = tool({
  name: 'get_service_status',
  description: 'Get current health status of a service',
  input: z.object({ service: z.string() }),
  run: ({ service }) => ({ service, status: 'degraded', running: 2, desired: 4 }),
});

const restartService = tool({
  name: 'restart_service',
  description: 'Restart every task of a service',
  input: z.object({ service: z.string().describe('The service name, e.g. payments-api') }),
  // Restarting is the one action that needs a person's yes.
  needsApproval: true,
  run: ({ service }) => {
    restarted.push(service);
    return { service, restarted: true, running: 4, desired: 4 };
  },
});

/** Plays Nova on bedrock-local: status, then the restart, then an answer that fits the approval's outcome. */
function nova({ turnIndex, body }: ConverseCall): ScriptTurn {
  const toolUse = (name: string, input: object): ScriptTurn => ({ content: [{ toolUse: { toolUseId: 'auto', name, input } }] });
  if (turnIndex === 0) return toolUse('get_service_status', { service: 'payments-api' });
  if (turnIndex === 1) return toolUse('restart_service', { service: 'payments-api' });
  // The wire body as sent: the last user message holds the restart's toolResult.
  const blocks = (body.messages.at(-1)?.content ?? []) as { toolResult?: { status?: string; content?: { text?: string }[] } }[];
  const result = blocks.find((block) => block.toolResult)?.toolResult;
  if (result?.status === 'error') {
    const why = result.content?.[0]?.text ?? '';
    return { content: [{ text: `I did not restart payments-api. ${why} It is still degraded: 2 of 4 tasks running.` }] };
  }
  return { content: [{ text: 'payments-api was degraded (2 of 4 tasks); I restarted it and all 4 tasks are running again.' }] };
}

/** Runs the example; `decide` is asked for each call that needs approval. */
export async function main(argv: readonly string[], out: (line: string) => void = console.log, decide?: Decide): Promise<RunResult> {
  const args = argv.filter((arg) => arg !== '--');
  const unknown = args.filter((arg) => arg !== '--approve' && arg !== '--deny');
  if (unknown.length > 0 || args.length > 1) throw new ApprovalSetupError(`Bad arguments: ${args.join(' ')}.\n\n${USAGE}`);
  const chosen = decide ?? fromFlag(args[0]) ?? (process.stdin.isTTY ? askOnTerminal : fromFlag('--no-one'));

  const server = await startLocalBedrock({ responder: nova });
  const agent = new Agent({
    model: 'us.amazon.nova-pro-v1:0',
    tools: [getServiceStatus, restartService],
    clientConfig: { endpoint: server.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } },
  });
  try {
    out(`User: ${QUESTION}`);
    let result = await agent.run(QUESTION);
    while (result.stopReason === 'needs_approval' || result.stopReason === 'return_control') {
      const answers: ResumeAnswer[] = [];
      for (const call of result.pending) {
        const { approve, reason } = await (chosen as Decide)(call);
        out(`${approve ? 'Approved' : 'Denied'}: ${call.name} ${JSON.stringify(call.input)}${reason ? ` (${reason})` : ''}`);
        answers.push(approve ? { toolUseId: call.toolUseId, approve: true } : { toolUseId: call.toolUseId, approve: false, reason });
      }
      result = await agent.resume(result.sessionId, answers);
    }
    out(`Agent: ${result.text}`);
    return result;
  } finally {
    agent.close();
    await server.close();
  }
}

/** The services restarted so far in this process (for the example's test). */
export const restartedServices = (): readonly string[] => restarted;

function fromFlag(flag: string | undefined): Decide | undefined {
  if (flag === '--approve') return async () => ({ approve: true });
  if (flag === '--deny') return async () => ({ approve: false, reason: 'denied with --deny' });
  if (flag === '--no-one')
    return async () => ({ approve: false, reason: 'nobody was there to approve it (non-interactive run; pass --approve)' });
  return undefined;
}

const askOnTerminal: Decide = async (call) => {
  const terminal = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const yes = /^y(es)?$/i.test((await terminal.question(`Approve ${call.name} ${JSON.stringify(call.input)}? [y/N] `)).trim());
    if (yes) return { approve: true };
    const reason = (await terminal.question('Reason (told to the agent): ')).trim();
    return { approve: false, reason: reason || 'the operator said no' };
  } finally {
    terminal.close();
  }
};

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof ApprovalSetupError ? error.message : error);
    process.exitCode = 1;
  });
}
