// The one store opener: the store named by store.url. PostgreSQL always shares its rate-limit
// counters; SQLite when asked (several workers on the file).
import { ConfigError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { Store } from './ports.ts';
import { openSqliteStore, type SqliteStoreOptions } from './sqlite.ts';
import { openPostgresStore } from './postgres.ts';

/** Opened before createApp: PostgreSQL needs to connect first. */
export async function openStore(url: string, logger: Logger, options: SqliteStoreOptions = {}): Promise<Store> {
  if (url.startsWith('sqlite:')) return openSqliteStore(url, options);
  if (/^postgres(ql)?:\/\//.test(url)) return openPostgresStore(url, { logger });
  throw new ConfigError(['store.url: expected sqlite:PATH or postgres://…']);
}

/** For createApp without a store passed in: only SQLite opens without waiting. */
export function openStoreSync(url: string): Store {
  if (url.startsWith('sqlite:')) return openSqliteStore(url);
  throw new ConfigError(['store.url: a PostgreSQL store must be opened with openStore() and passed in']);
}
