export { calculator } from './calculator.js';
export type { CalculatorOptions } from './calculator.js';
export { currentTime } from './current-time.js';
export type { CurrentTimeOptions, ZonedTime } from './current-time.js';
export { ToolCallError, ToolConfigError, MissingDriverError } from './errors.js';
export type { ToolCallErrorCode } from './errors.js';
export { httpRequest } from './http-request.js';
export type { HttpRequestOptions } from './http-request.js';
export type { ResolveHost } from './http-fetch.js';
