// Signature exclusion and stripping (no signature, signatures removed, references to other
// elements, URI="", duplicate IDs, extra signatures and references) and certificate faking (the
// attacker's certificate in KeyInfo, a self-signed copy of the IdP's subject, chains the IdP never
// published, the rollover key this connection does not trust, another connection's key, HMAC).
import { fixtureKeys, TEST_IDP_ISSUER } from '../support/sign-response.ts';
import type { SigningKey } from '../../src/dev/saml-response.ts';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { encryptAssertionInResponse } from '../support/encrypt-assertion.ts';
import { EVIL_IDENTITY, type AppName, type Me, type SecurityCase } from './attack-runner.ts';
import { ATTACKER_IDP_ID, ATTACKER_IDP_ISSUER } from './security-harness.ts';
import { forgedKeys } from './forged-keys.ts';
import { attacksOf } from './attack-cases.ts';
import {
  ALG,
  ASSERTION_XPATH,
  assertionOf,
  childElements,
  element,
  NS,
  parse,
  RESPONSE_XPATH,
  serialize,
  signatureOf,
  signAssertionWith,
  signWith,
  unsignedCopy,
} from './attack-xml.ts';

const SIGNATURE_CODES = ['SAML_SIGNATURE_INVALID'];

const signatureAttack = attacksOf('signature');
const certificateAttack = attacksOf('certificate');

/** A valid response for `app`, then `tamper` on its DOM. */
function tampered(
  name: string,
  tamper: (doc: Document) => void,
  signing: { signResponse?: boolean; signAssertion?: boolean } = {},
  app: AppName = 'sp',
): SecurityCase {
  return signatureAttack(name, SIGNATURE_CODES, async (ctx) => {
    const doc = parse(await ctx.responseXml(app, signing));
    tamper(doc);
    return ctx.postXml(app, serialize(doc));
  });
}

/** An unsigned response for the sp app, then signed by `sign`. */
function signedBy(
  klass: string,
  name: string,
  sign: (xml: string) => string | Promise<string>,
  codes: readonly string[] = SIGNATURE_CODES,
): SecurityCase {
  return attacksOf(klass)(name, codes, async (ctx) =>
    ctx.postXml('sp', await sign(await ctx.responseXml('sp', { signAssertion: false }))),
  );
}

function withKey(name: string, key: () => Promise<SigningKey> | SigningKey, keyInfoCertificate?: string): SecurityCase {
  return signedBy('certificate', name, async (xml) => signAssertionWith(xml, { key: await key(), keyInfoCertificate }));
}

function removeSignature(el: Element): void {
  el.removeChild(signatureOf(el));
}

/** Accepting is fine only as the identity the IdP signed. */
const signedIdentity = (me: Me) =>
  me.nameId === 'alice@example.com'
    ? { ok: true, label: 'accepted as the signed identity' }
    : { ok: false, label: `UNEXPECTED identity ${me.nameId}` };

