// What the rest of the service needs from persistence, in its own terms. SQLite implements it
// today; a PostgreSQL implementation must pass the same contract tests.

export interface SessionRecords {
  getSession(sid: string, now: Date): Promise<string | null>;
  setSession(sid: string, data: string, expiresAt: Date): Promise<void>;
  touchSession(sid: string, expiresAt: Date): Promise<void>;
  destroySession(sid: string): Promise<void>;
}

/** IDs of AuthnRequests this service sent, so a response's InResponseTo can be checked. */
export interface RequestIdCache {
  saveRequestId(key: string, value: string, expiresAt: Date): Promise<void>;
  getRequestId(key: string, now: Date): Promise<string | null>;
  /** Removes the ID; returns the stored value if it was there. */
  removeRequestId(key: string): Promise<string | null>;
  /** Removes the ID in one atomic step; its value when it was there and not expired, else null. */
  takeRequestId(key: string, now: Date): Promise<string | null>;
}

/** Assertion IDs already accepted; each may be used once until it expires. */
export interface ReplayCache {
  /** Records the key; false when it was already recorded and not yet expired. */
  rememberOnce(key: string, expiresAt: Date, now: Date): Promise<boolean>;
}

export type AuditKind =
  | 'login'
  | 'login_refused'
  | 'credentials_issued'
  | 'credentials_refused'
  | 'logout'
  | 'logout_refused'
  | 'admin_change'
  | 'session_refused'
  | 'cli_authorized'
  | 'cli_token_issued'
  | 'cli_refused'
  | 'cli_token_revoked'
  | 'audit_pruned';

/** One line of the audit trail. Never a password, token, secret or SAML response. */
export interface AuditEvent {
  id?: number;
  at: Date;
  kind: AuditKind;
  outcome: 'ok' | 'refused' | 'error';
  /** Stable error code of a refusal. */
  code?: string;
  idpId?: string;
  nameId?: string;
  roleArn?: string;
  clusterId?: string;
  dbUser?: string;
  durationSeconds?: number;
  expiresAt?: Date;
  clientIp?: string;
  userAgent?: string;
  awsRequestIds?: string[];
  requestId?: string;
  /** Who made an admin change. */
  actor?: string;
  /** Before/after of an admin change, or other non-secret context. */
  details?: Record<string, unknown>;
}

export interface AuditFilter {
  /** Matches nameId or dbUser, case-insensitive substring. */
  user?: string;
  idpId?: string;
  clusterId?: string;
  outcome?: AuditEvent['outcome'];
  kind?: AuditKind;
  from?: Date;
  to?: Date;
  /** Newest first; default 100, at most 10,000. */
  limit?: number;
}

export interface AuditLog {
  appendAudit(event: AuditEvent): Promise<void>;
  queryAudit(filter: AuditFilter): Promise<AuditEvent[]>;
  /**
   * Every matching event (`limit` ignored), newest first, `pageSize` at a time: each page is one
   * keyset query, so an export of any length holds one page in memory and no transaction open.
   */
  auditPages(filter: AuditFilter, pageSize: number): AsyncIterable<AuditEvent[]>;
  /** Deletes at most `limit` of the oldest events before `cutoff`; returns how many went. */
  pruneAudit(cutoff: Date, limit: number): Promise<number>;
}

export type ExclusiveResult<T> = { ran: true; value: T } | { ran: false };

/** Jobs that must run on one instance (or worker process) at a time, across everything on this store. */
export interface JobLocks {
  /**
   * Runs `job` unless another holder runs one under `name` right now; never waits for it. `renew`
   * keeps a lease-based lock alive during a long job (a no-op where the lock lives with a connection).
   */
  runExclusive<T>(name: string, job: (renew: () => Promise<void>) => Promise<T>): Promise<ExclusiveResult<T>>;
}

/** An IdP connection or cluster entered in the admin console: a configuration entry as JSON. */
export interface ConnectionRecord {
  kind: 'idp' | 'cluster';
  id: string;
  /** The entry exactly as a configuration file would hold it (validated before it is stored). */
  entry: Record<string, unknown>;
  version: number;
  updatedAt: Date;
  updatedBy: string;
}

