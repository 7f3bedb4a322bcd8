// `trust proxy: true` believes the leftmost X-Forwarded-For, which any client writes: it would
// choose its own rate-limit key and the IP in the audit trail. Legal, so loud rather than refused.
import type { Logger } from '../logger.ts';
import type { Config } from './schema.ts';

export function warnAboutTrustProxy(config: Config, logger: Logger): void {
  if (config.mode !== 'production' || config.server.trustProxy !== true) return;
  logger.warn(
    { trustProxy: true },
    'server.trustProxy is true: every client can forge X-Forwarded-For and pick its own rate-limit key and audited IP; set it to the hop count or the addresses of your proxies',
  );
}
