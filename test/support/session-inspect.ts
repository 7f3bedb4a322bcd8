// Looks inside a browser's server-side session, for tests that must prove what the service
// keeps there (the sealed role sessions) without going through its HTTP API.
import type { RoleSession } from '../../src/aws/ports.ts';
import type { SessionUser } from '../../src/sign-in/session-user.ts';
import { createRoleSessionVault } from '../../src/credentials/role-session-vault.ts';
import type { SessionRecords } from '../../src/store/ports.ts';

/** The session ID inside an express-session cookie value (`s:<id>.<signature>`). */
export function sessionIdOf(cookieValue: string): string {
  const raw = decodeURIComponent(cookieValue);
  if (!raw.startsWith('s:')) throw new Error('not a signed session cookie');
  return raw.slice(2, raw.lastIndexOf('.'));
}

/** The role sessions sealed in that session, opened with the key the service derives from its secret. */
export async function openRoleSessions(
  store: SessionRecords,
  sessionSecret: string,
  cookieValue: string | undefined,
): Promise<RoleSession[]> {
  if (cookieValue === undefined) return [];
  const data = await store.getSession(sessionIdOf(cookieValue), new Date());
  const user = data === null ? undefined : (JSON.parse(data) as { passport?: { user?: SessionUser } }).passport?.user;
  const vault = createRoleSessionVault(sessionSecret);
  if (user === undefined) return [];
  // Sealed for this session ID and this person, as the service opens them.
  const binding = { sessionId: sessionIdOf(cookieValue), idpId: user.identity.idpId, nameId: user.identity.nameId };
  return user.grants.flatMap((g) => {
    const opened = g.sealed === undefined ? undefined : vault.open(g.sealed, binding);
    return opened === undefined ? [] : [opened];
  });
}
