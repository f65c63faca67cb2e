// Failures of where and how the agent connects: each is a typed error that says what to change,
// and none is reported as "raise retry.maxAttempts".
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  Agent,
  BedrockRequestError,
  createBedrockClient,
  BedrockUnreachableError,
  CredentialsMissingError,
  RegionMissingError,
} from '../src/index.js';
import { resolveRegion } from '../src/model/region.js';
import { LOCAL_CREDENTIALS, NOVA_PRO, TEST_TRANSPORT, useBedrock } from './helpers.js';

const bedrockKit = useBedrock();
const failure = (agent: Agent) =>
  agent.run('Hello').then(
    () => {
      throw new Error('the run should have failed');
    },
    (error: unknown) => error as Error & { code: string },
  );

// The SDK reads its region and credential chains from the environment at call time; each test here
// gets an environment with no AWS settings at all, and no ~/.aws files.
const AWS_VARS = /^AWS_/;
let saved: NodeJS.ProcessEnv;
let home: string;
beforeEach(() => {
  saved = { ...process.env };
  for (const name of Object.keys(process.env)) if (AWS_VARS.test(name)) delete process.env[name];
  home = mkdtempSync(join(tmpdir(), 'novaloop-aws-'));
  process.env.AWS_CONFIG_FILE = join(home, 'config');
  process.env.AWS_SHARED_CREDENTIALS_FILE = join(home, 'credentials');
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
});
afterEach(() => {
  for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
  Object.assign(process.env, saved);
  rmSync(home, { recursive: true, force: true });
});

describe('an endpoint that cannot be reached', () => {
  it('a refused connection names the endpoint and says to check it, not to raise retries', async () => {
    const agent = new Agent({
      model: NOVA_PRO,
      transport: TEST_TRANSPORT,
      clientConfig: { endpoint: 'http://127.0.0.1:1', region: 'us-east-1', credentials: { ...LOCAL_CREDENTIALS } },
      retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
    });
    const error = await failure(agent);
    agent.close();
    expect(error).toBeInstanceOf(BedrockUnreachableError);
    expect(error).toBeInstanceOf(BedrockRequestError);
    expect(error).toMatchObject({ code: 'BEDROCK_UNREACHABLE', endpoint: '127.0.0.1:1', attempts: 2 });
    expect(error.message).toMatch(/The Bedrock endpoint 127\.0\.0\.1:1 cannot be reached: it refused the connection/);
    expect(error.message).not.toMatch(/maxAttempts|quotas/);
  });

  it('a host name that does not resolve is named too', async () => {
    const agent = new Agent({
      model: NOVA_PRO,
      transport: TEST_TRANSPORT,
      clientConfig: { endpoint: 'http://bedrock-runtime.novaloop.invalid', region: 'us-east-1', credentials: { ...LOCAL_CREDENTIALS } },
      retry: { maxAttempts: 1 },
    });
    const error = await failure(agent);
    agent.close();
    expect(error).toMatchObject({ code: 'BEDROCK_UNREACHABLE', endpoint: 'bedrock-runtime.novaloop.invalid' });
    expect(error.message).toMatch(/does not resolve \(DNS\)/);
  });
});

describe('missing credentials', () => {
  it('list the concrete ways to provide them, and nothing is sent', async () => {
    const server = await bedrockKit.start();
    const agent = new Agent({
      model: NOVA_PRO,
      transport: TEST_TRANSPORT,
      clientConfig: { endpoint: server.endpoint, region: 'us-east-1' },
    });
    const error = await failure(agent);
    agent.close();
    expect(error).toBeInstanceOf(CredentialsMissingError);
    expect(error.code).toBe('CREDENTIALS_MISSING');
    for (const way of [
      'AWS_ACCESS_KEY_ID',
      'aws configure',
      'AWS_PROFILE',
      'aws sso login',
      'AWS_BEARER_TOKEN_BEDROCK',
      'IAM role',
      'clientConfig.credentials',
    ]) {
      expect(error.message).toContain(way);
    }
    expect(server.requests).toEqual([]);
  });
});

describe('the region', () => {
  it('none set anywhere: RegionMissingError before any request, never a silent us-east-1', async () => {
    const server = await bedrockKit.start();
    const agent = new Agent({
      model: NOVA_PRO,
      transport: TEST_TRANSPORT,
      clientConfig: { endpoint: server.endpoint, credentials: { ...LOCAL_CREDENTIALS } },
    });
    const error = await failure(agent);
    agent.close();
    expect(error).toBeInstanceOf(RegionMissingError);
    expect(error.code).toBe('REGION_MISSING');
    expect(error.message).toMatch(/AWS_REGION.*~\/\.aws\/config/);
    expect(server.requests).toEqual([]);
  });

  it("comes from the profile's config file through the SDK's own chain", async () => {
    writeFileSync(join(home, 'config'), '[default]\nregion = eu-west-1\n');
    const server = await bedrockKit.start();
    const agent = new Agent({
      model: 'eu.amazon.nova-pro-v1:0',
      transport: TEST_TRANSPORT,
      clientConfig: { endpoint: server.endpoint, credentials: { ...LOCAL_CREDENTIALS } },
    });
    const result = await agent.run('Hello');
    agent.close();
    expect(result.stopReason).toBe('end_turn');
    const client = createBedrockClient({ endpoint: server.endpoint, credentials: { ...LOCAL_CREDENTIALS } });
    expect(await client.config.region()).toBe('eu-west-1');
    client.destroy();
  });

  it('explicit, then AWS_REGION, then AWS_DEFAULT_REGION, then the SDK chain', () => {
    expect(resolveRegion('ap-south-1', { AWS_REGION: 'us-west-2' })).toBe('ap-south-1');
    expect(resolveRegion(undefined, { AWS_REGION: 'us-west-2', AWS_DEFAULT_REGION: 'eu-west-1' })).toBe('us-west-2');
    expect(resolveRegion(undefined, { AWS_DEFAULT_REGION: 'eu-west-1' })).toBe('eu-west-1');
    expect(resolveRegion(undefined, {})).toBeUndefined();
  });
});
