// The audit trail on SQLite (see AuditLog and JobLocks in ports.ts): appends, filtered queries,
// keyset pages for exports, batched pruning, and a lease row so one process at a time runs a job
// when several workers share the file. The table comes from migration 2 in sqlite.ts.
import type Database from 'better-sqlite3';
import type { AuditEvent, AuditFilter, AuditLog, JobLocks } from './ports.ts';
import { auditLimit } from './audit-filter.ts';

interface Cursor {
  at: number;
  id: number;
}

// A crashed holder's lease runs out; a live holder renews it between steps of its job.
const LEASE_MS = 10 * 60_000;

export function sqliteAuditLog(db: Database.Database): AuditLog & JobLocks {
  const insert = db.prepare(
    'INSERT INTO audit_log (at, kind, outcome, code, idp_id, name_id, role_arn, cluster_id, db_user, event) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const prune = db.prepare(
    'DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log WHERE at < ? ORDER BY at, id LIMIT ?)',
  );
  const select = (filter: AuditFilter, limit: number, after?: Cursor) => {
    const { sql, params } = auditQuery(filter, limit, after);
    return db.prepare<Array<string | number>, { id: number; at: number; event: string }>(sql).all(...params);
  };
  return {
    async appendAudit(event) {
      insert.run(
        event.at.getTime(),
        event.kind,
        event.outcome,
        event.code ?? null,
        event.idpId ?? null,
        event.nameId ?? null,
        event.roleArn ?? null,
        event.clusterId ?? null,
        event.dbUser ?? null,
        JSON.stringify(event),
      );
    },
    async queryAudit(filter) {
      return select(filter, auditLimit(filter.limit)).map((row) => reviveAuditEvent(row.id, row.event));
    },
    async *auditPages(filter, pageSize) {
      let after: Cursor | undefined;
      for (;;) {
        // Each page is its own statement: no read transaction stays open while the caller writes it out.
        const rows = select(filter, pageSize, after);
        if (rows.length > 0) yield rows.map((row) => reviveAuditEvent(row.id, row.event));
        if (rows.length < pageSize) return;
        const last = rows[rows.length - 1] as (typeof rows)[number];
        after = { at: last.at, id: last.id };
      }
    },
    async pruneAudit(cutoff, limit) {
      return prune.run(cutoff.getTime(), limit).changes;
    },
    runExclusive: sqliteLease(db),
  };
}

function sqliteLease(db: Database.Database): JobLocks['runExclusive'] {
  const read = db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?');
  const write = db.prepare(
    'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  );
  const drop = db.prepare('DELETE FROM settings WHERE key = ? AND value LIKE ?');
  let counter = 0;
  return async (name, job) => {
    const key = `lock:${name}`;
    const owner = `${process.pid}.${++counter}.${Math.random().toString(36).slice(2)}`;
    const lease = () => `${owner} ${Date.now() + LEASE_MS}`;
    const holderOf = (value: string | undefined) => value?.split(' ')[0];
    // IMMEDIATE: the write lock first, so two processes never both see the row free.
    const acquired = db
      .transaction(() => {
        const current = read.get(key)?.value;
        if (current !== undefined && Number(current.split(' ')[1]) > Date.now()) return false;
        write.run(key, lease());
        return true;
      })
      .immediate();
    if (!acquired) return { ran: false };
    const renew = async () => {
      db.transaction(() => {
        if (holderOf(read.get(key)?.value) === owner) write.run(key, lease());
      }).immediate();
    };
    try {
      return { ran: true, value: await job(renew) };
    } finally {
      drop.run(key, `${owner} %`);
    }
  };
}

type Query = { sql: string; params: Array<string | number> };

function auditQuery(filter: AuditFilter, limit: number, after?: Cursor): Query {
  const where: string[] = [];
  const params: Array<string | number> = [];
  const add = (clause: string, ...values: Array<string | number>) => {
    where.push(clause);
    params.push(...values);
  };
  if (filter.user !== undefined) {
    const like = `%${filter.user.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    add("(lower(name_id) LIKE ? ESCAPE '\\' OR lower(db_user) LIKE ? ESCAPE '\\')", like, like);
  }
  if (filter.idpId !== undefined) add('idp_id = ?', filter.idpId);
  if (filter.clusterId !== undefined) add('cluster_id = ?', filter.clusterId);
  if (filter.outcome !== undefined) add('outcome = ?', filter.outcome);
  if (filter.kind !== undefined) add('kind = ?', filter.kind);
  if (filter.from !== undefined) add('at >= ?', filter.from.getTime());
  if (filter.to !== undefined) add('at < ?', filter.to.getTime());
  if (after !== undefined) add('(at, id) < (?, ?)', after.at, after.id);
  const conditions = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
  return { sql: `SELECT id, at, event FROM audit_log ${conditions} ORDER BY at DESC, id DESC LIMIT ${limit}`, params };
}

/** Audit events are stored as JSON; dates come back as Date. */
export function reviveAuditEvent(id: number, json: string): AuditEvent {
  const raw = JSON.parse(json) as AuditEvent & { at: string; expiresAt?: string };
  return {
    ...raw,
    id,
    at: new Date(raw.at),
    expiresAt: raw.expiresAt === undefined ? undefined : new Date(raw.expiresAt),
  };
}
