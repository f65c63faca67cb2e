import { describe, expect, it } from 'vitest';
import { INFRA_QUESTION, INFRA_SCRIPT, LOCAL_CREDENTIALS, infraTools, useBedrock } from './helpers.js';

describe('transport', () => {
  const { start, agentOn } = useBedrock();

  for (const stream of [true, false]) {
    it(`${stream ? 'ConverseStream' : 'Converse'}: the default client reuses one connection for every step and run`, async () => {
      const server = await start({ script: INFRA_SCRIPT });
      const agent = agentOn(server, { tools: infraTools, stream });
      await agent.run(INFRA_QUESTION);
      await agent.run(INFRA_QUESTION);
      expect(server.requests).toHaveLength(6);
      expect(server.connectionsOpened).toBe(1);
      // And makes one attempt per call: retries are the loop's (see retries.test.ts).
      expect(server.requests.every((r) => r.protocol === 'http/1.1')).toBe(true);
    });
  }

  it('concurrent runs share a bounded pool of connections', async () => {
    const server = await start({ script: INFRA_SCRIPT, latencyMs: 20 });
    const agent = agentOn(server, {
      tools: infraTools,
      clientConfig: {
        endpoint: server.endpoint,
        region: 'us-east-1',
        credentials: LOCAL_CREDENTIALS,
        maxSockets: 4,
      },
    });
    await Promise.all(Array.from({ length: 12 }, () => agent.run(INFRA_QUESTION)));
    expect(server.requests).toHaveLength(36);
    expect(server.connectionsOpened).toBeLessThanOrEqual(4);
  });
});
