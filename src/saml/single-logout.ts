// Single Logout with one IdP connection: our LogoutRequest out, the IdP's LogoutRequest or
// LogoutResponse in (HTTP-Redirect or HTTP-POST), our LogoutResponse back. node-saml accepts an
// unsigned Redirect-binding message, SHA-1 query signatures and inflates without a limit; this
// module adds those checks before handing the message over.
import { inflateRawSync } from 'node:zlib';
import type { Profile } from '@node-saml/node-saml';
import { AssertionRejected } from '../errors.ts';
import { toAssertionRejected } from './errors.ts';
import { checkSignatureAlgorithms } from './signature-policy.ts';
import { MAX_SAML_RESPONSE_LENGTH, type ServiceProvider } from './service-provider.ts';

// A logout message is a few kilobytes; this bounds what a deflate bomb can make us allocate.
const MAX_INFLATED_BYTES = 256 * 1024;

export interface LogoutSubject {
  nameId: string;
  nameIdFormat?: string;
  sessionIndex?: string;
}

export interface LogoutMessage {
  binding: 'redirect' | 'post';
  fields: Record<string, unknown>;
  /** The raw query string (Redirect binding): its exact bytes are what the IdP signed. */
  rawQuery?: string;
}

export type LogoutOutcome =
  { kind: 'response' } | { kind: 'request'; nameId: string; sessionIndex?: string; request: Profile };

export class SingleLogout {
  constructor(private readonly sp: ServiceProvider) {}

  /** SP-initiated: the IdP URL carrying a LogoutRequest, when the IdP has an SLO endpoint. */
  async logoutRedirectUrl(idpId: string, subject: LogoutSubject, relayState: string): Promise<string | undefined> {
    // No SLO endpoint, or the connection is gone (removed in the console; a setup-token session).
    if (this.sp.listIdps().find((i) => i.id === idpId)?.sloUrl === undefined) return undefined;
    const profile = {
      issuer: this.sp.entityId,
      nameID: subject.nameId,
      nameIDFormat: subject.nameIdFormat ?? 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
      sessionIndex: subject.sessionIndex,
    };
    return this.sp.samlFor(idpId).getLogoutUrlAsync(profile, relayState, {});
  }

  async validateLogoutMessage(idpId: string, message: LogoutMessage): Promise<LogoutOutcome> {
    const idp = this.sp.idp(idpId);
    const fields = message.fields;
    const kind = messageKind(fields);
    const encoded = String(kind === 'request' ? fields.SAMLRequest : fields.SAMLResponse);
    if (encoded.length > MAX_SAML_RESPONSE_LENGTH) {
      throw new AssertionRejected({
        code: 'SAML_RESPONSE_TOO_LARGE',
        status: 413,
        publicMessage: `The SAML message is larger than ${MAX_SAML_RESPONSE_LENGTH} characters.`,
      });
    }
    if (message.binding === 'redirect') {
      checkInflatedSize(encoded);
      if (typeof fields.Signature !== 'string') {
        if (idp.wantLogoutSigned)
          throw new AssertionRejected({
            code: 'SAML_LOGOUT_UNSIGNED',
            publicMessage: 'This identity provider must sign its logout messages, and this one is not signed.',
          });
      } else {
        checkSignatureAlgorithms([String(fields.SigAlg ?? '')], idp.allowSha1Signatures);
      }
    }
    const saml = this.sp.samlFor(idpId);
    try {
      const container = Object.fromEntries(
        Object.entries(fields).filter((e): e is [string, string] => typeof e[1] === 'string'),
      );
      const result =
        message.binding === 'redirect'
          ? await saml.validateRedirectAsync(container, message.rawQuery ?? '')
          : kind === 'request'
            ? await saml.validatePostRequestAsync(container)
            : await saml.validatePostResponseAsync(container);
      if (kind === 'response') return { kind };
      const profile = result.profile;
      if (profile === null || profile === undefined) throw new Error('Missing SAML NameID');
      return { kind, nameId: profile.nameID, sessionIndex: profile.sessionIndex, request: profile };
    } catch (err) {
      if (err instanceof AssertionRejected) throw err;
      const rejected = toAssertionRejected(err);
      const generic = rejected.code === 'SAML_INVALID';
      throw new AssertionRejected({
        code: generic ? 'SAML_LOGOUT_INVALID' : rejected.code,
        publicMessage: generic ? 'The logout message could not be validated.' : rejected.publicMessage,
        cause: err,
        details: rejected.details,
      });
    }
  }

  /** Our LogoutResponse to an IdP-initiated LogoutRequest, as an IdP URL. */
  async logoutResponseRedirectUrl(
    idpId: string,
    request: Profile,
    relayState: string,
    success: boolean,
  ): Promise<string> {
    return this.sp.samlFor(idpId).getLogoutResponseUrlAsync(request, relayState, {}, success);
  }
}

/** Whether the IdP sent a LogoutRequest or a LogoutResponse; refused when it sent neither. */
function messageKind(fields: Record<string, unknown>): 'request' | 'response' {
  const kind =
    typeof fields.SAMLRequest === 'string'
      ? 'request'
      : typeof fields.SAMLResponse === 'string'
        ? 'response'
        : undefined;
  if (kind === undefined)
    throw new AssertionRejected({
      code: 'SAML_LOGOUT_MISSING',
      status: 400,
      publicMessage: 'The request carries no SAMLRequest or SAMLResponse.',
    });
  return kind;
}

function checkInflatedSize(encoded: string): void {
  try {
    const xml = inflateRawSync(Buffer.from(encoded, 'base64'), { maxOutputLength: MAX_INFLATED_BYTES }).toString(
      'utf8',
    );
    if (/<!DOCTYPE/i.test(xml)) throw new Error('DOCTYPE');
  } catch {
    throw new AssertionRejected({
      code: 'SAML_MALFORMED',
      status: 400,
      publicMessage: `The SAML message is not valid deflated XML of at most ${MAX_INFLATED_BYTES} bytes (DOCTYPE declarations are refused).`,
    });
  }
}
