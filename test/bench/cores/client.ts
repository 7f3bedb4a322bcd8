// The benchmark's HTTP client for spawned copies: a plain request, responses signed for fresh
// AuthnRequests (GET /login first, its cookies kept), the ACS POST, and the batch runner that
// keeps `concurrency` requests in flight.
import http from 'node:http';
import { authnRequestIdOf } from '../../support/http-flow.ts';
import { aSamlResponse } from '../../support/sign-response.ts';
import { IDP, type Spawned } from './copies.ts';

export interface Sample {
  response: string;
  form: Buffer;
  cookie: string;
}

export function request(
  port: number,
  path: string,
  options: {
    method?: string;
    agent?: http.Agent | false;
    headers?: http.OutgoingHttpHeaders;
    body?: Buffer | string;
  } = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: options.method ?? 'GET',
        agent: options.agent,
        headers: options.headers,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

const cookiesOf = (headers: http.IncomingHttpHeaders): string =>
  (headers['set-cookie'] ?? []).map((c) => c.split(';')[0] ?? '').join('; ');

export async function signSamples(s: Spawned, count: number, agent: http.Agent): Promise<Sample[]> {
  return signSamplesAt(s.service.port, `${s.service.baseUrl}/saml/acs/${IDP}`, count, agent);
}

/** `count` responses, each answering a fresh AuthnRequest started with GET /login on `port`, for `acsUrl`. */
export async function signSamplesAt(port: number, acsUrl: string, count: number, agent: http.Agent): Promise<Sample[]> {
  const samples: Sample[] = [];
  for (let i = 0; i < count; i++) {
    const res = await request(port, `/login/${IDP}`, { agent });
    if (res.status !== 302) throw new Error(`GET /login answered ${res.status}`);
    const inResponseTo = authnRequestIdOf(String(res.headers.location));
    const response = aSamlResponse({ destination: acsUrl, recipient: acsUrl, inResponseTo });
    samples.push({
      response,
      form: Buffer.from(new URLSearchParams({ SAMLResponse: response, RelayState: '/' }).toString()),
      cookie: cookiesOf(res.headers),
    });
  }
  return samples;
}

export async function postAcs(port: number, sample: Sample, agent: http.Agent): Promise<string> {
  const res = await request(port, `/saml/acs/${IDP}`, {
    method: 'POST',
    agent,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'content-length': sample.form.length,
      cookie: sample.cookie,
    },
    body: sample.form,
  });
  if (res.status !== 303) throw new Error(`ACS answered ${res.status}: ${res.body.slice(0, 300)}`);
  return cookiesOf(res.headers);
}

export async function runBatch<T>(
  items: T[],
  concurrency: number,
  job: (item: T) => Promise<unknown>,
): Promise<number> {
  let next = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await job(items[next++] as T);
    }),
  );
  return Number(process.hrtime.bigint() - start) / 1e9;
}
