// Seals role sessions (AWS temporary credentials) before they go into the session store, so the
// store never holds them in clear. AES-256-GCM with a key derived from the session secret, and the
// browser session's ID and the person (IdP, NameID) as associated data: a sealed box copied into
// another session's row, or another person's, does not open there.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { RoleSession } from '../aws/ports.ts';

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

const TAG_LENGTH = 16;
// v1 boxes carried no associated data; they no longer open (those people sign in again).
const VERSION = 'v2';

export function createRoleSessionVault(secret: string): RoleSessionVault {
  const key = Buffer.from(hkdfSync('sha256', secret, 'redshift-sso', 'role-session-vault v1', 32));
  return {
    seal(session, binding) {
      // An unbound box would open in any session: a caller without a session ID is a bug.
      if (binding.sessionId === '') throw new Error('a role session must be sealed for a session');
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_LENGTH });
      cipher.setAAD(associatedData(binding));
      const plain = JSON.stringify({ ...session, expiration: session.expiration.toISOString() });
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
    },
    open(sealed, binding) {
      const [version, iv, tag, body] = sealed.split('.');
      if (version !== VERSION || iv === undefined || tag === undefined || body === undefined || binding.sessionId === '') return undefined;
      const authTag = Buffer.from(tag, 'base64url');
      // GCM would accept a tag cut to 4 bytes unless the length is pinned; a short tag is forgeable.
      if (authTag.length !== TAG_LENGTH) return undefined;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), { authTagLength: TAG_LENGTH });
        decipher.setAAD(associatedData(binding));
        decipher.setAuthTag(authTag);
        const plain = Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
        const parsed = JSON.parse(plain) as Omit<RoleSession, 'expiration'> & { expiration: string };
        return { ...parsed, expiration: new Date(parsed.expiration) };
      } catch {
        return undefined;
      }
    },
  };
}

/** A JSON array, so no choice of IDs can make two different bindings encode alike. */
function associatedData(binding: SealBinding): Buffer {
  return Buffer.from(JSON.stringify(['redshift-sso role session', binding.sessionId, binding.idpId, binding.nameId]), 'utf8');
}