export interface ConnectionRecords {
  listConnections(kind: ConnectionRecord['kind']): Promise<ConnectionRecord[]>;
  /**
   * Inserts (expectedVersion 0) or replaces the record at expectedVersion; false when someone
   * else changed it first, so an admin never overwrites a change they have not seen.
   */
  putConnection(record: Omit<ConnectionRecord, 'version'>, expectedVersion: number): Promise<boolean>;
  deleteConnection(kind: ConnectionRecord['kind'], id: string): Promise<boolean>;
  /** Changes whenever any record changes; cheap enough to read on every sign-in. */
  connectionsVersion(): Promise<string>;
  getSetting(key: string): Promise<string | null>;
  /** Sets the value only if the key is absent; false when it was already set. */
  setSettingOnce(key: string, value: string): Promise<boolean>;
  /** Deletes the key only if it holds `value`; true for the one caller that deleted it. */
  takeSetting(key: string, value: string): Promise<boolean>;
  deleteSetting(key: string): Promise<void>;
}

/** The settings part of ConnectionRecords (the setup token's hash), kept in a file of its own per store. */
export type SettingRecords = Pick<ConnectionRecords, 'getSetting' | 'setSettingOnce' | 'takeSetting' | 'deleteSetting'>;

/** A token a SQL client (the CLI) holds: only its SHA-256 hash is kept, never the token. */
export interface CliTokenRecord {
  /** Public ID, shown on the user's page and used to revoke it there. */
  id: string;
  tokenHash: string;
  idpId: string;
  nameId: string;
  /** What the client called itself (e.g. "redshift-sso CLI on laptop-7"), shown to the user. */
  client: string;
  /** The SessionUser the token stands for, as JSON; its role sessions are sealed. */
  user: string;
  createdAt: Date;
  /** The end of the role sessions it stands for. */
  expiresAt: Date;
  lastUsedAt?: Date;
  revokedAt?: Date;
}

export interface CliTokenRecords {
  saveCliToken(record: CliTokenRecord): Promise<void>;
  /** By hash, revoked or expired included (the caller says which); null when unknown or swept. */
  findCliToken(tokenHash: string): Promise<CliTokenRecord | null>;
  /** One person's tokens that are neither revoked nor expired, newest first. */
  listCliTokens(idpId: string, nameId: string, now: Date): Promise<CliTokenRecord[]>;
  /** Sets revokedAt once; false when the token is unknown or already revoked. */
  revokeCliToken(id: string, at: Date): Promise<boolean>;
  touchCliToken(id: string, at: Date): Promise<void>;
  getCliTokenById(id: string): Promise<CliTokenRecord | null>;
}

/**
 * Short-lived, single-use state of the CLI sign-in (one-time codes, device codes, user codes).
 * Rows stay past their own deadline until swept, so an expired code is told apart from a reused one.
 */
export interface CliGrantRecords {
  putCliGrant(key: string, value: string, expiresAt: Date): Promise<void>;
  getCliGrant(key: string): Promise<string | null>;
  /** Removes the row and returns its value: of two concurrent takers, one gets it. */
  takeCliGrant(key: string): Promise<string | null>;
}

export interface StoredMetadata {
  xml: string;
  fetchedAt: Date;
}

/** The last good document fetched from each IdP metadata URL, for start-ups during an IdP outage. */
export interface MetadataRecords {
  getMetadata(url: string): Promise<StoredMetadata | null>;
  /** Keeps the document unless the stored one was fetched later (another instance got there first). */
  putMetadata(url: string, xml: string, fetchedAt: Date): Promise<void>;
}

/** Hit counters of the rate limiter, kept where every instance sees them. */
export interface RateLimitCounters {
  /** Counts one hit for `key` in its window, opening a new window of `windowMs` once the last one ended. */
  incrementHit(key: string, windowMs: number): Promise<{ hits: number; resetAt: Date }>;
  decrementHit(key: string): Promise<void>;
  resetHits(key: string): Promise<void>;
}

export interface Store
  extends
    SessionRecords,
    RequestIdCache,
    ReplayCache,
    AuditLog,
    JobLocks,
    ConnectionRecords,
    MetadataRecords,
    CliTokenRecords,
    CliGrantRecords {
  /** Counters shared by several instances; absent on a single-instance store (they count in memory). */
  readonly rateLimits?: RateLimitCounters;
  /** Deletes expired rows of every kind; returns how many went. */
  sweepExpired(now: Date): Promise<number>;
  close(): Promise<void>;
}
