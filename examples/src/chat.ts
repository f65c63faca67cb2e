// A multi-turn chat whose session outlives the process: stop it, start it again with the same
// --session, and the conversation goes on where it was. The session lives in SQLite by default, or
// in Redis or DynamoDB by flag; the model is bedrock-local (offline) unless --bedrock is given.
//
//   pnpm chat                                  interactive; /help, /reset forgets the session, /quit leaves
//   pnpm chat -- "My name is Ada"              one turn, then exit (run it again: the session is kept)
//   pnpm chat -- --store redis --redis-url redis://127.0.0.1:6379
//   pnpm chat -- --store dynamodb --table novaloop-chat [--dynamodb-endpoint http://127.0.0.1:8000]
//   pnpm chat -- --bedrock                     real Amazon Bedrock (Nova Lite), billed to your account
//
// What is sent each turn is trimmed by slidingWindow, so a session can grow for weeks while every
// request stays under the same token budget; the stored history keeps every message.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startLocalBedrock, type ConverseCall, type LocalBedrock, type ScriptTurn } from '@novaloop/bedrock-local';
import { Agent, NovaloopError, slidingWindow, type ClientConfig, type SessionStore } from '@novaloop/core';
import { DynamoDBSessionStore, RedisSessionStore, SqliteSessionStore, createSessionTable } from '@novaloop/memory';
import { createInterface } from 'node:readline/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHAT_HELP, parseChatCommand } from './chat-commands.js';
import { hasAwsCredentials } from './demo.js';

const MODEL = 'us.amazon.nova-lite-v1:0';
const SYSTEM = 'You are a friendly assistant. Keep answers short and remember what the user told you earlier in the session.';

const USAGE = `Usage: pnpm chat -- [options] [message]

  message                     send one message and exit; without it, chat interactively
  --session ID                the session to continue (default: default)
  --store sqlite|redis|dynamodb  where the session lives (default: sqlite)
  --db PATH                   SQLite file (default: novaloop-chat.db in the current directory)
  --redis-url URL             Redis (default: $REDIS_URL or redis://127.0.0.1:6379)
  --table NAME                DynamoDB table, created if missing (default: novaloop-chat)
  --dynamodb-endpoint URL     a local DynamoDB (dynalite, DynamoDB Local); default: AWS in $AWS_REGION
  --bedrock                   real Amazon Bedrock instead of bedrock-local (needs AWS credentials)`;

/** A problem with how the chat was started; its message says what to do. */
export class ChatSetupError extends Error {
  override name = 'ChatSetupError';
}

export interface ChatOptions {
  session: string;
  store: 'sqlite' | 'redis' | 'dynamodb';
  db: string;
  redisUrl: string;
  table: string;
  dynamodbEndpoint: string | undefined;
  bedrock: boolean;
  message: string | undefined;
}

export function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): ChatOptions {
  const options: ChatOptions = {
    session: 'default',
    store: 'sqlite',
    db: resolve('novaloop-chat.db'),
    redisUrl: env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    table: 'novaloop-chat',
    dynamodbEndpoint: undefined,
    bedrock: false,
    message: undefined,
  };
  const words: string[] = [];
  const args = argv.filter((arg) => arg !== '--');
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const value = () => {
      const next = args[++i];
      if (next === undefined) throw new ChatSetupError(`${arg} needs a value.\n\n${USAGE}`);
      return next;
    };
    if (arg === '--session') options.session = value();
    else if (arg === '--store') {
      const store = value();
      if (store !== 'sqlite' && store !== 'redis' && store !== 'dynamodb') throw new ChatSetupError(`Unknown store ${store}.\n\n${USAGE}`);
      options.store = store;
    } else if (arg === '--db') options.db = resolve(value());
    else if (arg === '--redis-url') options.redisUrl = value();
    else if (arg === '--table') options.table = value();
    else if (arg === '--dynamodb-endpoint') options.dynamodbEndpoint = value();
    else if (arg === '--bedrock') options.bedrock = true;
    else if (arg.startsWith('--')) throw new ChatSetupError(`Unknown option ${arg}.\n\n${USAGE}`);
    else words.push(arg);
  }
  if (words.length > 0) options.message = words.join(' ');
  return options;
}

