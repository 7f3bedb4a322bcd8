// Makes the emulator's temporary database logins real: each issued user becomes a PostgreSQL LOGIN
// role with the issued password and expiry, so SQL clients can actually connect with them.
// Used only when the emulator is given a superuser URL; pg is loaded lazily for that reason.
import type { PoolClient } from 'pg';
import type { Logger } from '../../logger.ts';

export interface DbLogin {
  dbUser: string;
  dbPassword: string;
  expiration: Date;
  dbGroups: readonly string[];
}

export interface DbLoginProvisioner {
  provision(login: DbLogin): Promise<void>;
  close(): Promise<void>;
}

export async function createDbLoginProvisioner(adminUrl: string, logger?: Logger): Promise<DbLoginProvisioner> {
  const { Pool, escapeIdentifier, escapeLiteral } = await import('pg');
  // One connection: provisioning is rare, and serializing it avoids races creating the same group role.
  const pool = new Pool({ connectionString: adminUrl, max: 1 });
  pool.on('error', (error) => logger?.warn({ err: { message: error.message } }, 'postgres pool error'));

  async function roleExists(client: PoolClient, name: string): Promise<boolean> {
    const result = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [name]);
    return (result.rowCount ?? 0) > 0;
  }

  return {
    async provision(login) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        // PASSWORD cannot be a bind parameter in DDL; escapeLiteral quotes it. The server stores a SCRAM hash.
        const verb = (await roleExists(client, login.dbUser)) ? 'ALTER' : 'CREATE';
        const password = escapeLiteral(login.dbPassword);
        const validUntil = escapeLiteral(login.expiration.toISOString());
        await client.query(
          `${verb} ROLE ${escapeIdentifier(login.dbUser)} LOGIN PASSWORD ${password} VALID UNTIL ${validUntil}`,
        );
        for (const group of login.dbGroups) {
          if (!(await roleExists(client, group))) await client.query(`CREATE ROLE ${escapeIdentifier(group)} NOLOGIN`);
          await client.query(`GRANT ${escapeIdentifier(group)} TO ${escapeIdentifier(login.dbUser)}`);
        }
        await client.query('COMMIT');
        logger?.debug(
          { dbUser: login.dbUser, dbGroups: login.dbGroups, expiresAt: login.expiration },
          'provisioned postgres login',
        );
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    async close() {
      await pool.end();
    },
  };
}
