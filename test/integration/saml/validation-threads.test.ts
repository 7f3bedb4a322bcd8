// Signature checks on the validation threads (server.validationThreads, saml/validation-pool.ts):
// the same sign-in and the same refusals, with their stable codes, whether node-saml runs on a
// piscina thread (the default) or on the event loop (0); and with threads on, node-saml really ran
// there (the pool's completed-task count moves), while a response refused before node-saml never
// reaches it.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startAppHarness, type AppHarness } from '../../support/app-harness.ts';
import { assertAcsRefused } from '../../support/app-assertions.ts';
import { aSamlResponseXml } from '../../support/sign-response.ts';
import { validationPool } from '../../../src/saml/validation-pool.ts';

const json = { json: true } as const;

for (const threads of [1, 0]) {
  describe(`ACS with server.validationThreads ${threads}`, () => {
    let h: AppHarness;
    const harness = async () => (h = await startAppHarness({ server: { validationThreads: threads } }));
    after(() => h?.close());
    // The pool of one thread is the one the default configuration uses; with 0 it must stay idle.
    const completed = () => validationPool(1).completed;
    const onThreads = (before: number) => assert.equal(completed() - before, threads, 'tasks run on the threads');

    it('signs in (303 to /, a session with the identity)', async () => {
      await harness();
      const before = completed();
      const res = await h.signIn();
      assert.equal(res.status, 303);
      assert.equal(res.headers.get('location'), '/');
      const me = (await (await h.client.get('/api/me', { accept: 'application/json' })).json()) as Record<
        string,
        unknown
      >;
      assert.equal(me.nameId, 'alice@example.com');
      assert.deepEqual(me.dbGroups, ['analysts']);
      onThreads(before);
    });

    it('refuses an assertion altered after signing with SAML_SIGNATURE_INVALID', async () => {
      const before = completed();
      const xml = aSamlResponseXml({ destination: h.acsUrl, recipient: h.acsUrl, inResponseTo: await h.startLogin() });
      const tampered = xml.replace('>alice@example.com</saml:NameID>', '>mallory@example.com</saml:NameID>');
      assert.notEqual(tampered, xml);
      const post = () => h.postAcs(Buffer.from(tampered, 'utf8').toString('base64'), json);
      await assertAcsRefused(h, post, 401, 'SAML_SIGNATURE_INVALID');
      onThreads(before);
    });

    it("reports an IdP error status with the IdP's message (node-saml's status error crosses intact)", async () => {
      const before = completed();
      const post = async () =>
        h.postAcs(await h.validResponse({ status: { code: 'Responder', message: 'locked' } }), json);
      const error = await assertAcsRefused(h, post, 401, 'SAML_IDP_ERROR');
      assert.match(error.message, /locked/);
      onThreads(before);
    });

    it('refuses a reposted response before node-saml runs (its request ID is used up)', async () => {
      const response = await h.validResponse();
      assert.equal((await h.postAcs(response)).status, 303);
      const before = completed();
      await assertAcsRefused(h, () => h.postAcs(response, json), 401, 'SAML_IN_RESPONSE_TO_UNKNOWN');
      assert.equal(completed(), before, 'no task for a response refused before node-saml');
    });
  });
}
