import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

// s3rver is CommonJS without types: an S3-compatible server (REST + XML, path-style and
// virtual-host addressing) storing objects in a directory. The AWS SDK's S3Client talks to it with
// `forcePathStyle: true`; it does not check signatures.
const require = createRequire(import.meta.url);
interface S3rverInstance {
  run(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
}
const S3rver = require('s3rver') as new (options: Record<string, unknown>) => S3rverInstance;

export interface S3Server {
  /** `http://127.0.0.1:PORT`: the S3Client's `endpoint`, with `forcePathStyle: true`. */
  endpoint: string;
  /** Credentials to give the SDK (any are accepted). */
  credentials: { accessKeyId: string; secretAccessKey: string };
  region: string;
  stop(): Promise<void>;
}

/** s3rver in this process, on a free loopback port, storing into a temporary directory removed on stop. */
export async function startS3Server(): Promise<S3Server> {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'novaloop-s3-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory });
  const { port } = await server.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    region: 'us-east-1',
    stop: async () => {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
