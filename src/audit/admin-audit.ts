// Admin changes in the audit trail: who changed which entry, before and after. `actor` is
// "<idp id>:<NameID>" of the admin (or "setup-token:setup-token").
import type { AuditLog } from '../store/ports.ts';

export interface AdminAuditor {
  changed(
    actor: string,
    kind: 'idp' | 'cluster',
    id: string,
    before: Record<string, unknown> | undefined,
    after: Record<string, unknown> | undefined,
  ): Promise<void>;
}

export function createAdminAuditor(log: AuditLog, now: () => Date): AdminAuditor {
  return {
    changed: (actor, kind, id, before, after) =>
      // The admin's name goes in nameId too, so filtering the trail by user finds their changes.
      log.appendAudit({
        at: now(),
        kind: 'admin_change',
        outcome: 'ok',
        actor,
        nameId: actor.slice(actor.indexOf(':') + 1),
        ...(kind === 'cluster' ? { clusterId: id } : { idpId: id }),
        details: { entry: kind, id, before: before ?? null, after: after ?? null },
      }),
  };
}
