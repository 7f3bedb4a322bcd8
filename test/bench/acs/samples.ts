// The pre-signed responses the in-process part posts: each answers its own AuthnRequest, started
// with GET /login/:idp as a browser would (so the service stores its ID), and is signed before any
// timing. Also the proof that the measured path refuses reposts, replays and unknown requests.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { inflateRawSync } from 'node:zlib';
import { aSamlResponse } from '../../support/sign-response.ts';
import { IDP, type Service } from './service.ts';

export interface Sample {
  requestId: string;
  /** Base64 SAMLResponse as the IdP posts it. */
  response: string;
  /** The urlencoded form body the browser posts to the ACS. */
  form: Buffer;
  /** Cookies GET /login/:idp set (the login binding on HTTPS), sent back with the form. */
  cookie: string;
}

/** GET /login/:idp as a browser would: the AuthnRequest ID (stored by the service) and the cookies. */
async function startSignIn(service: Service, agent: http.Agent): Promise<{ requestId: string; cookie: string }> {
  const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: service.port,
        path: `/login/${IDP}`,
        agent,
        headers: { 'x-forwarded-proto': 'https' },
      },
      resolve,
    );
    req.on('error', reject);
    req.end();
  });
  res.resume();
  const location = res.headers.location;
  if (res.statusCode !== 302 || location === undefined)
    throw new Error(`GET /login/${IDP} answered ${res.statusCode ?? '?'}`);
  const request = new URL(location).searchParams.get('SAMLRequest');
  if (request === null) throw new Error('no SAMLRequest in the sign-in redirect');
  const requestId = /\sID="([^"]+)"/.exec(inflateRawSync(Buffer.from(request, 'base64')).toString('utf8'))?.[1];
  if (requestId === undefined) throw new Error('no ID in the AuthnRequest');
  const cookie = (res.headers['set-cookie'] ?? []).map((c) => c.split(';')[0] ?? '').join('; ');
  return { requestId, cookie };
}

export async function signSamples(service: Service, agent: http.Agent, count: number): Promise<Sample[]> {
  const acsUrl = service.app.sp.acsUrl(IDP);
  const samples: Sample[] = [];
  for (let i = 0; i < count; i++) {
    const { requestId, cookie } = await startSignIn(service, agent);
    // Distinct random assertion IDs (the default), so the replay cache accepts each once.
    const response = aSamlResponse({ destination: acsUrl, recipient: acsUrl, inResponseTo: requestId });
    const form = Buffer.from(new URLSearchParams({ SAMLResponse: response, RelayState: '/' }).toString());
    samples.push({ requestId, response, form, cookie });
  }
  return samples;
}

/** Proves the measured path really checks InResponseTo and replay: both refusals must happen. */
export async function checksAreLive(service: Service, agent: http.Agent): Promise<string> {
  const sp = service.app.sp;
  const acsUrl = sp.acsUrl(IDP);
  const refusal = async (response: string): Promise<string> => {
    try {
      await sp.validateResponse(IDP, response);
      return 'ACCEPTED';
    } catch (err) {
      return (err as { code?: string }).code ?? String(err);
    }
  };
  const assertionId = `_bench-replay-${randomBytes(8).toString('hex')}`;
  const first = aSamlResponse({
    destination: acsUrl,
    inResponseTo: (await startSignIn(service, agent)).requestId,
    assertionId,
  });
  const again = aSamlResponse({
    destination: acsUrl,
    inResponseTo: (await startSignIn(service, agent)).requestId,
    assertionId,
  });
  const accepted = await refusal(first);
  const reused = await refusal(first);
  const replayed = await refusal(again);
  const unknown = await refusal(aSamlResponse({ destination: acsUrl, inResponseTo: '_never-sent' }));
  if (
    accepted !== 'ACCEPTED' ||
    reused === 'ACCEPTED' ||
    replayed !== 'SAML_REPLAYED' ||
    unknown !== 'SAML_IN_RESPONSE_TO_UNKNOWN'
  ) {
    throw new Error(
      `the service's checks are not what this benchmark expects: first ${accepted}, reposted ${reused}, replayed ${replayed}, unknown request ${unknown}`,
    );
  }
  return `reposted response -> ${reused}, new request + used assertion ID -> ${replayed}, unknown InResponseTo -> ${unknown}`;
}

export class SamplePool {
  private next = 0;
  constructor(private readonly samples: Sample[]) {}
  take(count: number): Sample[] {
    if (this.next + count > this.samples.length) throw new Error('sample pool exhausted');
    const batch = this.samples.slice(this.next, this.next + count);
    this.next += count;
    return batch;
  }
}
