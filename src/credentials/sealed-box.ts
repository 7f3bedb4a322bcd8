// AES-256-GCM boxes for secrets kept in the session store (role sessions, issued logins): a key
// derived from the session secret under a label of its own, so boxes of one kind never open as
// another, and the tag length pinned (GCM would accept a tag cut to 4 bytes, which is forgeable).
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

export interface SealedBox {
  seal(plain: string, associatedData?: Buffer): string;
  /** Undefined when the box was sealed with another key, version or associated data, or altered. */
  open(sealed: string, associatedData?: Buffer): string | undefined;
}

const TAG_LENGTH = 16;

/** `label` derives the key; `version` prefixes every box and must match to open one. */
export function createSealedBox(secret: string, label: string, version: string): SealedBox {
  const key = Buffer.from(hkdfSync('sha256', secret, 'redshift-sso', label, 32));
  return {
    seal(plain, associatedData) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_LENGTH });
      if (associatedData !== undefined) cipher.setAAD(associatedData);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return [
        version,
        iv.toString('base64url'),
        cipher.getAuthTag().toString('base64url'),
        body.toString('base64url'),
      ].join('.');
    },
    open(sealed, associatedData) {
      const [boxVersion, iv, tag, body] = sealed.split('.');
      if (boxVersion !== version || iv === undefined || tag === undefined || body === undefined) return undefined;
      const authTag = Buffer.from(tag, 'base64url');
      if (authTag.length !== TAG_LENGTH) return undefined;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), {
          authTagLength: TAG_LENGTH,
        });
        if (associatedData !== undefined) decipher.setAAD(associatedData);
        decipher.setAuthTag(authTag);
        return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
      } catch {
        return undefined;
      }
    },
  };
}
