// A fresh install's one-time setup token at start-up: to the terminal or a 0600 file
// (delivery.ts), never to the log; taken back when it cannot be handed out.
import { ConfigError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { Config } from '../config/schema.ts';
import { defaultSetupTokenPath, deliverSetupToken } from './delivery.ts';

export interface SetupTokens {
  /** A one-time admin setup token when no IdP exists and none is outstanding. */
  issueSetupToken(): Promise<string | undefined>;
  /** Takes back a token that could not be handed out, so the next start issues another. */
  withdrawSetupToken(token: string): Promise<void>;
}

/** A fresh install's one-time setup token: to the terminal or a 0600 file, never to the log. */
export async function handOutSetupToken(
  built: SetupTokens,
  config: Config,
  logger: Logger,
  terminal: NodeJS.WriteStream,
): Promise<void> {
  const token = await built.issueSetupToken();
  if (token === undefined) return;
  const setupUrl = `${config.server.baseUrl.replace(/\/+$/, '')}/admin/setup`;
  const filePath = config.admin.setupTokenFile ?? defaultSetupTokenPath(config.store.url);
  try {
    const delivery = deliverSetupToken(token, { terminal, filePath, setupUrl });
    logger.warn(
      { setupUrl, ...(delivery.to === 'file' ? { setupTokenFile: delivery.path } : { printedTo: 'stderr' }) },
      'no IdP connection yet: a one-time setup token opens the admin console',
    );
  } catch (err) {
    // Not handed out means nobody can use it: take it back, so the next start issues another.
    await built.withdrawSetupToken(token);
    throw new ConfigError(
      [
        `admin.setupTokenFile: cannot write the setup token to ${filePath} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      ],
      err,
    );
  }
}
