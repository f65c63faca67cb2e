import { isNovaloopError, SessionStoreError, type NovaloopError } from '@novaloop/core';

/** A backend failure as the typed error callers branch on; novaloop's own errors pass unchanged. */
export const storeFailure = (sessionId: string, operation: 'load' | 'append', error: unknown): NovaloopError =>
  isNovaloopError(error) ? error : new SessionStoreError(sessionId, operation, error);
