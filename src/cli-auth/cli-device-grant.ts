// The CLI's headless sign-in, modelled on the OAuth device authorization grant (RFC 8628): the
// CLI gets a device code and a short user code, the person approves the user code in any browser
// where they are signed in, and the CLI polls until approved, denied or expired.
import { randomBytes, randomInt } from 'node:crypto';
import type { CliGrantRecords } from '../store/ports.ts';
import type { RequestContext } from '../audit/audit-trail.ts';
import { whoOf, type CliAudit } from '../audit/cli-audit.ts';
import { cliRefusal } from './cli-errors.ts';
import { GRACE_MS } from './cli-code-grant.ts';
import { hashCliSecret, type CliTokens, type IssuedCliToken } from './cli-tokens.ts';
import type { SessionUser } from '../sign-in/session-user.ts';

// RFC 8628 §6.1: consonants only (no words, no look-alikes), 8 characters = 20^8 ≈ 2.6e10.
const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';
const SLOW_DOWN_STEP_SECONDS = 5;

export interface DeviceGrantDeps {
  grants: CliGrantRecords;
  tokens: CliTokens;
  audit: CliAudit;
  now: () => Date;
  deviceCodeTtlSeconds: number;
  pollIntervalSeconds: number;
}

interface StoredDevice {
  userCode: string;
  client: string;
  expiresAt: string;
  status: 'pending' | 'approved' | 'denied';
  user?: SessionUser;
  /** The browser session that approved: the user's sealed role sessions open only with it. */
  sessionId?: string;
}

export interface DeviceStart {
  deviceCode: string;
  userCode: string;
  expiresIn: number;
  interval: number;
}

/** The form people type: upper case, letters only, `XXXX-XXXX` for display. */
export function normalizeUserCode(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 40) return undefined;
  const letters = value.toUpperCase().replace(/[^A-Z]/g, '');
  return letters.length === 8 && [...letters].every((c) => USER_CODE_ALPHABET.includes(c)) ? letters : undefined;
}

export function displayUserCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

export class DeviceGrant {
  constructor(private readonly deps: DeviceGrantDeps) {}

  async start(client: string): Promise<DeviceStart> {
    const deviceCode = randomBytes(32).toString('base64url');
    const userCode = Array.from({ length: 8 }, () => USER_CODE_ALPHABET[randomInt(USER_CODE_ALPHABET.length)]).join('');
    const expiresAt = new Date(this.deps.now().getTime() + this.deps.deviceCodeTtlSeconds * 1000);
    const keep = new Date(expiresAt.getTime() + GRACE_MS);
    const deviceKey = `device:${hashCliSecret(deviceCode)}`;
    const stored: StoredDevice = { userCode, client, expiresAt: expiresAt.toISOString(), status: 'pending' };
    await this.deps.grants.putCliGrant(deviceKey, JSON.stringify(stored), keep);
    await this.deps.grants.putCliGrant(`user-code:${userCode}`, deviceKey, keep);
    return { deviceCode, userCode, expiresIn: this.deps.deviceCodeTtlSeconds, interval: this.deps.pollIntervalSeconds };
  }

  /** What the approval page shows for a user code; refused (audited) when unknown, used or expired. */
  async pending(
    user: SessionUser,
    userCode: unknown,
    ctx: RequestContext,
  ): Promise<{ userCode: string; client: string; expiresAt: Date }> {
    const { stored } = await this.lookup(user, userCode, ctx);
    return { userCode: stored.userCode, client: stored.client, expiresAt: new Date(stored.expiresAt) };
  }

  async decide(user: SessionUser, userCode: unknown, approve: boolean, ctx: RequestContext): Promise<void> {
    const { stored, deviceKey } = await this.lookup(user, userCode, ctx);
    // The user code is single use: whichever decision comes first is the one that counts.
    if ((await this.deps.grants.takeCliGrant(`user-code:${stored.userCode}`)) === null)
      await this.refuse(user, unknownUserCode(), ctx);
    const decided: StoredDevice = approve
      ? { ...stored, status: 'approved', user, sessionId: ctx.sessionId ?? '' }
      : { ...stored, status: 'denied' };
    await this.deps.grants.putCliGrant(
      deviceKey,
      JSON.stringify(decided),
      new Date(Date.parse(stored.expiresAt) + GRACE_MS),
    );
    await this.deps.audit.authorized(user, 'device', stored.client, approve, ctx);
  }

