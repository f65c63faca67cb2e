import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

/** Where bedrock-local reads batch input and writes batch output: any S3-compatible server. */
export interface LocalS3Config {
  /** E.g. `http://127.0.0.1:4568` (path-style addressing is used). */
  endpoint: string;
  region?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export interface S3Location {
  bucket: string;
  key: string;
}

/** `s3://bucket/key` as bucket and key; `undefined` for anything else. */
export function parseS3Uri(uri: string): S3Location | undefined {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(uri);
  if (!match) return undefined;
  return { bucket: match[1] as string, key: match[2] ?? '' };
}

/** The few S3 calls a batch job makes. */
export class S3Objects {
  private readonly client: S3Client;

  constructor(config: LocalS3Config) {
    this.client = new S3Client({
      region: config.region ?? 'us-east-1',
      endpoint: config.endpoint,
      forcePathStyle: true,
      // A fresh object: the SDK writes to the credentials it is given.
      credentials: { ...(config.credentials ?? { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }) },
    });
  }

  /** Keys under `prefix`, in S3's (lexicographic) order. */
  async list(bucket: string, prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
      for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys;
  }

  async read(bucket: string, key: string): Promise<string> {
    const object = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return (await object.Body?.transformToString('utf8')) ?? '';
  }

  async write(bucket: string, key: string, body: string): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  }

  close(): void {
    this.client.destroy();
  }
}
