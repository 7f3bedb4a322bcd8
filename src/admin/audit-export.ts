// The audit trail as CSV and JSON lines, and its filter from a query string.
import type { AuditEvent, AuditFilter } from '../store/ports.ts';

const COLUMNS = ['at', 'kind', 'outcome', 'code', 'idpId', 'nameId', 'roleArn', 'clusterId', 'dbUser', 'durationSeconds', 'expiresAt', 'clientIp', 'userAgent', 'awsRequestIds', 'requestId', 'actor'] as const;

export function parseAuditFilter(query: Record<string, unknown>): AuditFilter {
  const text = (name: string) => (typeof query[name] === 'string' && (query[name] as string).trim() !== '' ? (query[name] as string).trim().slice(0, 200) : undefined);
  const date = (name: string) => {
    const value = text(name);
    const t = value === undefined ? NaN : Date.parse(value);
    return Number.isNaN(t) ? undefined : new Date(t);
  };
  const outcome = text('outcome');
  return {
    user: text('user'),
    clusterId: text('cluster'),
    outcome: outcome === 'ok' || outcome === 'refused' || outcome === 'error' ? outcome : undefined,
    from: date('from'),
    to: date('to'),
    limit: 500,
  };
}

export function auditCsv(events: readonly AuditEvent[]): string {
  const cell = (value: unknown): string => {
    const text = value === undefined || value === null ? '' : value instanceof Date ? value.toISOString() : Array.isArray(value) ? value.join(' ') : String(value);
    // Leading = + - @ would make a spreadsheet evaluate the cell (CSV injection).
    const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
    return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  return [COLUMNS.join(','), ...events.map((e) => COLUMNS.map((c) => cell(e[c])).join(','))].join('\r\n') + '\r\n';
}

export function auditJsonLines(events: readonly AuditEvent[]): string {
  return events.map((e) => JSON.stringify(e)).join('\n') + (events.length > 0 ? '\n' : '');
}
