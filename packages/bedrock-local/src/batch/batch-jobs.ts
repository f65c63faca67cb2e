import { randomBytes, randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { serveConverse, type ConverseContext } from '../converse.js';
import { BedrockServiceError, validationError } from '../errors.js';
import { resolveModel } from '../models.js';
import { isObject } from '../wire-types.js';
import type { BatchJobPlan, BatchJobStatus, BatchRecordError, LocalBatchOptions } from './job-types.js';
import { parseS3Uri, S3Objects, type S3Location } from './s3-objects.js';

/** One job as bedrock-local keeps it; `describe()` gives the wire shape. */
export interface LocalBatchJob {
  readonly jobArn: string;
  readonly jobId: string;
  readonly jobName: string;
  readonly modelId: string;
  readonly roleArn: string;
  readonly clientRequestToken: string | undefined;
  readonly inputS3Uri: string;
  readonly outputS3Uri: string;
  readonly modelInvocationType: string;
  readonly timeoutDurationInHours: number;
  readonly submitTime: Date;
  status: BatchJobStatus;
  message: string | undefined;
  lastModifiedTime: Date;
  endTime: Date | undefined;
  totalRecordCount: number;
  processedRecordCount: number;
  successRecordCount: number;
  errorRecordCount: number;
  /** Resolves when the job has reached a final status. */
  readonly finished: Promise<void>;
}

interface JobState extends LocalBatchJob {
  plan: BatchJobPlan;
  stopRequested: boolean;
  resolveFinished(): void;
}

interface InputRecord {
  recordId: string;
  modelInput: unknown;
}

const FINAL: ReadonlySet<BatchJobStatus> = new Set(['Completed', 'PartiallyCompleted', 'Failed', 'Stopped', 'Expired']);
const JOB_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9+\-.])*$/;
const ROLE_ARN = /^arn:aws(-[^:]+)?:iam::([0-9]{12})?:role\/.+$/;

/** Bedrock's batch inference control plane, run in process against an S3-compatible server. */
export class LocalBatchJobs {
  readonly jobs: LocalBatchJob[] = [];
  private readonly plans: BatchJobPlan[] = [];
  private readonly byArn = new Map<string, JobState>();
  private readonly s3: S3Objects | undefined;
  private readonly minRecords: number;
  private readonly maxPerFile: number;
  private readonly statusDelayMs: number;
  private readonly arnPrefix: string;

  constructor(
    private readonly ctx: ConverseContext,
    options: LocalBatchOptions = {},
  ) {
    this.s3 = options.s3 ? new S3Objects(options.s3) : undefined;
    this.minRecords = options.minRecordsPerJob ?? 100;
    this.maxPerFile = options.maxRecordsPerFile ?? 50_000;
    this.statusDelayMs = options.statusDelayMs ?? 10;
    this.arnPrefix = `arn:aws:bedrock:${options.region ?? 'us-east-1'}:${options.accountId ?? '123456789012'}:model-invocation-job/`;
  }

  /** Makes the next job(s) created follow `plan` (see `BatchJobPlan`). */
  injectJob(plan: BatchJobPlan): void {
    this.plans.push(plan);
  }

  /** Waits until every job created so far has reached a final status. */
  async idle(): Promise<void> {
    await Promise.all(this.jobs.map((job) => job.finished));
  }

  close(): void {
    for (const job of this.byArn.values()) job.stopRequested = true;
    this.s3?.close();
  }

