import type { ContentBlock, Message } from '@aws-sdk/client-bedrock-runtime';

/**
 * The conversation to continue, made valid for Bedrock. A run that ended early (aborted during a
 * model call, budget reached after tools ran) leaves the history ending with a user message; the
 * next prompt is then merged into it, since Bedrock requires alternating roles. Runs once per run;
 * it copies the list only when it has to merge.
 */
export function continueConversation(history: readonly Message[], prompt: Message): Message[] {
  const last = history.at(-1);
  const merged = hasConsecutiveUsers(history) ? mergeUsers(history) : history.slice();
  if (last?.role === 'user') {
    const tail = merged.pop() as Message;
    merged.push({ role: 'user', content: [...(tail.content ?? []), ...(prompt.content ?? [])] });
  } else {
    merged.push(prompt);
  }
  return merged;
}

/**
 * For each message `continueConversation` makes of `history` and `prompt`, how many stored messages
 * end with it (two user messages in a row are sent as one, so the counts can jump by 2). A summary
 * is stored with the count of stored messages it covers, which stays true across loads.
 */
export function storedEnds(history: readonly Message[]): number[] {
  const ends: number[] = [];
  let previous: Message['role'];
  for (let i = 0; i <= history.length; i++) {
    // The last round stands for the prompt, a user message, without copying the history to add it.
    const role = i < history.length ? history[i]?.role : 'user';
    if (role === 'user' && previous === 'user' && ends.length > 0) ends[ends.length - 1] = i + 1;
    else ends.push(i + 1);
    previous = role;
  }
  return ends;
}

export const userMessage = (input: string | ContentBlock[]): Message => ({
  role: 'user',
  content: typeof input === 'string' ? [{ text: input }] : input,
});

function hasConsecutiveUsers(history: readonly Message[]): boolean {
  for (let i = 1; i < history.length; i++) {
    if (history[i]?.role === 'user' && history[i - 1]?.role === 'user') return true;
  }
  return false;
}

function mergeUsers(history: readonly Message[]): Message[] {
  const out: Message[] = [];
  for (const message of history) {
    const previous = out.at(-1);
    if (previous?.role === 'user' && message.role === 'user') {
      out[out.length - 1] = { role: 'user', content: [...(previous.content ?? []), ...(message.content ?? [])] };
    } else {
      out.push(message);
    }
  }
  return out;
}
