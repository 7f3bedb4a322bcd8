// Refusals of the CLI's sign-in, each with a stable code and, where the token endpoint answers in
// OAuth's shape (RFC 6749 §5.2, RFC 8628 §3.5), the OAuth error name kept in `details.oauthError`.
import { AppError, type ErrorCode } from '../errors.ts';

export type OAuthError =
  | 'invalid_request'
  | 'invalid_grant'
  | 'authorization_pending'
  | 'slow_down'
  | 'access_denied'
  | 'expired_token'
  | 'unsupported_grant_type';

export function cliRefusal(code: ErrorCode, oauthError: OAuthError, publicMessage: string, status = 400): AppError {
  return new AppError({ code, status, publicMessage, details: { oauthError } });
}

export function oauthErrorOf(err: unknown): OAuthError | undefined {
  if (!(err instanceof AppError)) return undefined;
  const value = err.details.oauthError;
  return typeof value === 'string' ? (value as OAuthError) : undefined;
}
