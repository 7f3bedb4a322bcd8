// Seals role sessions (AWS temporary credentials) before they go into the session store, so the
// store never holds them in clear. AES-256-GCM with a key derived from the session secret.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { RoleSession } from '../aws/ports.ts';

export interface RoleSessionVault {
  seal(session: RoleSession): string;
  /** Undefined when the box was not sealed with this key or was altered. */
  open(sealed: string): RoleSession | undefined;
}

const TAG_LENGTH = 16;

export function createRoleSessionVault(secret: string): RoleSessionVault {
  const key = Buffer.from(hkdfSync('sha256', secret, 'redshift-sso', 'role-session-vault v1', 32));
  return {
    seal(session) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_LENGTH });
      const plain = JSON.stringify({ ...session, expiration: session.expiration.toISOString() });
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
    },
    open(sealed) {
      const [version, iv, tag, body] = sealed.split('.');
      if (version !== 'v1' || iv === undefined || tag === undefined || body === undefined) return undefined;
      const authTag = Buffer.from(tag, 'base64url');
      // GCM would accept a tag cut to 4 bytes unless the length is pinned; a short tag is forgeable.
      if (authTag.length !== TAG_LENGTH) return undefined;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), { authTagLength: TAG_LENGTH });
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
