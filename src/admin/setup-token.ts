// A fresh install has no IdP, so nobody can sign in as an admin: a one-time setup token, printed
// once at first start, opens the console until the first IdP connection exists. Only its hash is
// stored; the token is never shown again.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ConnectionRecords } from '../store/ports.ts';

const KEY = 'setup_token_sha256';

/** The new token when this call created it, else undefined (it was printed before, or is not needed). */
export async function issueSetupTokenOnce(store: ConnectionRecords, hasIdps: boolean): Promise<string | undefined> {
  if (hasIdps) {
    await retireSetupToken(store);
    return undefined;
  }
  const token = randomBytes(24).toString('base64url');
  return (await store.setSettingOnce(KEY, hash(token))) ? token : undefined;
}

export async function setupTokenValid(store: ConnectionRecords, token: unknown, hasIdps: boolean): Promise<boolean> {
  if (hasIdps || typeof token !== 'string' || token.length < 16 || token.length > 200) return false;
  const stored = await store.getSetting(KEY);
  if (stored === null) return false;
  const a = Buffer.from(hash(token), 'hex');
  const b = Buffer.from(stored, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

function hash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Once an IdP exists the token is spent for good: removing every IdP later does not revive it. */
export async function retireSetupToken(store: ConnectionRecords): Promise<void> {
  if ((await store.getSetting(KEY)) === RETIRED) return;
  await store.deleteSetting(KEY);
  await store.setSettingOnce(KEY, RETIRED);
}

const RETIRED = 'retired';
