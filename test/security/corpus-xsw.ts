// XML Signature Wrapping: the eight classic placements (Somorovsky et al., "On Breaking SAML",
// 2012; the XSW1-XSW8 of SAML Raider) and variants. A valid response signed by the test IdP for
// alice is taken apart and an unsigned evil assertion for admin@evil.example (with a role the
// cluster accepts) is put beside, before, after, around or inside the signed element.
import { encryptAssertionInResponse } from '../support/encrypt-assertion.ts';
import {
  aSamlResponseXml,
  fixtureKeys,
  defaultTestAttributes,
  AWS_ROLE_SESSION_NAME,
  REDSHIFT_DB_USER,
} from '../support/sign-response.ts';
import { EVIL_IDENTITY, type AppName, type CaseContext, type Me, type SecurityCase } from './attack-runner.ts';
import {
  assertionOf,
  element,
  insertAfter,
  issuerOf,
  NS,
  parse,
  serialize,
  signatureOf,
  unsignedCopy,
} from './attack-xml.ts';
import { attacksOf } from './attack-cases.ts';

const SIGNATURE_CODES = ['SAML_SIGNATURE_INVALID', 'SAML_MULTIPLE_ASSERTIONS', 'SAML_ASSERTION_MISSING'];
const attack = attacksOf('XSW');

interface Parts {
  doc: Document;
  response: Element;
  /** The signed assertion for alice. */
  assertion: Element;
  /** An unsigned assertion for admin@evil.example, imported into doc, with a fresh ID. */
  evil: Element;
}

async function parts(
  ctx: CaseContext,
  app: AppName,
  signing: { signResponse?: boolean; signAssertion?: boolean } = {},
): Promise<Parts> {
  const inResponseTo = app === 'sp' || app === 'respOnly' ? await ctx.apps[app].startLogin(ctx.victim(app)) : undefined;
  const xml = await ctx.responseXml(app, { ...signing, inResponseTo });
  const doc = parse(xml);
  const evilXml = evilResponseXml(ctx, app, inResponseTo);
  return {
    doc,
    response: doc.documentElement,
    assertion: assertionOf(doc),
    evil: doc.importNode(assertionOf(parse(evilXml)), true) as Element,
  };
}

function evilResponseXml(ctx: CaseContext, app: AppName, inResponseTo: string | undefined): string {
  const acsUrl = ctx.apps[app].acsUrl;
  return aSamlResponseXml({
    destination: acsUrl,
    recipient: acsUrl,
    inResponseTo,
    nameId: EVIL_IDENTITY,
    attributes: { ...defaultTestAttributes, [AWS_ROLE_SESSION_NAME]: 'admin', [REDSHIFT_DB_USER]: 'admin' },
    signAssertion: false,
  });
}

/** Guards against a vacuous case: the posted document must carry the evil assertion. */
function withEvil(xml: string): string {
  if (!xml.includes(EVIL_IDENTITY)) throw new Error('the wrapped document lost the evil assertion');
  return xml;
}

function sameId(evil: Element, assertion: Element): Element {
  evil.setAttribute('ID', assertion.getAttribute('ID') ?? '');
  return evil;
}

/** Moves the signed assertion's Signature into `target`, right after its Issuer. */
function moveSignature(from: Element, target: Element): Element {
  const signature = signatureOf(from);
  from.removeChild(signature);
  insertAfter(signature, issuerOf(target));
  return signature;
}

function xsw(
  name: string,
  app: AppName,
  build: (p: Parts) => void,
  signing?: { signResponse?: boolean; signAssertion?: boolean },
): SecurityCase {
  return attack(name, SIGNATURE_CODES, async (ctx) => {
    const p = await parts(ctx, app, signing);
    build(p);
    return ctx.postXml(app, withEvil(serialize(p.doc)));
  });
}

/**
 * Evil content hidden inside the signature is outside the signed bytes: the signed identity is the only acceptable
 * reading.
 */
