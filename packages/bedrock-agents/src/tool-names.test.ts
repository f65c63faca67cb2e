import { describe, expect, it } from 'vitest';
import { assignToolNames, novaSafeName } from './tool-names.js';

describe('tool names for migrated actions', () => {
  it('keeps a valid name, and makes any other one Nova-safe and at most 64 characters', () => {
    expect(novaSafeName('count_failed_tasks')).toBe('count_failed_tasks');
    expect(novaSafeName('restart-service')).toBe('restart_service');
    expect(novaSafeName('GET_/services/{name}/status')).toBe('GET_services_name_status');
    expect(novaSafeName('---')).toBe('action');
    const long = novaSafeName(`op_${'x'.repeat(100)}`);
    expect(long).toMatch(/^[A-Za-z0-9_]{64}$/);
    // Two long names that differ only past the cut stay apart.
    expect(novaSafeName(`op_${'x'.repeat(100)}a`)).not.toBe(novaSafeName(`op_${'x'.repeat(100)}b`));
  });

  it('prefixes names two action groups share with the group, and numbers what is still equal', () => {
    expect(
      assignToolNames([
        { actionGroup: 'ecs', name: 'status' },
        { actionGroup: 'rds', name: 'status' },
        { actionGroup: 'ecs', name: 'restart' },
        { actionGroup: 'ecs', name: 'ecs_status' },
      ]),
    ).toEqual(['ecs_status', 'rds_status', 'restart', 'ecs_status_2']);
  });
});
