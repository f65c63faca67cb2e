import { serviceErrors } from '../errors.js';
import type { LocalBatchJobs } from './batch-jobs.js';

// The REST paths `BedrockClient` (@aws-sdk/client-bedrock) uses for batch inference.
const JOB = /^\/model-invocation-job\/([^/]+)$/;
const STOP = /^\/model-invocation-job\/([^/]+)\/stop$/;

/**
 * Answers a Bedrock control-plane request for batch jobs: the JSON body to send with 200, or
 * `undefined` when the path is not one of them (then the runtime routes apply).
 */
export function routeBatchControl(jobs: LocalBatchJobs, method: string | undefined, url: string, payload: Buffer): unknown {
  const [path = '', search = ''] = url.split('?');
  const body = () => {
    try {
      return payload.length > 0 ? (JSON.parse(payload.toString('utf8')) as unknown) : {};
    } catch {
      throw serviceErrors.serialization('The request body is not valid JSON.');
    }
  };
  if (method === 'POST' && path === '/model-invocation-job') return jobs.create(body());
  if (method === 'GET' && path === '/model-invocation-jobs') return jobs.list(new URLSearchParams(search));
  const get = method === 'GET' ? JOB.exec(path) : null;
  if (get) return jobs.get(decodeURIComponent(get[1] as string));
  const stop = method === 'POST' ? STOP.exec(path) : null;
  if (stop) return jobs.stop(decodeURIComponent(stop[1] as string));
  return undefined;
}