/** The store the flags ask for, and how to close it. Nothing connects until the first load. */
export async function openStore(options: ChatOptions): Promise<{ store: SessionStore; close: () => Promise<void> | void; where: string }> {
  if (options.store === 'redis') {
    const store = new RedisSessionStore({ url: options.redisUrl, keyPrefix: 'novaloop:chat:' });
    return { store, close: () => store.close(), where: `Redis at ${options.redisUrl}` };
  }
  if (options.store === 'dynamodb') {
    const client = new DynamoDBClient(
      options.dynamodbEndpoint
        ? { endpoint: options.dynamodbEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
        : {},
    );
    // Local DynamoDB emulators lack UpdateTimeToLive, and this chat sets no TTL anyway.
    await createSessionTable(client, { tableName: options.table, timeToLive: false });
    const store = new DynamoDBSessionStore({ client, tableName: options.table });
    return { store, close: () => client.destroy(), where: `DynamoDB table ${options.table}` };
  }
  const store = new SqliteSessionStore({ url: options.db });
  return { store, close: () => store.close(), where: `SQLite file ${options.db}` };
}

/**
 * bedrock-local's stand-in for the model: it answers from the conversation it is sent, so what it
 * says shows what the session remembered across restarts.
 */
export function localChatModel(call: ConverseCall): ScriptTurn {
  const said = call.body.messages
    .filter((message) => message.role === 'user')
    .flatMap((message) => message.content.flatMap((block) => ('text' in block && typeof block.text === 'string' ? [block.text] : [])));
  const latest = said.at(-1) ?? '';
  if (said.length === 1)
    return { content: [{ text: `Nice to meet you. You said: "${latest}". This is the first message of this session.` }] };
  return { content: [{ text: `You said: "${latest}". Earlier in this session you said: "${said[0]}" (${said.length} messages so far).` }] };
}

/**
 * Runs the chat. With `options.message`, one turn and returns its answer; else reads lines from
 * `input` until /quit or end of input. `out` gets one line at a time.
 */
export async function main(
  argv: readonly string[],
  out: (line: string) => void = console.log,
  env: NodeJS.ProcessEnv = process.env,
  input: NodeJS.ReadableStream = process.stdin,
): Promise<string[]> {
  const options = parseArgs(argv, env);
  if (options.bedrock && !hasAwsCredentials(env)) {
    throw new ChatSetupError('--bedrock needs AWS credentials (aws configure, AWS_PROFILE, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY).');
  }
  let server: LocalBedrock | undefined;
  let clientConfig: ClientConfig;
  if (options.bedrock) {
    clientConfig = { region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1' };
  } else {
    server = await startLocalBedrock({ responder: localChatModel });
    clientConfig = { endpoint: server.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
  }
  const { store, close, where } = await openStore(options);
  const agent = new Agent({ model: MODEL, system: SYSTEM, memory: store, clientConfig, context: slidingWindow({ maxInputTokens: 8_000 }) });
  const answers: string[] = [];
  try {
    const before = await store.load(options.session);
    out(`Session "${options.session}" in ${where}: ${before ? `${before.messages.length} stored messages` : 'new'}.`);
    const turn = async (text: string) => {
      const result = await agent.run(text, { sessionId: options.session });
      answers.push(result.text);
      out(`Assistant: ${result.text}`);
    };
    /** Handles one line; false when the chat should end. */
    const handle = async (line: string): Promise<boolean> => {
      const command = parseChatCommand(line);
      if (command?.kind === 'quit') return false;
      if (command?.kind === 'help') out(CHAT_HELP);
      else if (command?.kind === 'reset') {
        await forget(store, options.session);
        out('Session forgotten.');
      } else if (command?.kind === 'unknown') out(`Unknown command ${command.name}; /help lists the commands. Nothing was sent.`);
      else if (line.trim()) await turn(line.trim());
      return true;
    };
    if (options.message !== undefined) {
      await handle(options.message);
    } else {
      out('Type a message; /help lists the commands, /reset forgets this session, /quit leaves.');
      const lines = createInterface({ input, terminal: false });
      for await (const line of lines) if (!(await handle(line))) break;
      lines.close();
    }
  } finally {
    agent.close();
    await close();
    await server?.close();
  }
  return answers;
}

async function forget(store: SessionStore, sessionId: string): Promise<void> {
  const deletable = store as SessionStore & { delete?: (id: string) => unknown };
  await deletable.delete?.(sessionId);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // The SDK's notice that its 2027 releases need Node 22 would land in the middle of the chat.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) console.log(USAGE);
  else {
    main(argv).catch((error: unknown) => {
      // Setup and novaloop errors end with what to do next; anything else is a bug worth a stack.
      console.error(error instanceof ChatSetupError || error instanceof NovaloopError ? error.message : error);
      process.exitCode = 1;
    });
  }
}
