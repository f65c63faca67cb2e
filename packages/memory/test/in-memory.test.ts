import { InMemorySessionStore } from '@novaloop/core';
import { describeSessionStore } from './conformance.js';

// Core's default store meets the same contract as the durable ones. It lives in one process and
// holds objects, so the child-process and corrupt-data cases do not apply to it.
const shared = new InMemorySessionStore();
describeSessionStore('InMemorySessionStore', { crossProcess: false, serialized: false }, () => ({
  create: () => shared,
  corrupt: () => Promise.reject(new Error('an in-memory store holds no serialized data')),
}));
