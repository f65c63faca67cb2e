import { describe, expect, it } from 'vitest';
import { MissingDriverError } from './errors.js';
import { checkDriverInstalled, loadDriver } from './load-driver.js';

describe('optional drivers', () => {
  it('names the package to install when a driver is missing, at setup and on first use', async () => {
    expect(() =>
      checkDriverInstalled('@novaloop/no-such-driver', 'sqlQuery on PostgreSQL', ['@novaloop/no-such-driver', 'pg-cursor']),
    ).toThrow(MissingDriverError);
    try {
      checkDriverInstalled('@novaloop/no-such-driver', 'sqlQuery on PostgreSQL', ['@novaloop/no-such-driver', 'pg-cursor']);
    } catch (error) {
      expect((error as MissingDriverError).code).toBe('MISSING_DRIVER');
      expect((error as MissingDriverError).packageName).toBe('@novaloop/no-such-driver');
      expect((error as Error).message).toContain('npm install @novaloop/no-such-driver pg-cursor');
    }
    await expect(loadDriver('@novaloop/no-such-driver', 'sqlQuery on SQLite')).rejects.toThrow(/npm install @novaloop\/no-such-driver\)/);
  });

  it('loads an installed driver', async () => {
    expect(() => checkDriverInstalled('pg', 'sqlQuery on PostgreSQL')).not.toThrow();
    expect(typeof (await loadDriver<{ default: { Pool: unknown } }>('pg', 'sqlQuery on PostgreSQL')).default.Pool).toBe('function');
  });
});
