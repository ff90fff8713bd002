/** A parsed date, `null` for an empty value, or `'bad'` for a value that is there but not a date. */
export type ParsedDate = Date | null | 'bad';

const SERVICENOW = /^(\d{1,2})\/(\d{1,2})\/(\d{4}) (\d{1,2}):(\d{2})(?::(\d{2}))?$/;

/** ServiceNow's export: `d/m/yyyy HH:MM` in UTC, `?` (or nothing) when missing. */
export function serviceNowDate(value: string | undefined): ParsedDate {
  const v = (value ?? '').trim();
  if (v === '' || v === '?') return null;
  const m = SERVICENOW.exec(v);
  if (!m) return 'bad';
  const [d, mo, y, h, mi, s] = m.slice(1).map((x) => Number(x ?? 0)) as number[];
  return checked(y!, mo!, d!, h!, mi!, s!, Date.UTC(y!, mo! - 1, d!, h!, mi!, s!));
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * ISO 8601 date and time. A value without an offset is taken as UTC, like ServiceNow's; a date
 * without a time is refused, since an MTTR cannot be built on it.
 */
export function isoDate(value: string | undefined): ParsedDate {
  const v = (value ?? '').trim();
  if (v === '') return null;
  const m = ISO.exec(v);
  if (!m) return 'bad';
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map((x) => Number(x ?? 0)) as number[];
  const ms = Math.round(Number(m[7] ?? 0) * 1000);
  const offset = offsetMinutes(m[8]);
  const utc = Date.UTC(y!, mo! - 1, d!, h!, mi!, s!, ms);
  if (checked(y!, mo!, d!, h!, mi!, s!, utc) === 'bad') return 'bad';
  return new Date(utc - offset * 60_000);
}

function offsetMinutes(z: string | undefined): number {
  if (!z || z.toUpperCase() === 'Z') return 0;
  const digits = z.slice(1).replace(':', '');
  const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2));
  return z.startsWith('-') ? -minutes : minutes;
}

/** Date.UTC rolls 31/2 over into March; a date that does not come back the same was not a date. */
function checked(y: number, mo: number, d: number, h: number, mi: number, s: number, utc: number): Date | 'bad' {
  const t = new Date(utc);
  const same =
    t.getUTCFullYear() === y &&
    t.getUTCMonth() === mo - 1 &&
    t.getUTCDate() === d &&
    t.getUTCHours() === h &&
    t.getUTCMinutes() === mi &&
    t.getUTCSeconds() === s;
  return same ? t : 'bad';
}
