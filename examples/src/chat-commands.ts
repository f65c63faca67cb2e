// The chat's slash commands. Every line starting with `/` is one of these and never reaches the
// model: a mistyped command sent as a message would be billed and stored in the session.

export type ChatCommand = { kind: 'help' } | { kind: 'reset' } | { kind: 'quit' } | { kind: 'unknown'; name: string };

export const CHAT_HELP = `Commands (handled here, never sent to the model):
  /help    this list
  /reset   forget this session (its stored messages are deleted)
  /quit    leave (end of input does the same)
Anything else is sent to the model.`;

/** The command a line is, or undefined for a message to send. */
export function parseChatCommand(line: string): ChatCommand | undefined {
  const text = line.trim();
  if (!text.startsWith('/')) return undefined;
  const name = text.slice(1).split(/\s+/)[0]?.toLowerCase() ?? '';
  if (name === 'help' || name === '?') return { kind: 'help' };
  if (name === 'reset') return { kind: 'reset' };
  if (name === 'quit' || name === 'exit') return { kind: 'quit' };
  return { kind: 'unknown', name: text.split(/\s+/)[0] ?? text };
}
