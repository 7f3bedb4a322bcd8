// Return paths (RelayState, ?returnTo=) are only ever same-origin relative paths: anything
// absolute, protocol-relative or odd falls back to "/", so a login can't become an open redirect.
const SAFE_PATH = /^\/(?![/\\])[A-Za-z0-9\-._~!$&'()*+,;=:@/%?]*$/;

// Percent-encoded control characters (%00-%1F, %7F): harmless in a Location header, but no real
// page needs them and they are the raw material of header-injection tricks further down.
const ENCODED_CONTROL = /%(?:[01][0-9a-f]|7f)/i;

export function safeReturnPath(value: unknown): string {
  if (typeof value !== 'string' || value.length > 512 || !SAFE_PATH.test(value) || ENCODED_CONTROL.test(value))
    return '/';
  return value;
}
