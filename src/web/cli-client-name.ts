// What a CLI calls itself ("redshift-sso CLI on laptop-7"): shown to the person on the approval
// page and in "Signed-in tools", so it is trimmed to printable text and a sane length.
export const DEFAULT_CLIENT_NAME = 'redshift-sso CLI';

export function clientName(value: unknown): string {
  if (typeof value !== 'string') return DEFAULT_CLIENT_NAME;
  const clean = value
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, '')
    .trim()
    .slice(0, 80);
  return clean === '' ? DEFAULT_CLIENT_NAME : clean;
}