/** Counts requests to a loopback listener while `body` runs: the SP must never fetch what KeyInfo names. */
async function withListener(body: (url: string) => Promise<Response>): Promise<{ res: Response; hits: string[] }> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(req.url ?? '');
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  try {
    const res = await body(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return { res, hits };
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

export const signatureCases: SecurityCase[] = [
  signedBy('signature', 'no signature on the Response or the assertion', (xml) => xml),
  tampered('assertion signature removed, Response unsigned', (doc) => removeSignature(assertionOf(doc))),
  tampered(
    'assertion signature removed from a Response+assertion-signed response',
    (doc) => removeSignature(assertionOf(doc)),
    { signResponse: true, signAssertion: true },
  ),
  tampered(
    'both signatures removed from a Response+assertion-signed response',
    (doc) => {
      removeSignature(assertionOf(doc));
      removeSignature(doc.documentElement);
    },
    { signResponse: true, signAssertion: true },
  ),
  tampered(
    'Response signature removed where a signed Response is required',
    (doc) => removeSignature(doc.documentElement),
    { signResponse: true, signAssertion: false },
    'respOnly',
  ),
  signatureAttack('Response-only signature where the assertion must be signed', SIGNATURE_CODES, async (ctx) =>
    ctx.postXml('sp', await ctx.responseXml('sp', { signResponse: true, signAssertion: false })),
  ),
  tampered('SignatureValue emptied', (doc) => {
    const value = signatureOf(assertionOf(doc)).getElementsByTagNameNS(NS.ds, 'SignatureValue')[0] as Element;
    value.textContent = '';
  }),
  tampered('DigestValue recomputed for a tampered NameID, SignatureValue kept', (doc) => {
    (assertionOf(doc).getElementsByTagNameNS(NS.saml, 'NameID')[0] as Element).textContent = EVIL_IDENTITY;
    const digest = signatureOf(assertionOf(doc)).getElementsByTagNameNS(NS.ds, 'DigestValue')[0] as Element;
    digest.textContent = Buffer.alloc(32, 7).toString('base64');
  }),
  signedBy('signature', 'signature in the assertion over the Response (a different element ID)', (xml) =>
    signWith(xml, {
      key: fixtureKeys.idp,
      referenceXpath: RESPONSE_XPATH,
      location: { reference: `${ASSERTION_XPATH}/*[local-name()='Issuer']`, action: 'after' },
    }),
  ),
  signedBy('signature', 'signature in the assertion over an Extensions element with its own ID', (xml) => {
    const doc = parse(xml);
    const ext = element(doc, NS.samlp, 'samlp:Extensions');
    ext.setAttribute('ID', '_extensions0123456789');
    doc.documentElement.insertBefore(ext, doc.documentElement.getElementsByTagNameNS(NS.samlp, 'Status')[0] ?? null);
    return signWith(serialize(doc), {
      key: fixtureKeys.idp,
      referenceXpath: `${RESPONSE_XPATH}/*[local-name()='Extensions']`,
      location: { reference: `${ASSERTION_XPATH}/*[local-name()='Issuer']`, action: 'after' },
    });
  }),
  signedBy('signature', 'Reference URI="" (the whole document)', (xml) =>
    signAssertionWith(xml, { key: fixtureKeys.idp, emptyUri: true }),
  ),
  signatureAttack(
    'Reference URI with a quote (XPath injection)',
    ['SAML_SIGNATURE_INVALID', 'SAML_INVALID'],
    async (ctx) => {
      const xml = await ctx.responseXml('sp');
      return ctx.postXml('sp', xml.replace(/<ds:Reference URI="#([^"]+)"/, `<ds:Reference URI="#$1' or '1'='1"`));
    },
  ),
  signatureAttack("duplicate IDs: the Response carries the assertion's ID", SIGNATURE_CODES, async (ctx) => {
    const id = '_duplicate0123456789abcdef0123456789abcd';
    return ctx.postXml('sp', await ctx.responseXml('sp', { responseId: id, assertionId: id }));
  }),
  tampered('duplicate IDs: an unsigned copy of the signed assertion in Extensions', (doc) => {
    const ext = element(doc, NS.samlp, 'samlp:Extensions');
    ext.appendChild(unsignedCopy(doc, assertionOf(doc)));
    doc.documentElement.insertBefore(ext, doc.documentElement.getElementsByTagNameNS(NS.samlp, 'Status')[0] ?? null);
  }),
  signedBy('signature', 'two signatures on the assertion', (xml) =>
    signAssertionWith(signAssertionWith(xml, { key: fixtureKeys.idp }), { key: fixtureKeys.idp }),
  ),
  signedBy('signature', 'one signature with two References (assertion and Response)', (xml) => {
    const doc = parse(signAssertionWith(xml, { key: fixtureKeys.idp }));
    const signedInfo = signatureOf(assertionOf(doc)).getElementsByTagNameNS(NS.ds, 'SignedInfo')[0] as Element;
    const reference = childElements(signedInfo, NS.ds, 'Reference')[0] as Element;
    const second = reference.cloneNode(true) as Element;
    second.setAttribute('URI', `#${doc.documentElement.getAttribute('ID') ?? ''}`);
    signedInfo.appendChild(second);
    return serialize(doc);
  }),
  signatureAttack('attacker encrypts an unsigned evil assertion for the SP', SIGNATURE_CODES, async (ctx) =>
    ctx.postXml(
      'sp',
      await encryptAssertionInResponse(await ctx.responseXml('sp', { nameId: EVIL_IDENTITY, signAssertion: false }), {
        certificate: fixtureKeys.sp.certificate,
      }),
    ),
  ),
  {
    name: 'KeyInfo RetrievalMethod pointing at a loopback listener (SSRF; KeyInfo is not signed)',
    kind: 'probe',
    class: 'certificate',
    judge: signedIdentity,
    async run(ctx) {
      const xml = await ctx.responseXml('sp');
      const { res, hits } = await withListener(async (url) => {
        const tampered = xml.replace(
          /<ds:KeyInfo>/,
          `<ds:KeyInfo><ds:RetrievalMethod URI="${url}/keyinfo" Type="http://www.w3.org/2000/09/xmldsig#X509Data"/>`,
        );
        if (tampered === xml) throw new Error('no KeyInfo to tamper with');
        const answer = await ctx.postXml('sp', tampered);
        await answer.clone().arrayBuffer();
        return answer;
      });
      if (hits.length > 0) ctx.note(`! the service fetched ${hits.join(', ')}`);
      return res;
    },
  },
  withKey('attacker key, attacker certificate in KeyInfo', () => fixtureKeys.attacker),
  withKey(
    "attacker key, the IdP's own certificate in KeyInfo",
    () => fixtureKeys.attacker,
    fixtureKeys.idp.certificate,
  ),
  withKey("self-signed certificate copying the IdP's subject CN", async () => (await forgedKeys()).lookalike),
  withKey("leaf with the IdP's CN under the attacker's CA, chain in KeyInfo", async () => (await forgedKeys()).chain),
  withKey('leaf under a CA named like the IdP, chain in KeyInfo', async () => (await forgedKeys()).chainUnderIdpName),
  withKey("the IdP's next (rollover) key, not configured for this connection", () => fixtureKeys.idpNext),
  signedBy(
    'certificate',
    "HMAC-SHA1 keyed with the IdP's public certificate (key confusion)",
    (xml) =>
      signAssertionWith(xml, {
        key: fixtureKeys.idp,
        hmacSecret: fixtureKeys.idp.certificate,
        digestAlgorithm: ALG.sha256,
      }),
    ['SAML_ALGORITHM_NOT_ALLOWED', 'SAML_SIGNATURE_INVALID'],
  ),
  certificateAttack(
    "partner IdP's trusted key, posted to the test connection",
    ['SAML_SIGNATURE_INVALID', 'SAML_ISSUER_MISMATCH'],
    async (ctx) =>
      ctx.postXml('sp', await ctx.responseXml('sp', { key: fixtureKeys.attacker, issuer: ATTACKER_IDP_ISSUER })),
  ),
  certificateAttack(
    'partner IdP signs as the test IdP (Issuer copied), posted to its own connection',
    ['SAML_ISSUER_MISMATCH'],
    async (ctx) => {
      const app = ctx.apps.sp;
      const acsUrl = `${app.acsUrl.replace(/\/[^/]+$/, '')}/${ATTACKER_IDP_ID}`;
      const inResponseTo = await app.startLogin(ctx.victim('sp'), ATTACKER_IDP_ID);
      const xml = await ctx.responseXml('sp', {
        key: fixtureKeys.attacker,
        issuer: TEST_IDP_ISSUER,
        destination: acsUrl,
        recipient: acsUrl,
        inResponseTo,
      });
      return ctx.postXml('sp', xml, ATTACKER_IDP_ID);
    },
  ),
];
