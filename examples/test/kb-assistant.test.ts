import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { KNOWLEDGE_BASE_ID, main, QUESTION, sourcesOf } from '../kb-assistant/kb.js';

const KB = fileURLToPath(new URL('../kb-assistant/kb.ts', import.meta.url));
const TSX = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));

describe('kb-assistant, offline on bedrock-local', () => {
  it('retrieves from the runbooks, answers with its sources, and traces the lookups as knowledge-base parts', async () => {
    const lines: string[] = [];
    const result = await main(QUESTION, (line) => lines.push(line));

    expect(result.stopReason).toBe('end_turn');
    expect(result.steps).toHaveLength(3);
    expect(lines).toContain(`User: ${QUESTION}`);
    expect(lines).toContain('Knowledge base KBRUNBOOKS: 4 runbooks in examples/kb-assistant/runbooks');

    // The trace: two KNOWLEDGE_BASE lookups, the shape Bedrock Agents uses.
    const orchestration = result.trace.flatMap((part) => ('orchestrationTrace' in part.trace ? [part.trace.orchestrationTrace] : []));
    const lookups = orchestration.flatMap((t) =>
      'invocationInput' in t && t.invocationInput.invocationType === 'KNOWLEDGE_BASE' ? [t.invocationInput] : [],
    );
    expect(lookups.map((l) => l.knowledgeBaseLookupInput)).toEqual([
      { knowledgeBaseId: KNOWLEDGE_BASE_ID, text: 'ECS task OutOfMemoryError after deploy' },
      { knowledgeBaseId: KNOWLEDGE_BASE_ID, text: 'roll back a deploy' },
    ]);
    const outputs = orchestration.flatMap((t) => ('observation' in t && t.observation.type === 'KNOWLEDGE_BASE' ? [t.observation] : []));
    expect(outputs).toHaveLength(2);
    expect(outputs[0]?.knowledgeBaseLookupOutput?.retrievedReferences[0]).toMatchObject({
      content: { type: 'TEXT', text: expect.stringContaining('Raise the container `memory` hard limit') },
      location: { type: 'S3', s3Location: { uri: 's3://bedrock-local-kbrunbooks/ecs-task-out-of-memory.md' } },
      metadata: { service: 'ecs', team: 'platform' },
      score: 1,
    });

    // What was printed: each lookup, its references, then the answer and the cited sources.
    const at = (prefix: string) => {
      const index = lines.findIndex((line) => line.startsWith(prefix));
      expect(index, `no line starts with ${JSON.stringify(prefix)}`).toBeGreaterThanOrEqual(0);
      return index;
    };
    const input1 = at(
      '  invocationInput  KNOWLEDGE_BASE  knowledgeBaseLookupInput: {knowledgeBaseId: KBRUNBOOKS, text: "ECS task OutOfMemoryError after deploy"}',
    );
    const output1 = at('  observation      KNOWLEDGE_BASE  knowledgeBaseLookupOutput: 3 retrievedReferences');
    const reference1 = at('    1.00  s3://bedrock-local-kbrunbooks/ecs-task-out-of-memory.md  "## Immediate mitigation');
    const answer = at('Answer: Since the OOM kills started with this morning');
    const sources = at('Sources:');
    expect([input1, output1, reference1, answer, sources]).toEqual([input1, output1, reference1, answer, sources].sort((a, b) => a - b));
    expect(lines.slice(sources + 1)).toEqual([
      '  * s3://bedrock-local-kbrunbooks/deploy-rollback.md  (best score 1.00)',
      '  * s3://bedrock-local-kbrunbooks/ecs-task-out-of-memory.md  (best score 1.00)',
      '  (* cited in the answer)',
    ]);
    expect(sourcesOf(result).every((source) => source.cited)).toBe(true);
  });

  it('runs as a command and exits by itself', async () => {
    const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      execFile(TSX, ['--conditions=@novaloop/source', KB], { env: { PATH: process.env.PATH }, timeout: 20_000 }, (error, stdout) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout }),
      );
    });
    expect(code).toBe(0);
    expect(stdout).toContain('knowledgeBaseLookupOutput: 3 retrievedReferences');
    expect(stdout).toContain('Answer: Since the OOM kills started');
  });

  it('a question the script does not cover ends with bedrock-local saying so, not a hang', async () => {
    await expect(main('What is the capital of France?', () => undefined)).rejects.toThrow(/bedrock-local/);
  });
});
