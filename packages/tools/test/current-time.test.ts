import { describe, expect, it } from 'vitest';
import { currentTime, ToolCallError, ToolConfigError } from '../src/index.js';
import { callError, callOk } from './call-tool.js';

// 2026-07-01T12:34:56.789Z: summer time in both hemispheres' northern zones.
const now = () => new Date(Date.UTC(2026, 6, 1, 12, 34, 56, 789));

describe('currentTime', () => {
  it('returns ISO time with the offset of the requested IANA zone, daylight saving included', async () => {
    const time = currentTime({ now });
    expect(await callOk(time, { timeZone: 'Europe/Paris' })).toEqual({
      iso: '2026-07-01T14:34:56.789+02:00',
      utc: '2026-07-01T12:34:56.789Z',
      timeZone: 'Europe/Paris',
      offset: '+02:00',
      weekday: 'Wednesday',
    });
    expect((await callOk(time, { timeZone: 'America/New_York' })).iso).toBe('2026-07-01T08:34:56.789-04:00');
    expect((await callOk(time, { timeZone: 'Asia/Kolkata' })).iso).toBe('2026-07-01T18:04:56.789+05:30');
    expect((await callOk(time, {})).iso).toBe('2026-07-01T12:34:56.789+00:00');
    const winter = currentTime({ now: () => new Date(Date.UTC(2026, 0, 15, 23, 30)), defaultTimeZone: 'Europe/Paris' });
    expect(await callOk(winter, {})).toMatchObject({ iso: '2026-01-16T00:30:00.000+01:00', weekday: 'Friday' });
  });

  it('answers an unknown zone or an offset with an error result naming a real zone', async () => {
    const time = currentTime({ now });
    for (const timeZone of ['Mars/Olympus_Mons', 'Paris', '+05:00', 'GMT+5', '', 'Europe/Paris; rm -rf /']) {
      const error = await callError(time, { timeZone });
      expect(error, timeZone).toBeInstanceOf(ToolCallError);
      expect(error.code).toBe('TIME_ZONE_UNKNOWN');
      expect(error.message).toMatch(/Use an IANA time zone name/);
    }
    expect((await callError(time, { timeZone: 'Paris' })).message).toContain('did you mean Europe/Paris?');
  });

  it('refuses an unknown default zone when the tool is created', () => {
    expect(() => currentTime({ defaultTimeZone: 'Nowhere/Land' })).toThrow(ToolConfigError);
  });
});
