export { batch } from './batch.js';
export { BatchInputError, BatchJobRequestError } from './errors.js';
export { batchPrice } from './pricing.js';
export type {
  BatchEstimate,
  BatchJobOutcome,
  BatchMode,
  BatchOptions,
  BatchProgress,
  BatchRecord,
  BatchReport,
  BatchResult,
  BatchTask,
  BedrockBatchOptions,
  ClassifyTask,
  ConcurrencyOptions,
  ExtractTask,
  PromptTask,
  RecordError,
  TaskCallOptions,
  TaskValue,
} from './types.js';
