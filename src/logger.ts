// One pino logger for the process, with secrets redacted by field name. Keep secrets under the
// names below: pino wildcards match one level only.
import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

export interface LogOptions {
  level: string;
}

export const REDACTED_PATHS = [
  'req.headers.cookie',
  'req.headers.authorization',
  'res.headers["set-cookie"]',
  'SAMLResponse',
  '*.SAMLResponse',
  'samlResponse',
  '*.samlResponse',
  'password',
  '*.password',
  'dbPassword',
  '*.dbPassword',
  'secretAccessKey',
  '*.secretAccessKey',
  'sessionToken',
  '*.sessionToken',
  'privateKey',
  '*.privateKey',
  'sessionSecret',
  '*.sessionSecret',
  // Every connection string of a DbLogin embeds its password.
  'connectionStrings',
  '*.connectionStrings',
];

export function createLogger(options: LogOptions, destination?: DestinationStream): Logger {
  return pino(
    {
      level: options.level,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      base: { service: 'redshift-sso' },
    },
    destination,
  );
}
