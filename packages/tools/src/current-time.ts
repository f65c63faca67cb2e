import { tool, type Tool } from '@novaloop/core';
import { z } from 'zod/v4';
import { ToolCallError, ToolConfigError } from './errors.js';

export interface CurrentTimeOptions {
  /** Tool name; default `current_time`. */
  name?: string;
  /** Zone used when the model gives none; default `UTC`. */
  defaultTimeZone?: string;
  /** Clock, for tests; default `() => new Date()`. */
  now?: () => Date;
}

/** The current date and time, as ISO 8601 with the zone's offset, in an IANA time zone. */
export function currentTime(options: CurrentTimeOptions = {}): Tool {
  const now = options.now ?? (() => new Date());
  const fallbackZone = options.defaultTimeZone ?? 'UTC';
  canonicalZone(fallbackZone, true);
  return tool({
    name: options.name ?? 'current_time',
    description:
      'Get the current date and time in an IANA time zone such as Europe/Paris or America/New_York (default ' + fallbackZone + ').',
    input: z.object({
      timeZone: z
        .string()
        .optional()
        .describe('IANA time zone name, e.g. Asia/Tokyo; leave out for ' + fallbackZone),
    }),
    run: ({ timeZone }) => formatInZone(now(), canonicalZone(timeZone ?? fallbackZone, false)),
  });
}

export interface ZonedTime {
  /** ISO 8601 local time with offset, e.g. 2026-11-28T04:05:06.000+01:00. */
  iso: string;
  /** The same instant in UTC. */
  utc: string;
  timeZone: string;
  /** e.g. +01:00 */
  offset: string;
  weekday: string;
}

/** Formats `date` in `timeZone`, which must be valid for `Intl.DateTimeFormat`. */
export function formatInZone(date: Date, timeZone: string): ZonedTime {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      weekday: 'long',
    })
      .formatToParts(date)
      .map((part) => [part.type, part.value]),
  ) as Record<string, string>;
  const local = Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    Number(parts.second),
  );
  const offsetMinutes = Math.round((local - (date.getTime() - date.getMilliseconds())) / 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const offset = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  const ms = String(date.getUTCMilliseconds()).padStart(3, '0');
  const iso = `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}.${ms}${offset}`;
  return { iso, utc: date.toISOString(), timeZone, offset, weekday: parts.weekday ?? '' };
}

/**
 * `zone` when it is an IANA zone name Intl knows. Offsets like +05:00 (which newer Intl versions
 * accept) are refused: they ignore daylight saving time, which is what a zone name is for.
 */
function canonicalZone(zone: string, atSetup: boolean): string {
  let resolved: string | undefined;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    resolved = undefined;
  }
  const isName = /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/.test(zone);
  // The name as given, not Intl's resolved alias (Node 20 resolves Asia/Kolkata to Asia/Calcutta).
  if (resolved !== undefined && isName) return zone;
  const hint = suggest(zone, supportedZones());
  const message =
    `Unknown time zone ${JSON.stringify(zone)}. Use an IANA time zone name such as Europe/London, America/Los_Angeles or UTC` +
    (hint ? ` (did you mean ${hint}?)` : '') +
    '.';
  if (atSetup) throw new ToolConfigError(`currentTime({ defaultTimeZone }): ${message}`);
  throw new ToolCallError('TIME_ZONE_UNKNOWN', message);
}

let zones: Set<string> | undefined;
function supportedZones(): Set<string> {
  if (zones === undefined) {
    const list = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
    zones = new Set(list);
  }
  return zones;
}

function suggest(zone: string, known: Set<string>): string | undefined {
  const city = zone
    .split('/')
    .pop()
    ?.toLowerCase()
    .replace(/[\s-]+/g, '_');
  if (!city) return undefined;
  for (const name of known) if (name.toLowerCase().endsWith(`/${city}`)) return name;
  return undefined;
}
