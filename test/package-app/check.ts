// Type-checked by test/package.test.ts with `module: nodenext` and `strict`, against the tarballs.
import { Agent, tool, type RunResult } from '@novaloop/core';
import { startLocalBedrock, type LocalBedrock } from '@novaloop/bedrock-local';
import { SqliteSessionStore, StoreDriverMissingError } from '@novaloop/memory';
import { calculator, type ToolCallErrorCode } from '@novaloop/tools';
import { jsonlTraceSink, type TraceLine } from '@novaloop/trace';
import { z } from 'zod';

const add = tool({
  name: 'add',
  description: 'Adds two numbers',
  input: z.object({ a: z.number(), b: z.number() }),
  run: async ({ a, b }) => ({ sum: a + b }),
});
const bedrock: LocalBedrock = await startLocalBedrock({});
const agent = new Agent({ model: 'us.amazon.nova-micro-v1:0', tools: [add], memory: new SqliteSessionStore({ url: ':memory:' }) });
const result: RunResult = await agent.run('hi');
const text: string = result.text;
const deleted: boolean = await new SqliteSessionStore({ url: ':memory:' }).delete('s');
const missing: readonly string[] = new StoreDriverMissingError('X', ['ioredis']).packages;
tool({
  name: 'typed',
  description: 'Its input is typed from its schema',
  input: z.object({ a: z.number() }),
  // @ts-expect-error `a` is a number
  run: ({ a }) => a.toUpperCase(),
});
const sink = jsonlTraceSink('run.jsonl');
const detach: () => void = sink.attach(new Agent({ model: 'us.amazon.nova-micro-v1:0', tools: [calculator()] }));
const code: ToolCallErrorCode = 'SQL_READ_ONLY';
const line: TraceLine | undefined = undefined;
console.log(text, deleted, missing, bedrock.endpoint, detach, code, line);