  create(body: unknown): { jobArn: string } {
    if (!isObject(body)) throw validationError('The request body must be a JSON object.');
    const errors: string[] = [];
    const jobName = body.jobName;
    if (typeof jobName !== 'string' || jobName.length > 63 || !JOB_NAME.test(jobName)) {
      errors.push(
        `Value ${JSON.stringify(jobName ?? null)} at 'jobName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9]{1,63}(-*[a-zA-Z0-9\\+\\-\\.]){0,63}`,
      );
    }
    const roleArn = body.roleArn;
    if (typeof roleArn !== 'string' || !ROLE_ARN.test(roleArn)) {
      errors.push(
        `Value ${JSON.stringify(roleArn ?? null)} at 'roleArn' failed to satisfy constraint: Member must satisfy regular expression pattern: ^arn:aws(-[^:]+)?:iam::([0-9]{12})?:role/.+$`,
      );
    }
    const inputUri =
      isObject(body.inputDataConfig) && isObject(body.inputDataConfig.s3InputDataConfig)
        ? body.inputDataConfig.s3InputDataConfig.s3Uri
        : undefined;
    const outputUri =
      isObject(body.outputDataConfig) && isObject(body.outputDataConfig.s3OutputDataConfig)
        ? body.outputDataConfig.s3OutputDataConfig.s3Uri
        : undefined;
    for (const [where, uri] of [
      ['inputDataConfig.s3InputDataConfig.s3Uri', inputUri],
      ['outputDataConfig.s3OutputDataConfig.s3Uri', outputUri],
    ] as const) {
      if (typeof uri !== 'string' || !parseS3Uri(uri)) {
        errors.push(
          `Value ${JSON.stringify(uri ?? null)} at '${where}' failed to satisfy constraint: Member must satisfy regular expression pattern: ^s3://[a-z0-9][\\.\\-a-z0-9]{1,61}[a-z0-9](/.*)?$`,
        );
      }
    }
    const invocationType = body.modelInvocationType ?? 'InvokeModel';
    if (invocationType !== 'InvokeModel' && invocationType !== 'Converse') {
      errors.push(
        `Value ${JSON.stringify(invocationType)} at 'modelInvocationType' failed to satisfy constraint: Member must satisfy enum value set: [InvokeModel, Converse]`,
      );
    }
    const timeout = body.timeoutDurationInHours ?? 168;
    if (!Number.isInteger(timeout) || (timeout as number) < 24 || (timeout as number) > 168) {
      errors.push(
        `Value ${JSON.stringify(timeout)} at 'timeoutDurationInHours' failed to satisfy constraint: Member must have value between 24 and 168`,
      );
    }
    if (errors.length > 0)
      throw validationError(`${errors.length} validation error${errors.length > 1 ? 's' : ''} detected: ${errors.join('; ')}`);
    if (typeof body.modelId !== 'string')
      throw validationError("1 validation error detected: Value null at 'modelId' failed to satisfy constraint: Member must not be null");
    resolveModel(body.modelId);
    if (invocationType !== 'Converse') {
      throw validationError('bedrock-local runs batch jobs with modelInvocationType "Converse" only (records in Converse request format).');
    }
    if (!this.s3) {
      throw validationError(
        'bedrock-local has no S3 server for batch jobs: start it with startLocalBedrock({ batch: { s3: { endpoint } } }).',
      );
    }
    const token = typeof body.clientRequestToken === 'string' ? body.clientRequestToken : undefined;
    if (token !== undefined) {
      // The same token is the same job (idempotent create), as on the service.
      const same = this.jobs.find((job) => job.clientRequestToken === token);
      if (same) return { jobArn: same.jobArn };
    }
    if (this.jobs.some((job) => job.jobName === jobName)) {
      throw new BedrockServiceError(400, 'ConflictException', `A job with the name ${jobName as string} already exists.`);
    }

    const jobId = randomBytes(9)
      .toString('base64url')
      .toLowerCase()
      .replace(/[^a-z0-9]/g, '0')
      .slice(0, 12);
    const now = new Date();
    let resolveFinished = () => {};
    const finished = new Promise<void>((resolve) => (resolveFinished = resolve));
    const job: JobState = {
      jobArn: this.arnPrefix + jobId,
      jobId,
      jobName: jobName as string,
      modelId: body.modelId,
      roleArn: roleArn as string,
      clientRequestToken: token,
      inputS3Uri: inputUri as string,
      outputS3Uri: outputUri as string,
      modelInvocationType: invocationType,
      timeoutDurationInHours: timeout as number,
      submitTime: now,
      status: 'Submitted',
      message: undefined,
      lastModifiedTime: now,
      endTime: undefined,
      totalRecordCount: 0,
      processedRecordCount: 0,
      successRecordCount: 0,
      errorRecordCount: 0,
      finished,
      plan: this.takePlan(),
      stopRequested: false,
      resolveFinished,
    };
    this.jobs.push(job);
    this.byArn.set(job.jobArn, job);
    void this.run(job).catch((error: unknown) => this.finish(job, 'Failed', `bedrock-local: ${(error as Error).message}`));
    return { jobArn: job.jobArn };
  }

