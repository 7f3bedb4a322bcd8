// Keeps an issued database login sealed in the server-side session between the POST that issued
// it and the GETs that show it (post/redirect/get), so a reload shows the same login instead of
// asking Redshift for a second password. AES-256-GCM, key derived from the session secret.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { DbLogin } from './issue-db-login.ts';

export interface IssuedLoginBox {
  seal(login: DbLogin): string;
  /** Undefined when the box was not sealed with this key or was altered. */
  open(sealed: string): DbLogin | undefined;
}

const TAG_LENGTH = 16;

export function createIssuedLoginBox(secret: string): IssuedLoginBox {
  // Its own HKDF label: a sealed login and a sealed role session can never be swapped.
  const key = Buffer.from(hkdfSync('sha256', secret, 'redshift-sso', 'issued-login v1', 32));
  return {
    seal(login) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_LENGTH });
      const body = Buffer.concat([cipher.update(JSON.stringify(login), 'utf8'), cipher.final()]);
      return ['l1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
    },
    open(sealed) {
      const [version, iv, tag, body] = sealed.split('.');
      if (version !== 'l1' || iv === undefined || tag === undefined || body === undefined) return undefined;
      const authTag = Buffer.from(tag, 'base64url');
      if (authTag.length !== TAG_LENGTH) return undefined;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), { authTagLength: TAG_LENGTH });
        decipher.setAuthTag(authTag);
        const plain = Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
        const parsed = JSON.parse(plain) as Omit<DbLogin, 'expiration'> & { expiration: string };
        return { ...parsed, expiration: new Date(parsed.expiration) };
      } catch {
        return undefined;
      }
    },
  };
}
