// Session secrets for test configurations: generated like an operator should (`openssl rand -hex
// 32`), so no test relies on a guessable one, and the config loader's strength check accepts them.
import { randomBytes } from 'node:crypto';

export function testSessionSecret(): string {
  return randomBytes(32).toString('hex');
}
