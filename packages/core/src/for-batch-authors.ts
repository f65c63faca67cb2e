// `@novaloop/core/batch-support`: what @novaloop/batch builds on, so a batch record is exactly the
// request classify(), extract() or a prompt would send online, and its answer is parsed the same way.
export { prepareClassify } from './structured/classify.js';
export { prepareExtract } from './structured/extract.js';
export { preparePrompt } from './structured/prompt-call.js';
export type { PromptCallOptions } from './structured/prompt-call.js';
export { runSingleCall } from './structured/run-single-call.js';
export type { SingleCallResult } from './structured/run-single-call.js';
export type { SingleCall } from './structured/forced-tool.js';
export { converseRequestOf } from './model/drive-model-call.js';
export type { ModelCallRequest } from './model/drive-model-call.js';
export { classifyError } from './model/classify-error.js';
export { addUsage, emptyUsage, toUsage } from './model/usage.js';
export { backoffDelay, sleep } from './model/retry-policy.js';
