// The process's validation pools: started on first use (one per thread count), counted for the
// metrics, and closed on shutdown (after which the next use starts a new pool).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { closeValidationPools, validationLoad, validationPool } from '../../../src/saml/validation-pool.ts';

const NOT_SIGNED = {
  key: 'unit',
  options: { callbackUrl: 'https://sso.example/saml/acs/x', issuer: 'sp', idpCert: 'MIIB', audience: false as const },
  container: { SAMLResponse: Buffer.from('<samlp:Response/>').toString('base64') },
};

describe('validation pools', () => {
  it('starts a pool per thread count once, counts its threads, and starts anew after closing', async () => {
    await closeValidationPools();
    assert.deepEqual(validationLoad(), { threads: 0, queued: 0 }, 'no pool before the first use');
    const pool = validationPool(2);
    assert.equal(validationPool(2), pool, 'the same pool for the same thread count');
    const outcome = (await pool.run(NOT_SIGNED)) as { ok: boolean; message?: string };
    assert.equal(outcome.ok, false, 'node-saml ran on a thread and refused the unsigned response');
    assert.equal(validationLoad().threads, 2);
    await closeValidationPools();
    assert.deepEqual(validationLoad(), { threads: 0, queued: 0 });
    const again = validationPool(2);
    assert.notEqual(again, pool, 'a closed pool is not handed out again');
    await closeValidationPools();
  });
});
