// A fresh install has no IdP, so nobody can sign in as an admin: a one-time setup token, handed
// out once at start-up, opens one admin session while no IdP connection exists. Only its hash is
// stored; using the token deletes it, so it opens exactly one session (a restart while there is
// still no IdP hands out a new one).
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

/** True for the one request that presents the valid token; the token is spent by it. */
export async function consumeSetupToken(store: ConnectionRecords, token: unknown, hasIdps: boolean): Promise<boolean> {
  if (hasIdps || typeof token !== 'string' || token.length < 16 || token.length > 200) return false;
  const stored = await store.getSetting(KEY);
  if (stored === null || stored === RETIRED) return false;
  const a = Buffer.from(hash(token), 'hex');
  const b = Buffer.from(stored, 'hex');
  if (a.length !== b.length || !timingSafeEqual(a, b)) return false;
  // Conditional delete: of two requests racing with the same token, one wins.
  return store.takeSetting(KEY, stored);
}

/** Takes back a token that could not be handed out, so the next start issues a new one. */
export async function withdrawSetupToken(store: ConnectionRecords, token: string): Promise<void> {
  await store.takeSetting(KEY, hash(token));
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
