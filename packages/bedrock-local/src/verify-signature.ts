import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { BedrockServiceError } from './errors.js';

/** A key pair bedrock-local accepts, as AWS would have issued it. */
export interface LocalCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  /** Temporary credentials: requests must carry this as `x-amz-security-token`, inside the signature. */
  sessionToken?: string;
}

/**
 * Signature checking, off unless given: with it, every request must be signed with one of
 * `credentials` (SigV4 recomputed here from the raw request, so a client that signs wrongly fails
 * as it would on Bedrock) or carry one of `apiKeys` as a Bearer token.
 */
export interface SignatureCheck {
  credentials: LocalCredentials[];
  /** Bedrock API keys accepted as `Authorization: Bearer <key>` (default: none). */
  apiKeys?: string[];
  /** Clock in ms for the 5-minute signature window; defaults to `Date.now`. */
  clock?: () => number;
}

/** What the check needs of a request: the parts SigV4 covers. */
export interface SignedRequest {
  method: string;
  /** The request target as sent: path and query. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

const SCHEME = 'AWS4-HMAC-SHA256';
const SKEW_MS = 5 * 60_000;

// The service's own texts (reported in public issues against the AWS SDKs and LiteLLM).
const MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
const BAD_TOKEN = 'The security token included in the request is invalid.';

const invalidSignature = (message: string) => new BedrockServiceError(403, 'InvalidSignatureException', message);
const unrecognized = () => new BedrockServiceError(403, 'UnrecognizedClientException', BAD_TOKEN);

/**
 * Verifies a request's SigV4 signature (or API key) the way Bedrock does, written from the SigV4
 * specification rather than with the SDK's signer, so it checks the client's signer independently.
 * Throws the service's 403 error when it does not hold.
 */
export function verifySignature(check: SignatureCheck, request: SignedRequest): void {
  const authorization = header(request.headers, 'authorization') ?? '';
  if (authorization.startsWith('Bearer ')) {
    if (!(check.apiKeys ?? []).includes(authorization.slice('Bearer '.length).trim())) throw unrecognized();
    return;
  }
  const parsed = parseAuthorization(authorization);
  if (!parsed) {
    throw new BedrockServiceError(
      403,
      'IncompleteSignatureException',
      `Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters. Authorization=${authorization}`,
    );
  }
  const [accessKeyId, scopeDate, region, service, terminator] = parsed.credential.split('/');
  const key = check.credentials.find((candidate) => candidate.accessKeyId === accessKeyId);
  if (!key || terminator !== 'aws4_request' || !scopeDate || !region || !service) throw unrecognized();
  if (key.sessionToken !== undefined && header(request.headers, 'x-amz-security-token') !== key.sessionToken) throw unrecognized();

  const amzDate = header(request.headers, 'x-amz-date') ?? '';
  const signedAt = parseAmzDate(amzDate);
  if (signedAt === undefined) throw invalidSignature(`Date must be in ISO-8601 'basic format'. Got '${amzDate}'.`);
  const now = (check.clock ?? Date.now)();
  if (signedAt < now - SKEW_MS) {
    throw invalidSignature(
      `Signature expired: ${amzDate} is now earlier than ${formatAmzDate(now - SKEW_MS)} (${formatAmzDate(now)} - 5 min.)`,
    );
  }
  if (signedAt > now + SKEW_MS) {
    throw invalidSignature(
      `Signature not yet current: ${amzDate} is still later than ${formatAmzDate(now + SKEW_MS)} (${formatAmzDate(now)} + 5 min.)`,
    );
  }
  // The session token is part of what is signed; a request that carries it unsigned is rejected.
  if (key.sessionToken !== undefined && !parsed.signedHeaders.includes('x-amz-security-token')) throw invalidSignature(MISMATCH);

  const canonical = canonicalRequest(request, parsed.signedHeaders);
  const scope = `${scopeDate}/${region}/${service}/aws4_request`;
  const stringToSign = `${SCHEME}\n${amzDate}\n${scope}\n${sha256(canonical)}`;
  let signingKey = hmac(`AWS4${key.secretAccessKey}`, scopeDate);
  for (const part of [region, service, 'aws4_request']) signingKey = hmac(signingKey, part);
  const expected = createHmac('sha256', signingKey).update(stringToSign).digest();
  const given = Buffer.from(parsed.signature, 'hex');
  if (scopeDate !== amzDate.slice(0, 8) || given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw invalidSignature(
      `${MISMATCH}\n\nThe Canonical String for this request should have been\n'${canonical}'\n\nThe String-to-Sign should have been\n'${stringToSign}'\n`,
    );
  }
}

interface ParsedAuthorization {
  credential: string;
  signedHeaders: string[];
  signature: string;
}

function parseAuthorization(value: string): ParsedAuthorization | undefined {
  if (!value.startsWith(`${SCHEME} `)) return undefined;
  const fields = new Map<string, string>();
  for (const part of value.slice(SCHEME.length + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const credential = fields.get('Credential');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!credential || !signedHeaders || !signature) return undefined;
  return { credential, signedHeaders: signedHeaders.split(';'), signature };
}

function canonicalRequest(request: SignedRequest, signedHeaders: readonly string[]): string {
  const [path = '/', query = ''] = request.url.split('?', 2) as [string?, string?];
  // Every service but S3 signs the path with each segment URI-encoded once more.
  const canonicalPath = path
    .split('/')
    .map((segment) => uriEscape(segment))
    .join('/');
  const canonicalQuery = query
    .split('&')
    .filter(Boolean)
    .map((pair) => {
      const [name = '', value = ''] = pair.split('=', 2) as [string?, string?];
      return [uriEscape(decodeURIComponent(name)), uriEscape(decodeURIComponent(value))] as const;
    })
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
  const headerLines = signedHeaders.map(
    (name) => `${name}:${(canonicalHeader(request.headers, name) ?? '').trim().replace(/\s+/g, ' ')}\n`,
  );
  return [
    request.method,
    canonicalPath,
    canonicalQuery,
    headerLines.join(''),
    signedHeaders.join(';'),
    // What the service hashes is the body it received, whatever x-amz-content-sha256 claims.
    sha256(request.body),
  ].join('\n');
}

/** HTTP/2 carries `host` as the `:authority` pseudo-header; SigV4 signs it as `host`. */
function canonicalHeader(headers: SignedRequest['headers'], name: string): string | undefined {
  if (name === 'host') return header(headers, 'host') ?? header(headers, ':authority');
  return header(headers, name);
}

function header(headers: SignedRequest['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

const uriEscape = (value: string): string =>
  encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data).digest();

function parseAmzDate(value: string): number | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s] = match.map(Number) as number[];
  return Date.UTC(y!, mo! - 1, d!, h!, mi!, s!);
}

const formatAmzDate = (ms: number): string =>
  new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
