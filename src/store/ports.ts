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
}

/** Assertion IDs already accepted; each may be used once until it expires. */
export interface ReplayCache {
  /** Records the key; false when it was already recorded and not yet expired. */
  rememberOnce(key: string, expiresAt: Date, now: Date): Promise<boolean>;
}

export interface Store extends SessionRecords, RequestIdCache, ReplayCache {
  /** Deletes expired rows of every kind; returns how many went. */
  sweepExpired(now: Date): Promise<number>;
  close(): Promise<void>;
}
