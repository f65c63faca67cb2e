import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveTarget } from './resolve-target.js';

// The profile files are read through the SDK's loader, which reads process.env: point it at an empty home.
const home = mkdtempSync(join(tmpdir(), 'novaloop-target-'));
const saved = { ...process.env };
let files = 0;
const isolate = (contents: { config?: string } = {}) => {
  for (const name of Object.keys(process.env)) if (name.startsWith('AWS_')) delete process.env[name];
  // A new file name each time: the SDK's loader caches what it read by path.
  const config = join(home, `config-${++files}`);
  process.env.AWS_CONFIG_FILE = config;
  process.env.AWS_SHARED_CREDENTIALS_FILE = join(home, 'credentials');
  writeFileSync(config, contents.config ?? '');
};
afterEach(() => {
  for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
  Object.assign(process.env, saved);
});
process.on('exit', () => rmSync(home, { recursive: true, force: true }));

describe('resolveTarget', () => {
  it('the regional endpoint, and its FIPS twin', async () => {
    isolate();
    expect((await resolveTarget({ region: 'us-east-1' }, {})).url.href).toBe('https://bedrock-runtime.us-east-1.amazonaws.com/');
    expect((await resolveTarget({ region: 'us-east-1', useFipsEndpoint: true }, {})).url.href).toBe(
      'https://bedrock-runtime-fips.us-east-1.amazonaws.com/',
    );
    process.env.AWS_USE_FIPS_ENDPOINT = 'true';
    expect((await resolveTarget({ region: 'us-west-2' }, {})).url.host).toBe('bedrock-runtime-fips.us-west-2.amazonaws.com');
  });

  it('endpoint: config, then AWS_ENDPOINT_URL_BEDROCK_RUNTIME, then AWS_ENDPOINT_URL', async () => {
    isolate();
    const env = { AWS_ENDPOINT_URL_BEDROCK_RUNTIME: 'http://127.0.0.1:4000', AWS_ENDPOINT_URL: 'http://127.0.0.1:5000' };
    expect((await resolveTarget({ region: 'us-east-1', endpoint: 'http://localhost:3000' }, env)).url.port).toBe('3000');
    expect((await resolveTarget({ region: 'us-east-1' }, env)).url.port).toBe('4000');
    expect((await resolveTarget({ region: 'us-east-1' }, { AWS_ENDPOINT_URL: env.AWS_ENDPOINT_URL })).url.port).toBe('5000');
  });

  it("region: config, AWS_REGION, AWS_DEFAULT_REGION, then the profile's; none is the SDK's 'Region is missing'", async () => {
    isolate({ config: '[default]\nregion = ap-south-1\n' });
    expect((await resolveTarget({ region: 'eu-west-1' }, { AWS_REGION: 'us-west-2' })).region).toBe('eu-west-1');
    expect((await resolveTarget({}, { AWS_REGION: 'us-west-2' })).region).toBe('us-west-2');
    expect((await resolveTarget({}, { AWS_DEFAULT_REGION: 'eu-central-1' })).region).toBe('eu-central-1');
    expect((await resolveTarget({}, {})).region).toBe('ap-south-1');
    isolate();
    await expect(resolveTarget({}, {})).rejects.toThrow(/^Region is missing/);
  });
});
