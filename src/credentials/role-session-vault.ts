// Seals role sessions (AWS temporary credentials) before they go into the session store, so the
// store never holds them in clear. AES-256-GCM with a key derived from the session secret, and the
// browser session's ID and the person (IdP, NameID) as associated data: a sealed box copied into
// another session's row, or another person's, does not open there.
import type { RoleSession } from '../aws/ports.ts';
import { createSealedBox } from './sealed-box.ts';

/** What a sealed role session is bound to; all three must match to open it. */
export interface SealBinding {
  /** The ID of the browser session that holds the box (stable from sign-in to sign-out). */
  sessionId: string;
  idpId: string;
  nameId: string;
}

export interface RoleSessionVault {
  seal(session: RoleSession, binding: SealBinding): string;
  /** Undefined when the box was not sealed with this key and binding, or was altered. */
  open(sealed: string, binding: SealBinding): RoleSession | undefined;
}

// v1 boxes carried no associated data; they no longer open (those people sign in again).
const VERSION = 'v2';

export function createRoleSessionVault(secret: string): RoleSessionVault {
  const box = createSealedBox(secret, 'role-session-vault v1', VERSION);
  return {
    seal(session, binding) {
      // An unbound box would open in any session: a caller without a session ID is a bug.
      if (binding.sessionId === '') throw new Error('a role session must be sealed for a session');
      return box.seal(
        JSON.stringify({ ...session, expiration: session.expiration.toISOString() }),
        associatedData(binding),
      );
    },
    open(sealed, binding) {
      if (binding.sessionId === '') return undefined;
      const plain = box.open(sealed, associatedData(binding));
      if (plain === undefined) return undefined;
      const parsed = JSON.parse(plain) as Omit<RoleSession, 'expiration'> & { expiration: string };
      return { ...parsed, expiration: new Date(parsed.expiration) };
    },
  };
}

/** A JSON array, so no choice of IDs can make two different bindings encode alike. */
function associatedData(binding: SealBinding): Buffer {
  return Buffer.from(
    JSON.stringify(['redshift-sso role session', binding.sessionId, binding.idpId, binding.nameId]),
    'utf8',
  );
}
