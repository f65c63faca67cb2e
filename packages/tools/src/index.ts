export { calculator } from './calculator.js';
export type { CalculatorOptions } from './calculator.js';
export { currentTime } from './current-time.js';
export type { CurrentTimeOptions, ZonedTime } from './current-time.js';
export { ToolCallError, ToolConfigError, MissingDriverError } from './errors.js';
export type { ToolCallErrorCode } from './errors.js';
