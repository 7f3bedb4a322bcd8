// The session store adapter: using a session slides its idle expiry, but neither the stored expiry
// nor the cookie (reset by express-session's touch on every response) goes past the session's end.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Request } from 'express';
import type session from 'express-session';
import { RecordsSessionStore } from '../../../src/web/session-store.ts';
import type { SessionRecords } from '../../../src/store/ports.ts';

const END = new Date(Date.now() + 10 * 60_000);
const TTL_MS = 3_600_000;

function recordingRecords() {
  const expiries: Array<[string, Date]> = [];
  const records: SessionRecords = {
    getSession: async () => null,
    setSession: async (sid, _data, expiresAt) => void expiries.push([sid, expiresAt]),
    touchSession: async (sid, expiresAt) => void expiries.push([sid, expiresAt]),
    destroySession: async () => undefined,
  };
  return { records, expiries };
}

/** Session data as express-session hands it to the store: a cookie an hour out, maybe a user. */
function data(signedIn: boolean): session.SessionData {
  const cookie = {
    originalMaxAge: TTL_MS,
    expires: new Date(Date.now() + TTL_MS),
    httpOnly: true,
    path: '/',
  } as session.Cookie;
  return (signedIn ? { cookie, passport: { user: { ends: END } } } : { cookie }) as unknown as session.SessionData;
}

function store(records: SessionRecords) {
  return new RecordsSessionStore(records, TTL_MS, { endOf: (d) => (d.passport?.user === undefined ? undefined : END) });
}

const call = (fn: (done: () => void) => void) => new Promise<void>((resolve) => fn(resolve));

describe('RecordsSessionStore', () => {
  it('stores a signed-in session until its end at the latest, on save and on touch', async () => {
    const { records, expiries } = recordingRecords();
    const s = store(records);
    await call((done) => s.set('a', data(true), done));
    await call((done) => s.touch('a', data(true), done));
    assert.deepEqual(expiries, [
      ['a', END],
      ['a', END],
    ]);
  });

  it('stores an anonymous session until its idle expiry', async () => {
    const { records, expiries } = recordingRecords();
    const s = store(records);
    const anonymous = data(false);
    await call((done) => s.set('b', anonymous, done));
    assert.deepEqual(expiries, [['b', anonymous.cookie.expires]]);
  });

  it('caps the cookie each time express-session resets it, on a loaded and on a regenerated session', async () => {
    const { records } = recordingRecords();
    const s = store(records);
    (s as unknown as { generate: (req: Request) => void }).generate = (req) => {
      const fresh = s.createSession(req, data(false));
      req.sessionID = 'new';
      req.session = fresh;
    };
    const req = { sessionID: 'c', sessionStore: s } as unknown as Request;
    const loaded = s.createSession(req, data(true));
    loaded.touch();
    assert.deepEqual(loaded.cookie.expires, END, 'a loaded signed-in session');
    req.session = loaded;
    await new Promise<void>((resolve) => s.regenerate(req, () => resolve()));
    Object.assign(req.session, { passport: { user: { ends: END } } });
    req.session.touch();
    assert.deepEqual(req.session.cookie.expires, END, 'the session that replaces it at sign-in');
  });

  it('leaves an anonymous session’s cookie at its idle expiry', () => {
    const s = store(recordingRecords().records);
    const live = s.createSession({ sessionID: 'd', sessionStore: s } as unknown as Request, data(false));
    live.touch();
    assert.ok((live.cookie.expires?.getTime() ?? 0) > END.getTime());
  });
});