  /** One poll of the token endpoint (RFC 8628 §3.4, §3.5). */
  async poll(deviceCode: unknown, ctx: RequestContext): Promise<IssuedCliToken> {
    const deviceKey =
      typeof deviceCode === 'string' && deviceCode.length <= 200 ? `device:${hashCliSecret(deviceCode)}` : undefined;
    const raw = deviceKey === undefined ? null : await this.deps.grants.getCliGrant(deviceKey);
    const stored = raw === null ? undefined : (JSON.parse(raw) as StoredDevice);
    const who = stored?.user === undefined ? undefined : whoOf(stored.user);
    if (stored === undefined || deviceKey === undefined)
      return this.refuse(
        undefined,
        cliRefusal(
          'CLI_DEVICE_CODE_INVALID',
          'invalid_grant',
          'This device code is unknown or was used already. Run `redshift-sso login --device` again.',
        ),
        ctx,
      );
    if (Date.parse(stored.expiresAt) <= this.deps.now().getTime()) {
      return this.refuse(
        who,
        cliRefusal(
          'CLI_DEVICE_CODE_EXPIRED',
          'expired_token',
          'Nobody approved this sign-in in time. Run `redshift-sso login --device` again.',
        ),
        ctx,
        stored.client,
      );
    }
    if (stored.status === 'denied') {
      await this.deps.grants.takeCliGrant(deviceKey);
      return this.refuse(
        who,
        cliRefusal('CLI_ACCESS_DENIED', 'access_denied', 'The sign-in was denied in the browser.', 403),
        ctx,
        stored.client,
      );
    }
    if (stored.status === 'pending') throw await this.pendingAnswer(deviceKey, stored);
    const taken = await this.deps.grants.takeCliGrant(deviceKey);
    const approved = taken === null ? undefined : (JSON.parse(taken) as StoredDevice);
    if (approved?.status !== 'approved' || approved.user === undefined)
      return this.refuse(
        who,
        cliRefusal('CLI_DEVICE_CODE_INVALID', 'invalid_grant', 'This device code was used already.'),
        ctx,
      );
    return this.deps.tokens.mint(approved.user, approved.sessionId ?? '', 'device', approved.client, ctx);
  }

  // Polling faster than the interval earns slow_down and a longer interval (RFC 8628 §3.5).
  private async pendingAnswer(deviceKey: string, stored: StoredDevice) {
    const pollKey = `poll:${deviceKey}`;
    const raw = await this.deps.grants.getCliGrant(pollKey);
    const last = raw === null ? undefined : (JSON.parse(raw) as { at: number; interval: number });
    const now = this.deps.now().getTime();
    const interval = last?.interval ?? this.deps.pollIntervalSeconds;
    const tooSoon = last !== undefined && now - last.at < interval * 1000;
    const next = tooSoon ? interval + SLOW_DOWN_STEP_SECONDS : interval;
    await this.deps.grants.putCliGrant(
      pollKey,
      JSON.stringify({ at: now, interval: next }),
      new Date(Date.parse(stored.expiresAt) + GRACE_MS),
    );
    return tooSoon
      ? cliRefusal('CLI_SLOW_DOWN', 'slow_down', `Polling too fast: wait ${next} s between polls.`)
      : cliRefusal(
          'CLI_AUTHORIZATION_PENDING',
          'authorization_pending',
          'Waiting for the sign-in to be approved in a browser.',
        );
  }

  private async lookup(
    user: SessionUser,
    userCode: unknown,
    ctx: RequestContext,
  ): Promise<{ stored: StoredDevice; deviceKey: string }> {
    const code = normalizeUserCode(userCode);
    const deviceKey = code === undefined ? null : await this.deps.grants.getCliGrant(`user-code:${code}`);
    const raw = deviceKey === null ? null : await this.deps.grants.getCliGrant(deviceKey);
    const stored = raw === null ? undefined : (JSON.parse(raw) as StoredDevice);
    if (stored === undefined || deviceKey === null || stored.status !== 'pending')
      return this.refuse(user, unknownUserCode(), ctx);
    if (Date.parse(stored.expiresAt) <= this.deps.now().getTime()) {
      return this.refuse(
        user,
        cliRefusal(
          'CLI_USER_CODE_EXPIRED',
          'expired_token',
          'This code has expired. Start the sign-in on the other device again.',
        ),
        ctx,
        stored.client,
      );
    }
    return { stored, deviceKey };
  }

  private async refuse(
    who: SessionUser | { idpId: string; nameId: string } | undefined,
    err: Error,
    ctx: RequestContext,
    client?: string,
  ): Promise<never> {
    const person = who === undefined ? undefined : 'identity' in who ? whoOf(who) : who;
    await this.deps.audit.refused(err, person, { grant: 'device', client }, ctx);
    throw err;
  }
}

function unknownUserCode() {
  return cliRefusal(
    'CLI_USER_CODE_INVALID',
    'invalid_grant',
    'This code is unknown or was used already. Check it against the one your terminal shows.',
  );
}
