// The audit trail as CSV and JSON lines, one event at a time (exports stream page by page), and
// its filter from a query string: values that are not understood are problems to show the admin,
// never silently dropped (a dropped filter would widen an export without anyone noticing).
import type { AuditEvent, AuditFilter } from '../store/ports.ts';

const COLUMNS = [
  'at',
  'kind',
  'outcome',
  'code',
  'idpId',
  'nameId',
  'roleArn',
  'clusterId',
  'dbUser',
  'durationSeconds',
  'expiresAt',
  'clientIp',
  'userAgent',
  'awsRequestIds',
  'requestId',
  'actor',
] as const;
const OUTCOMES = ['ok', 'refused', 'error'] as const;
const MAX_TEXT = 200;
// A date, or a date and time (seconds and milliseconds optional), with an optional zone; no zone means UTC.
const DATE = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?)(Z|[+-]\d{2}:\d{2})?)?$/;
const DAY_MS = 86_400_000;
const DATE_HINT = 'expected a date (2026-01-31) or a UTC date and time (2026-01-31T13:45)';
const isOutcome = (value: string | undefined): value is NonNullable<AuditFilter['outcome']> =>
  (OUTCOMES as readonly string[]).includes(value ?? '');

export interface FilterProblem {
  /** The query parameter (and form field) it concerns. */
  field: 'user' | 'idp' | 'cluster' | 'outcome' | 'from' | 'to';
  message: string;
}

export interface ParsedAuditFilter {
  filter: AuditFilter;
  problems: FilterProblem[];
}

/** user, idp, cluster, outcome, from and to from a query string. A date-only `to` includes that whole day. */
export function parseAuditFilter(query: Record<string, unknown>): ParsedAuditFilter {
  const problems: FilterProblem[] = [];
  const text = (field: FilterProblem['field']): string | undefined => {
    const raw = query[field];
    if (raw === undefined) return undefined;
    if (typeof raw !== 'string') {
      problems.push({ field, message: 'give one value' });
      return undefined;
    }
    const value = raw.trim();
    if (value.length > MAX_TEXT) problems.push({ field, message: `at most ${MAX_TEXT} characters` });
    return value === '' || value.length > MAX_TEXT ? undefined : value;
  };
  const date = (field: 'from' | 'to'): Date | undefined => {
    const value = text(field);
    if (value === undefined) return undefined;
    const t = parseUtc(value, field === 'to');
    if (t === undefined) problems.push({ field, message: DATE_HINT });
    return t;
  };
  const outcome = text('outcome');
  if (outcome !== undefined && !isOutcome(outcome)) {
    problems.push({ field: 'outcome', message: `expected one of ${OUTCOMES.join(', ')}` });
  }
  const filter: AuditFilter = {
    user: text('user'),
    idpId: text('idp'),
    clusterId: text('cluster'),
    outcome: isOutcome(outcome) ? outcome : undefined,
    from: date('from'),
    to: date('to'),
  };
  if (filter.from !== undefined && filter.to !== undefined && filter.from >= filter.to) {
    problems.push({ field: 'to', message: 'must be later than From' });
  }
  return { filter, problems };
}

function parseUtc(value: string, endOfDay: boolean): Date | undefined {
  const match = DATE.exec(value);
  if (match === null) return undefined;
  const [, day = '', time, zone] = match;
  // Date.parse rolls 2026-02-30 over to March; a date that does not exist is a typo.
  const midnight = Date.parse(`${day}T00:00:00Z`);
  if (Number.isNaN(midnight) || new Date(midnight).toISOString().slice(0, 10) !== day) return undefined;
  if (time === undefined) return new Date(endOfDay ? midnight + DAY_MS : midnight);
  const t = Date.parse(`${day}T${time}${zone ?? 'Z'}`);
  return Number.isNaN(t) ? undefined : new Date(t);
}

export const AUDIT_CSV_HEADER = `${COLUMNS.join(',')}\r\n`;

/** One CSV line (CRLF), with cells a spreadsheet would evaluate neutralised. */
export function auditCsvLine(event: AuditEvent): string {
  return `${COLUMNS.map((c) => csvCell(event[c])).join(',')}\r\n`;
}

function csvCell(value: unknown): string {
  const text =
    value === undefined || value === null
      ? ''
      : value instanceof Date
        ? value.toISOString()
        : Array.isArray(value)
          ? value.join(' ')
          : String(value);
  // Leading = + - @ (or a tab or CR before them) would make a spreadsheet evaluate the cell (CSV injection).
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function auditJsonLine(event: AuditEvent): string {
  return `${JSON.stringify(event)}\n`;
}
