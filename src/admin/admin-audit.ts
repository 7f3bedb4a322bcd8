// Admin changes in the audit trail: who changed which entry, before and after.
import type { AuditLog } from '../store/ports.ts';

export interface AdminAuditor {
  changed(actor: string, kind: 'idp' | 'cluster', id: string, before: Record<string, unknown> | undefined, after: Record<string, unknown> | undefined): Promise<void>;
}

export function createAdminAuditor(log: AuditLog, now: () => Date): AdminAuditor {
  return {
    changed: (actor, kind, id, before, after) =>
      log.appendAudit({ at: now(), kind: 'admin_change', outcome: 'ok', actor, ...(kind === 'cluster' ? { clusterId: id } : { idpId: id }), details: { entry: kind, id, before: before ?? null, after: after ?? null } }),
  };
}