function insideSignature(
  name: string,
  place: (signature: Element, evil: Element, doc: Document) => void,
): SecurityCase {
  return {
    name,
    kind: 'probe',
    class: 'XSW',
    codes: SIGNATURE_CODES,
    judge: (me: Me) =>
      me.nameId === 'alice@example.com'
        ? { ok: true, label: 'accepted as the signed identity' }
        : { ok: false, label: `IDENTITY FROM UNSIGNED XML: ${me.nameId}` },
    async run(ctx) {
      const p = await parts(ctx, 'sp');
      place(signatureOf(p.assertion), p.evil, p.doc);
      return ctx.postXml('sp', serialize(p.doc));
    },
  };
}

function extensions(doc: Document, child: Element): Element {
  const ext = element(doc, NS.samlp, 'samlp:Extensions');
  ext.appendChild(child);
  return ext;
}

/** XSW4: the evil assertion takes the signed one's place and wraps it as its last child. */
function evilWrapsSigned(p: Parts): void {
  p.response.replaceChild(p.evil, p.assertion);
  p.evil.appendChild(p.assertion);
}

/** XSW7: the signed assertion moves into samlp:Extensions (before Status), the evil one takes its place. */
function signedIntoExtensions(p: Parts): void {
  p.response.replaceChild(p.evil, p.assertion);
  p.response.insertBefore(
    extensions(p.doc, p.assertion),
    p.response.getElementsByTagNameNS(NS.samlp, 'Status')[0] ?? null,
  );
}

/** XSW5, 6 and 8: the evil assertion takes the signed one's ID and Signature; the unsigned original is returned. */
function evilTakesSignature(p: Parts): { copy: Element; signature: Element } {
  const copy = unsignedCopy(p.doc, p.assertion);
  sameId(p.evil, p.assertion);
  return { copy, signature: moveSignature(p.assertion, p.evil) };
}

