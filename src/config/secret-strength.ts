// Is a session secret strong enough to sign cookies and derive the role-session key? A cheap,
// dependency-free estimate: refuses documentation placeholders, few distinct characters, and
// strings whose characters mostly continue a run ("aaaa", "1234") or repeat an earlier part.

export const MIN_SECRET_LENGTH = 32;
/**
 * `openssl rand -hex 16` (32 hex digits, 128 random bits) estimates at about 115, and in a
 * million draws never below 74; runs and repeats ("0123…", "abcabc…") estimate far lower.
 */
export const MIN_ESTIMATED_BITS = 64;
// 32 random hex digits have fewer than 8 distinct ones less than once in a million draws.
const MIN_DISTINCT_CHARACTERS = 8;

/** Fragments of the placeholders in our examples and the usual "put your secret here" texts. */
const PLACEHOLDERS = [
  'replace-me',
  'replace_me',
  'replaceme',
  'change-me',
  'change_me',
  'changeme',
  'changeit',
  'placeholder',
  'your-secret',
  'your_secret',
  'yoursecret',
  'openssl',
  'example',
  'secret-here',
  'xxxxxxxx',
];

/** Why this secret is too weak, or undefined when it is acceptable. */
export function weakSecretProblem(secret: string): string | undefined {
  if (secret.length < MIN_SECRET_LENGTH) return `expected at least ${MIN_SECRET_LENGTH} characters`;
  const lower = secret.toLowerCase();
  if (PLACEHOLDERS.some((p) => lower.includes(p)))
    return 'is a placeholder; generate a secret with `openssl rand -hex 32`';
  if (new Set(secret).size < MIN_DISTINCT_CHARACTERS)
    return `has fewer than ${MIN_DISTINCT_CHARACTERS} distinct characters; generate one with \`openssl rand -hex 32\``;
  if (estimatedBits(secret) < MIN_ESTIMATED_BITS)
    return 'is too predictable (runs or repeats); generate one with `openssl rand -hex 32`';
  return undefined;
}

/**
 * Shannon entropy of the string's own character distribution, times the number of characters
 * that neither continue a run of equal steps (-1, 0 or +1 in code point) nor repeat an earlier
 * three-character sequence.
 */
export function estimatedBits(secret: string): number {
  const chars = [...secret].map((c) => c.codePointAt(0) ?? 0);
  const counts = new Map<number, number>();
  for (const c of chars) counts.set(c, (counts.get(c) ?? 0) + 1);
  let perChar = 0;
  for (const n of counts.values()) perChar -= (n / chars.length) * Math.log2(n / chars.length);

  const seen = new Set<string>();
  let effective = 0;
  chars.forEach((c, i) => {
    if (i < 2) {
      effective++;
      return;
    }
    const a = chars[i - 2] ?? 0;
    const b = chars[i - 1] ?? 0;
    const step = c - b;
    const trigram = `${a},${b},${c}`;
    const continuesRun = Math.abs(step) <= 1 && step === b - a;
    if (!continuesRun && !seen.has(trigram)) effective++;
    seen.add(trigram);
  });
  return perChar * effective;
}
