// express-session's Store over the service's own SessionRecords port, so sessions live in the
// same database as everything else (and can be shared by several instances). Using a session
// slides its idle expiry forward, but never past the session's absolute end (`endOf`): neither
// the stored expiry nor the cookie's.
import type { Request } from 'express';
import session from 'express-session';
import type { SessionRecords } from '../store/ports.ts';
import { markSessionLoaded } from './session-id.ts';

type LiveSession = session.Session & Partial<session.SessionData>;

export interface RecordsSessionStoreOptions {
  /** The absolute end of a session, from its data (undefined: only the idle expiry applies). */
  endOf?: (data: Partial<session.SessionData>) => Date | undefined;
  now?: () => Date;
}

export class RecordsSessionStore extends session.Store {
  private readonly endOf: (data: Partial<session.SessionData>) => Date | undefined;
  private readonly now: () => Date;

  constructor(
    private readonly records: SessionRecords,
    private readonly ttlMs: number,
    options: RecordsSessionStoreOptions = {},
  ) {
    super();
    this.endOf = options.endOf ?? (() => undefined);
    this.now = options.now ?? (() => new Date());
  }

  override get(sid: string, callback: (err: unknown, session?: session.SessionData | null) => void): void {
    this.records.getSession(sid, this.now()).then(
      (data) => callback(null, data === null ? null : (JSON.parse(data) as session.SessionData)),
      (err: unknown) => callback(err),
    );
  }

  override set(sid: string, data: session.SessionData, callback?: (err?: unknown) => void): void {
    this.records.setSession(sid, JSON.stringify(data), this.expiry(data)).then(
      () => callback?.(),
      (err: unknown) => callback?.(err),
    );
  }

  override destroy(sid: string, callback?: (err?: unknown) => void): void {
    this.records.destroySession(sid).then(
      () => callback?.(),
      (err: unknown) => callback?.(err),
    );
  }

  override touch(sid: string, data: session.SessionData, callback?: () => void): void {
    this.records.touchSession(sid, this.expiry(data)).then(
      () => callback?.(),
      () => callback?.(),
    );
  }

  // express-session builds every live session through these two: a loaded one, and the new one
  // that replaces it at sign-in and sign-out.
  override createSession(req: Request, data: session.SessionData): session.Session & session.SessionData {
    // Only a session loaded from the store comes through here (see web/session-login.ts).
    markSessionLoaded(req);
    return this.capCookie(super.createSession(req, data));
  }

  override regenerate(req: Request, callback: (err?: unknown) => unknown): void {
    super.regenerate(req, (err?: unknown) => {
      if (req.session !== undefined) this.capCookie(req.session);
      callback(err);
    });
  }

  private expiry(data: Partial<session.SessionData>): Date {
    const expires = data.cookie?.expires;
    const idle =
      expires instanceof Date || typeof expires === 'string'
        ? new Date(expires)
        : new Date(this.now().getTime() + this.ttlMs);
    const end = this.endOf(data);
    return end !== undefined && end < idle ? end : idle;
  }

  /**
   * express-session resets the cookie's expiry (`touch`) just before it sends the cookie and saves
   * the session; capping right after that reset keeps both at or before the session's end. Public
   * for a session express-session made in this request (it comes through neither hook above).
   */
  capCookie<T extends LiveSession>(live: T): T {
    const reset = live.touch.bind(live);
    const touch = (): T => {
      reset();
      const end = this.endOf(live);
      const expires = live.cookie.expires;
      if (end !== undefined && (!(expires instanceof Date) || expires > end)) live.cookie.expires = end;
      return live;
    };
    Object.defineProperty(live, 'touch', { value: touch, configurable: true, enumerable: false, writable: true });
    return live;
  }
}