  get(identifier: string): Record<string, unknown> {
    return describe(this.find(identifier));
  }

  list(query: URLSearchParams): Record<string, unknown> {
    const status = query.get('statusEquals');
    const name = query.get('nameContains');
    const after = query.get('submitTimeAfter');
    const before = query.get('submitTimeBefore');
    let jobs = this.jobs.filter(
      (job) =>
        (!status || job.status === status) &&
        (!name || job.jobName.includes(name)) &&
        (!after || job.submitTime > new Date(after)) &&
        (!before || job.submitTime < new Date(before)),
    );
    // The service's default order: newest first.
    jobs = [...jobs].sort((a, b) => b.submitTime.getTime() - a.submitTime.getTime());
    if (query.get('sortOrder') === 'Ascending') jobs.reverse();
    const start = Number(query.get('nextToken') ?? 0) || 0;
    const max = Math.min(Number(query.get('maxResults') ?? 1000) || 1000, 1000);
    const page = jobs.slice(start, start + max);
    const next = start + max < jobs.length ? String(start + max) : undefined;
    return { invocationJobSummaries: page.map(describe), ...(next ? { nextToken: next } : {}) };
  }

  stop(identifier: string): Record<string, never> {
    const job = this.find(identifier);
    if (FINAL.has(job.status) || job.status === 'Stopping') {
      throw validationError(`The job ${job.jobArn} is ${job.status} and cannot be stopped.`);
    }
    job.stopRequested = true;
    this.setStatus(job, 'Stopping');
    return {};
  }

  private find(identifier: string): JobState {
    const arn = identifier.startsWith('arn:') ? identifier : this.arnPrefix + identifier;
    const job = this.byArn.get(arn);
    if (!job) throw new BedrockServiceError(404, 'ResourceNotFoundException', `The model invocation job ${identifier} was not found.`);
    return job;
  }

  private takePlan(): BatchJobPlan {
    const plan = this.plans[0];
    if (!plan) return {};
    const left = (plan.times ?? 1) - 1;
    if (left <= 0) this.plans.shift();
    else this.plans[0] = { ...plan, times: left };
    return plan;
  }

  private setStatus(job: JobState, status: BatchJobStatus, message?: string): void {
    job.status = status;
    if (message !== undefined) job.message = message;
    job.lastModifiedTime = new Date();
  }

  private finish(job: JobState, status: BatchJobStatus, message?: string): void {
    if (FINAL.has(job.status)) return;
    this.setStatus(job, status, message);
    job.endTime = job.lastModifiedTime;
    job.resolveFinished();
  }

  private async step(job: JobState, status: BatchJobStatus): Promise<boolean> {
    await sleep(this.statusDelayMs);
    if (job.stopRequested) return false;
    this.setStatus(job, status);
    return true;
  }

