// Durable session stores for novaloop. Each implements core's `SessionStore`, takes an existing
// client or connection options, and opens no connection until it is first used.
export { SqliteSessionStore } from './sqlite.js';
export type { SqliteSessionStoreOptions } from './sqlite.js';
export { encodeStep, decodeStep, toSessionState } from './codec.js';
export type { StoredStep } from './codec.js';
export { RedisSessionStore } from './redis.js';
export type { RedisSessionStoreOptions } from './redis.js';
export { DynamoDBSessionStore, createSessionTable, DYNAMODB_KEY_SCHEMA, INLINE_STEP_BYTES } from './dynamodb.js';
export type { DynamoDBSessionStoreOptions, CreateSessionTableOptions } from './dynamodb.js';
export { StoreDriverMissingError } from './load-driver.js';
