// express-session's Store over the service's own SessionRecords port, so sessions live in the
// same database as everything else (and can be shared by several instances).
import session from 'express-session';
import type { SessionRecords } from '../store/ports.ts';

export class RecordsSessionStore extends session.Store {
  constructor(
    private readonly records: SessionRecords,
    private readonly ttlMs: number,
    private readonly now: () => Date = () => new Date(),
  ) {
    super();
  }

  override get(sid: string, callback: (err: unknown, session?: session.SessionData | null) => void): void {
    this.records.getSession(sid, this.now()).then(
      (data) => callback(null, data === null ? null : (JSON.parse(data) as session.SessionData)),
      (err: unknown) => callback(err),
    );
  }

  override set(sid: string, data: session.SessionData, callback?: (err?: unknown) => void): void {
    this.records.setSession(sid, JSON.stringify(data), this.expiry(data)).then(() => callback?.(), (err: unknown) => callback?.(err));
  }

  override destroy(sid: string, callback?: (err?: unknown) => void): void {
    this.records.destroySession(sid).then(() => callback?.(), (err: unknown) => callback?.(err));
  }

  override touch(sid: string, data: session.SessionData, callback?: () => void): void {
    this.records.touchSession(sid, this.expiry(data)).then(() => callback?.(), () => callback?.());
  }

  private expiry(data: session.SessionData): Date {
    const expires = data.cookie?.expires;
    return expires instanceof Date || typeof expires === 'string' ? new Date(expires) : new Date(this.now().getTime() + this.ttlMs);
  }
}
