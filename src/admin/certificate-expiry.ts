// When the IdPs' signing certificates run out: days left for each, which ones warrant a warning
// (from EXPIRY_WARNING_DAYS before their end, and once expired), and a daily warning in the log
// for each of those, so an operator who reads neither the console nor /metrics still hears of it
// while there is time to roll the certificate over.
import type { Logger } from '../logger.ts';
import type { IdpConnection } from '../saml/idp-connection.ts';
import { describeCertificate, EXPIRY_WARNING_DAYS } from './certificate-info.ts';
import { realTimers, type MetadataTimers } from './metadata-retry.ts';

export const DAY_MS = 86_400_000;

export interface CertificateExpiry {
  idpId: string;
  idpName: string;
  /** SHA-256, colon-separated hex, as the console shows it. */
  fingerprint: string;
  subject: string;
  notAfter: Date;
  /** Whole days left, rounded down; negative once expired. */
  days: number;
  expired: boolean;
  /** Within EXPIRY_WARNING_DAYS of its end, or past it. */
  warn: boolean;
}

type IdpCerts = Pick<IdpConnection, 'id' | 'name' | 'certs'>;

export function certificateExpiries(idps: readonly IdpCerts[], now: Date): CertificateExpiry[] {
  return idps.flatMap((idp) =>
    idp.certs.map((pem) => {
      const info = describeCertificate(pem, now);
      const msLeft = info.notAfter.getTime() - now.getTime();
      return {
        idpId: idp.id,
        idpName: idp.name,
        fingerprint: info.fingerprint256,
        subject: info.subject,
        notAfter: info.notAfter,
        days: info.expiresWithinDays,
        expired: info.expired,
        warn: msLeft <= EXPIRY_WARNING_DAYS * DAY_MS,
      };
    }),
  );
}

export interface ExpiryLogDeps {
  /** The IdP connections as they are now (refreshed from the store: another instance may have changed them). */
  idps: () => Promise<readonly IdpCerts[]>;
  now: () => Date;
  logger: Logger;
  /** One-shot timers (tests fire them by hand); default setTimeout, unref'd. */
  timers?: MetadataTimers;
  intervalMs?: number;
  /** Delay of the first check: after start-up has loaded the console's IdPs. Default a minute. */
  firstDelayMs?: number;
}

export interface ExpiryLog {
  /** Logs a warning for every certificate that warrants one; resolves to those certificates. */
  check(): Promise<CertificateExpiry[]>;
  stop(): void;
}

/** Checks a minute after start and then every `intervalMs` (a day) until stopped. */
export function startCertificateExpiryLog(deps: ExpiryLogDeps): ExpiryLog {
  const timers = deps.timers ?? realTimers;
  const log = deps.logger.child({ module: 'certificate-expiry' });
  let handle: unknown;
  let stopped = false;

  const check = async (): Promise<CertificateExpiry[]> => {
    const warned = certificateExpiries(await deps.idps(), deps.now()).filter((c) => c.warn);
    for (const c of warned) {
      const { idpId, fingerprint, subject } = c;
      const fields = { idpId, fingerprint, subject, notAfter: c.notAfter.toISOString(), daysLeft: c.days };
      const when = c.expired ? 'has expired' : `expires in ${c.days} day${c.days === 1 ? '' : 's'}`;
      log.warn(fields, `IdP signing certificate ${when}`);
    }
    return warned;
  };
  const run = async (): Promise<void> => {
    try {
      await check();
    } catch (err) {
      log.error({ err: err instanceof Error ? err.message : String(err) }, 'certificate expiry check failed');
    }
    if (!stopped) handle = timers.set(run, deps.intervalMs ?? DAY_MS);
  };
  handle = timers.set(run, deps.firstDelayMs ?? 60_000);
  return {
    check,
    stop() {
      stopped = true;
      if (handle !== undefined) timers.clear(handle);
    },
  };
}
