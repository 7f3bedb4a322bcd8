// Return paths (RelayState, ?returnTo=) are only ever same-origin relative paths: anything
// absolute, protocol-relative or odd falls back to "/", so a login can't become an open redirect.
const SAFE_PATH = /^\/(?![/\\])[A-Za-z0-9\-._~!$&'()*+,;=:@/%?]*$/;

export function safeReturnPath(value: unknown): string {
  if (typeof value !== 'string' || value.length > 512 || !SAFE_PATH.test(value)) return '/';
  return value;
}
