// Turning a grant into a stored token: the token endpoint's answer (OAuth's shape) either becomes
// the per-server token file or a CliError with the server's code; the token never reaches a URL.
import { hostname } from 'node:os';
import { callService } from './api-client.ts';
import { CliError, EXIT, exitCodeForStatus } from './errors.ts';
import { saveToken } from './local-files.ts';

export interface TokenEndpointAnswer {
  access_token?: string;
  token_id?: string;
  expires_at?: string;
  /** OAuth's error name, or (rate limits, malformed requests) the service's usual error object. */
  error?: string | { code?: string; message?: string };
  error_description?: string;
  code?: string;
}

export function clientName(): string {
  return `redshift-sso CLI on ${hostname()}`.slice(0, 80);
}

export async function requestToken(
  server: string,
  body: Record<string, string>,
): Promise<{ status: number; body: TokenEndpointAnswer }> {
  return callService<TokenEndpointAnswer>(server, '/api/cli/token', { body, acceptErrors: true });
}

export function refusalOf(status: number, body: TokenEndpointAnswer): CliError {
  if (typeof body.error === 'object') {
    const code = body.error.code ?? `HTTP_${status}`;
    return new CliError(
      `${body.error.message ?? `The server refused the sign-in (${status}).`} (${code})`,
      exitCodeForStatus(status),
      code,
    );
  }
  const exit =
    body.error === 'access_denied' || body.error === 'expired_token' || body.error === 'invalid_grant'
      ? EXIT.denied
      : exitCodeForStatus(status);
  const code = body.code ?? body.error ?? `HTTP_${status}`;
  return new CliError(
    `${body.error_description ?? `The server refused the sign-in (${status}).`} (${code})`,
    exit,
    code,
  );
}

export async function storeToken(server: string, body: TokenEndpointAnswer): Promise<void> {
  if (body.access_token === undefined || body.token_id === undefined || body.expires_at === undefined) {
    throw new CliError(
      `${server} answered the sign-in without a token: is it a redshift-sso server?`,
      EXIT.unreachable,
    );
  }
  const path = await saveToken({
    server,
    token: body.access_token,
    tokenId: body.token_id,
    expiresAt: body.expires_at,
  });
  process.stderr.write(
    `Signed in to ${server} until ${body.expires_at} (local ${new Date(body.expires_at).toLocaleString()}). Token saved in ${path}.\n`,
  );
}
