// Keeps an issued database login sealed in the server-side session between the POST that issued
// it and the GETs that show it (post/redirect/get), so a reload shows the same login instead of
// asking Redshift for a second password. AES-256-GCM, key derived from the session secret.
import type { DbLogin } from './issue-db-login.ts';
import { createSealedBox } from './sealed-box.ts';

export interface IssuedLoginBox {
  seal(login: DbLogin): string;
  /** Undefined when the box was not sealed with this key or was altered. */
  open(sealed: string): DbLogin | undefined;
}

export function createIssuedLoginBox(secret: string): IssuedLoginBox {
  // Its own HKDF label: a sealed login and a sealed role session can never be swapped.
  const box = createSealedBox(secret, 'issued-login v1', 'l1');
  return {
    seal: (login) => box.seal(JSON.stringify(login)),
    open(sealed) {
      const plain = box.open(sealed);
      if (plain === undefined) return undefined;
      const parsed = JSON.parse(plain) as Omit<DbLogin, 'expiration'> & { expiration: string };
      return { ...parsed, expiration: new Date(parsed.expiration) };
    },
  };
}