  private async run(job: JobState): Promise<void> {
    const s3 = this.s3 as S3Objects;
    if (!(await this.step(job, 'Validating'))) return this.finish(job, 'Stopped');
    const input = parseS3Uri(job.inputS3Uri) as S3Location;
    const files = await inputFiles(s3, input);
    if (files.length === 0) return this.finish(job, 'Failed', `No .jsonl input files were found at ${job.inputS3Uri}.`);
    const records: { key: string; records: InputRecord[] }[] = [];
    for (const key of files) {
      const parsed = parseJsonl(await s3.read(input.bucket, key));
      if (typeof parsed === 'string')
        return this.finish(job, 'Failed', `The input file s3://${input.bucket}/${key} is not valid JSONL: ${parsed}`);
      if (parsed.length > this.maxPerFile) {
        return this.finish(
          job,
          'Failed',
          `The input file s3://${input.bucket}/${key} has ${parsed.length} records, more than the limit of ${this.maxPerFile} records per input file.`,
        );
      }
      records.push({ key, records: parsed });
    }
    job.totalRecordCount = records.reduce((n, file) => n + file.records.length, 0);
    if (job.totalRecordCount < this.minRecords) {
      return this.finish(
        job,
        'Failed',
        `The number of records in the input (${job.totalRecordCount}) is less than the minimum of ${this.minRecords} records per batch inference job.`,
      );
    }
    const plan = job.plan;
    if (plan.outcome === 'Failed')
      return this.finish(job, 'Failed', plan.message ?? 'Internal failure while running the batch inference job.');
    if (!(await this.step(job, 'Scheduled')) || !(await this.step(job, 'InProgress'))) return this.finish(job, 'Stopped');

    const cut = plan.outcome && plan.outcome !== 'Completed' ? (plan.afterRecords ?? Math.floor(job.totalRecordCount / 2)) : Infinity;
    const model = resolveModel(job.modelId);
    const outputs: { key: string; lines: string[] }[] = [];
    let inputTokenCount = 0;
    let outputTokenCount = 0;
    let ending: BatchJobStatus = 'Completed';
    outer: for (const file of records) {
      const lines: string[] = [];
      outputs.push({ key: file.key, lines });
      for (const record of file.records) {
        if (job.stopRequested) {
          ending = 'Stopped';
          break outer;
        }
        if (job.processedRecordCount >= cut) {
          ending = plan.outcome as BatchJobStatus;
          break outer;
        }
        const injected =
          typeof plan.recordErrors === 'function' ? plan.recordErrors(record.recordId) : plan.recordErrors?.[record.recordId];
        let result: { modelOutput: unknown } | { error: BatchRecordError };
        if (injected) {
          result = { error: injected };
        } else {
          result = await this.invoke(job.modelId, model, record.modelInput);
        }
        if ('modelOutput' in result) {
          const usage = isObject(result.modelOutput) && isObject(result.modelOutput.usage) ? result.modelOutput.usage : {};
          inputTokenCount += Number(usage.inputTokens ?? 0);
          outputTokenCount += Number(usage.outputTokens ?? 0);
          job.successRecordCount++;
        } else {
          job.errorRecordCount++;
        }
        job.processedRecordCount++;
        lines.push(JSON.stringify({ recordId: record.recordId, modelInput: record.modelInput, ...result }));
        // Let status requests through while a long job runs.
        if (job.processedRecordCount % 50 === 0) await sleep(0);
      }
    }

    const output = parseS3Uri(job.outputS3Uri) as S3Location;
    const folder = `${output.key.replace(/\/?$/, output.key ? '/' : '')}${job.jobId}/`;
    for (const file of outputs) {
      const name = file.key.slice(
        input.key && !input.key.endsWith('.jsonl') ? input.key.replace(/\/?$/, '/').length : file.key.lastIndexOf('/') + 1,
      );
      // The service does not keep input order in its output.
      await s3.write(
        output.bucket,
        `${folder}${name}.out`,
        shuffle(file.lines)
          .map((line) => `${line}\n`)
          .join(''),
      );
    }
    const manifest = {
      totalRecordCount: job.totalRecordCount,
      processedRecordCount: job.processedRecordCount,
      successRecordCount: job.successRecordCount,
      errorRecordCount: job.errorRecordCount,
      inputTokenCount,
      outputTokenCount,
    };
    await s3.write(output.bucket, `${folder}manifest.json.out`, JSON.stringify(manifest));
    const messages: Partial<Record<BatchJobStatus, string>> = {
      Expired: `The job did not finish within its timeout of ${job.timeoutDurationInHours} hours.`,
      PartiallyCompleted: `${job.totalRecordCount - job.processedRecordCount} of ${job.totalRecordCount} records were not processed.`,
    };
    this.finish(job, ending, messages[ending]);
  }