export const xswCases: SecurityCase[] = [
  responseXsw('XSW1: evil Response, original signed Response inside its moved Signature', 'inside-signature'),
  responseXsw(
    'XSW2: evil Response, original Response as a sibling before the Signature (detached)',
    'before-signature',
  ),
  xsw('XSW3: evil assertion (new ID) before the signed assertion', 'sp', (p) =>
    p.response.insertBefore(p.evil, p.assertion),
  ),
  xsw("XSW3b: evil assertion with the signed assertion's ID, before it", 'sp', (p) =>
    p.response.insertBefore(sameId(p.evil, p.assertion), p.assertion),
  ),
  xsw('XSW3c: evil assertion after the signed assertion', 'sp', (p) => insertAfter(p.evil, p.assertion)),
  xsw('XSW3d: evil assertion before the signed one, IdP-initiated', 'idpInit', (p) =>
    p.response.insertBefore(p.evil, p.assertion),
  ),
  xsw('XSW4: evil assertion wraps the signed assertion (child at the end)', 'sp', evilWrapsSigned),
  xsw('XSW4b: evil assertion holds the signed one in saml:Advice', 'sp', (p) => {
    p.response.replaceChild(p.evil, p.assertion);
    const advice = element(p.doc, NS.saml, 'saml:Advice');
    advice.appendChild(p.assertion);
    p.evil.insertBefore(advice, p.evil.getElementsByTagNameNS(NS.saml, 'AttributeStatement')[0] ?? null);
  }),
  xsw('XSW5: evil assertion (same ID) carries the signature, unsigned original copy at the end', 'sp', (p) => {
    const { copy } = evilTakesSignature(p);
    p.response.replaceChild(p.evil, p.assertion);
    p.response.appendChild(copy);
  }),
  xsw('XSW6: evil assertion (same ID) carries the signature, original copy inside the Signature', 'sp', (p) => {
    const { copy, signature } = evilTakesSignature(p);
    signature.appendChild(copy);
    p.response.replaceChild(p.evil, p.assertion);
  }),
  xsw('XSW7: signed assertion moved into samlp:Extensions, evil assertion in its place', 'sp', signedIntoExtensions),
  xsw('XSW7b: evil assertion (same ID) with an Extensions child holding the signed assertion', 'sp', (p) => {
    p.response.replaceChild(sameId(p.evil, p.assertion), p.assertion);
    p.evil.appendChild(extensions(p.doc, p.assertion));
  }),
  xsw(
    'XSW7c: signed assertion in Extensions, evil assertion in its place, IdP-initiated',
    'idpInit',
    signedIntoExtensions,
  ),
  xsw('XSW8: evil assertion (same ID) with the signature, original copy in ds:Object', 'sp', (p) => {
    const { copy, signature } = evilTakesSignature(p);
    const object = element(p.doc, NS.ds, 'ds:Object');
    object.appendChild(copy);
    signature.appendChild(object);
    p.response.replaceChild(p.evil, p.assertion);
  }),
  xsw('signature moved onto the evil assertion (new ID), original removed', 'sp', (p) => {
    moveSignature(p.assertion, p.evil);
    p.response.replaceChild(p.evil, p.assertion);
  }),
  xsw('signed assertion hidden in samlp:StatusDetail, evil assertion in its place', 'sp', (p) => {
    p.response.replaceChild(p.evil, p.assertion);
    const detail = element(p.doc, NS.samlp, 'samlp:StatusDetail');
    detail.appendChild(p.assertion);
    (p.response.getElementsByTagNameNS(NS.samlp, 'Status')[0] as Element).appendChild(detail);
  }),
  xsw(
    'evil assertion added beside the assertion of a signed Response (both signed)',
    'sp',
    (p) => p.response.insertBefore(p.evil, p.assertion),
    { signResponse: true, signAssertion: true },
  ),
  xsw(
    'signed Response: evil assertion replaces the signed one',
    'respOnly',
    (p) => p.response.replaceChild(p.evil, p.assertion),
    { signResponse: true, signAssertion: false },
  ),
  attack(
    'XSW4 inside an EncryptedAssertion: evil assertion wraps the signed one, then encrypted',
    [...SIGNATURE_CODES, 'SAML_DECRYPTION_FAILED'],
    async (ctx) => {
      const p = await parts(ctx, 'sp');
      evilWrapsSigned(p);
      return ctx.postXml(
        'sp',
        await encryptAssertionInResponse(serialize(p.doc), { certificate: fixtureKeys.sp.certificate }),
      );
    },
  ),
  insideSignature(
    "evil assertion inside the signed assertion's ds:Object (outside the signed bytes)",
    (signature, evil, doc) => {
      const object = element(doc, NS.ds, 'ds:Object');
      object.appendChild(evil);
      signature.appendChild(object);
    },
  ),
  insideSignature("evil assertion inside the signed assertion's ds:KeyInfo", (signature, evil) => {
    (signature.getElementsByTagNameNS(NS.ds, 'KeyInfo')[0] as Element).appendChild(evil);
  }),
];

/** XSW1/XSW2 rebuild the whole document around the signed Response (respOnly: a signed Response suffices there). */
function responseXsw(name: string, placement: 'inside-signature' | 'before-signature'): SecurityCase {
  return attack(name, SIGNATURE_CODES, async (ctx) => {
    const inResponseTo = await ctx.apps.respOnly.startLogin(ctx.victim('respOnly'));
    const original = parse(
      await ctx.responseXml('respOnly', { signResponse: true, signAssertion: false, inResponseTo }),
    );
    const evilDoc = parse(evilResponseXml(ctx, 'respOnly', inResponseTo));
    const evilResponse = evilDoc.documentElement;
    const signature = evilDoc.importNode(signatureOf(original.documentElement), true) as Element;
    insertAfter(signature, issuerOf(evilResponse));
    const originalCopy = unsignedCopy(evilDoc, original.documentElement);
    if (placement === 'inside-signature') signature.appendChild(originalCopy);
    else evilResponse.insertBefore(originalCopy, signature);
    return ctx.postXml('respOnly', withEvil(serialize(evilDoc)));
  });
}
