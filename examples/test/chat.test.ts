import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { startDynalite, startRedisServer } from '@novaloop/test-servers';
import { CHAT_HELP } from '../src/chat-commands.js';
import { ChatSetupError, main, parseArgs } from '../src/chat.js';

const CHAT = fileURLToPath(new URL('../src/chat.ts', import.meta.url));
const TSX = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'novaloop-chat-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const quiet = () => {
  const lines: string[] = [];
  return { lines, out: (line: string) => lines.push(line) };
};

describe('chat example: the session survives restarts', () => {
  it('two separate processes on one SQLite file continue one conversation', async () => {
    const db = join(dir, 'restart.db');
    const run = (message: string) =>
      promisify(execFile)(TSX, ['--conditions=@novaloop/source', CHAT, '--db', db, '--session', 'ada', message], {
        env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      });
    const first = await run('My name is Ada.');
    expect(first.stdout).toContain('Session "ada" in SQLite file');
    expect(first.stdout).toContain(': new.');
    expect(first.stdout).toContain('This is the first message of this session.');
    const second = await run('What is my name?');
    expect(second.stdout).toContain('2 stored messages');
    expect(second.stdout).toContain(
      'Assistant: You said: "What is my name?". Earlier in this session you said: "My name is Ada." (2 messages so far).',
    );
  });

  it('keeps separate sessions apart, and /reset forgets one', async () => {
    const db = join(dir, 'interactive.db');
    await main(['--db', db, '--session', 'a', 'I like tea.'], quiet().out);
    const { lines, out } = quiet();
    const answers = await main(
      ['--db', db, '--session', 'a'],
      out,
      process.env,
      Readable.from(['And coffee?\n', '/reset\n', 'Hello again\n', '/quit\n', 'never read\n']),
    );
    expect(answers).toEqual([
      'You said: "And coffee?". Earlier in this session you said: "I like tea." (2 messages so far).',
      'Nice to meet you. You said: "Hello again". This is the first message of this session.',
    ]);
    expect(lines).toContain('Session forgotten.');
    const other = await main(['--db', db, '--session', 'b', 'Hi'], quiet().out);
    expect(other[0]).toMatch(/first message of this session/);
  });

  it('handles /help and other slash commands itself: nothing of them reaches the model or the session', async () => {
    const db = join(dir, 'commands.db');
    const { lines, out } = quiet();
    const answers = await main(
      ['--db', db, '--session', 'cmd'],
      out,
      process.env,
      Readable.from(['/help\n', '/nonsense please\n', 'Hello\n', '/QUIT\n', 'never read\n']),
    );
    // The model's stand-in counts the user messages it was sent: "Hello" was the first.
    expect(answers).toEqual(['Nice to meet you. You said: "Hello". This is the first message of this session.']);
    expect(lines).toContain(CHAT_HELP);
    expect(lines).toContain('Unknown command /nonsense; /help lists the commands. Nothing was sent.');
    const oneShot = quiet();
    expect(await main(['--db', db, '--session', 'cmd', '/help'], oneShot.out)).toEqual([]);
    expect(oneShot.lines).toContain(CHAT_HELP);
    expect(oneShot.lines[0]).toContain('2 stored messages');
  });

  it('--store redis keeps the session in Redis', async () => {
    const redis = await startRedisServer();
    try {
      await main(['--store', 'redis', '--redis-url', redis.url, '--session', 'r', 'Remember 42.'], quiet().out);
      const [answer] = await main(['--store', 'redis', '--redis-url', redis.url, '--session', 'r', 'What number?'], quiet().out);
      expect(answer).toContain('Earlier in this session you said: "Remember 42."');
    } finally {
      await redis.stop();
    }
  });

  it('--store dynamodb keeps the session in DynamoDB, creating the table', async () => {
    const dynamo = await startDynalite();
    try {
      const args = ['--store', 'dynamodb', '--dynamodb-endpoint', dynamo.endpoint, '--table', 'chat-test', '--session', 'd'];
      await main([...args, 'Remember blue.'], quiet().out);
      const [answer] = await main([...args, 'What colour?'], quiet().out);
      expect(answer).toContain('Earlier in this session you said: "Remember blue."');
    } finally {
      await dynamo.stop();
    }
  });

  it('a store it cannot reach ends the chat with SessionStoreError, before any model call', async () => {
    const error = await main(['--store', 'redis', '--redis-url', 'redis://127.0.0.1:1', 'hello'], quiet().out).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'SESSION_STORE',
      message: expect.stringMatching(/could not load session default: Redis at 127\.0\.0\.1:1 cannot be reached \(connect ECONNREFUSED/),
    });
  });

  it('refuses unknown options and stores, saying how to call it', () => {
    expect(() => parseArgs(['--store', 'mongo'])).toThrow(ChatSetupError);
    expect(() => parseArgs(['--nope'])).toThrow(/Unknown option --nope[\s\S]*Usage: pnpm chat/);
    expect(() => parseArgs(['--session'])).toThrow(/--session needs a value/);
    expect(parseArgs(['--', '--session', 's', 'hello', 'there'])).toMatchObject({ session: 's', message: 'hello there', store: 'sqlite' });
  });
});