  /** One record through the same Converse responder as online calls: its output, or its error line. */
  private async invoke(
    modelId: string,
    model: ReturnType<typeof resolveModel>,
    modelInput: unknown,
  ): Promise<{ modelOutput: unknown } | { error: BatchRecordError }> {
    try {
      if (isObject(modelInput) && 'modelId' in modelInput) {
        throw validationError('The modelInput of a Converse batch record must not contain modelId; the job sets the model.');
      }
      const outcome = await serveConverse(this.ctx, {
        modelId,
        model,
        route: 'converse',
        rawBody: modelInput,
        faults: { latencyMs: 0 },
        startedAt: performance.now(),
      });
      const { reply } = outcome;
      if (reply.kind === 'json') return { modelOutput: reply.body };
      if (reply.kind === 'error') return { error: { errorCode: reply.error.status, errorMessage: reply.error.message } };
      return { error: { errorCode: 500, errorMessage: 'Internal error.' } };
    } catch (error) {
      if (error instanceof BedrockServiceError) return { error: { errorCode: error.status, errorMessage: error.message } };
      return { error: { errorCode: 500, errorMessage: `bedrock-local: ${(error as Error).message}` } };
    }
  }
}

/** The `.jsonl` keys a job reads: the one file named, or every `.jsonl` under the prefix. */
async function inputFiles(s3: S3Objects, input: S3Location): Promise<string[]> {
  if (input.key.endsWith('.jsonl')) return (await s3.list(input.bucket, input.key)).filter((key) => key === input.key);
  return (await s3.list(input.bucket, input.key)).filter((key) => key.endsWith('.jsonl'));
}

function parseJsonl(text: string): InputRecord[] | string {
  const records: InputRecord[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    if (!line) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return `line ${i + 1} is not JSON`;
    }
    if (!isObject(value) || !isObject(value.modelInput)) return `line ${i + 1} has no "modelInput" object`;
    // The service adds a recordId to a record without one.
    const recordId = typeof value.recordId === 'string' ? value.recordId : randomBytes(6).toString('hex').toUpperCase().slice(0, 11);
    records.push({ recordId, modelInput: value.modelInput });
  }
  return records;
}

function shuffle<T>(items: T[]): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

function describe(job: LocalBatchJob): Record<string, unknown> {
  return {
    jobArn: job.jobArn,
    jobName: job.jobName,
    modelId: job.modelId,
    roleArn: job.roleArn,
    ...(job.clientRequestToken ? { clientRequestToken: job.clientRequestToken } : {}),
    status: job.status,
    ...(job.message ? { message: job.message } : {}),
    submitTime: job.submitTime.toISOString(),
    lastModifiedTime: job.lastModifiedTime.toISOString(),
    ...(job.endTime ? { endTime: job.endTime.toISOString() } : {}),
    inputDataConfig: { s3InputDataConfig: { s3Uri: job.inputS3Uri, s3InputFormat: 'JSONL' } },
    outputDataConfig: { s3OutputDataConfig: { s3Uri: job.outputS3Uri } },
    timeoutDurationInHours: job.timeoutDurationInHours,
    jobExpirationTime: new Date(job.submitTime.getTime() + job.timeoutDurationInHours * 3_600_000).toISOString(),
    modelInvocationType: job.modelInvocationType,
    totalRecordCount: job.totalRecordCount,
    processedRecordCount: job.processedRecordCount,
    successRecordCount: job.successRecordCount,
    errorRecordCount: job.errorRecordCount,
  };
}
