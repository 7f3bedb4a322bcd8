// What both stores share about reading the audit trail.

const AUDIT_LIMIT_DEFAULT = 100;
const AUDIT_LIMIT_MAX = 10_000;

/** queryAudit's page: 100 by default, at most 10,000 (exports read page by page instead). */
export function auditLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return AUDIT_LIMIT_DEFAULT;
  return Math.min(Math.max(1, Math.trunc(limit)), AUDIT_LIMIT_MAX);
}
