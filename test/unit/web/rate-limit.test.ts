// The rate-limit middleware on its own, driven with minimal request objects so a flood of tens of
// thousands of clients runs in a moment: no client's count is lost to make room for others.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Request, Response } from 'express';
import { rateLimit } from '../../../src/web/middleware/rate-limit.ts';
import { isAppError } from '../../../src/errors.ts';

const FLOOD = 60_000;

function fakeResponse(): Response {
  const headers = new Map<string, string>();
  return {
    headersSent: false,
    setHeader: (name: string, value: string) => headers.set(name.toLowerCase(), String(value)),
    getHeader: (name: string) => headers.get(name.toLowerCase()),
  } as unknown as Response;
}

/** Runs the middleware for one request from `ip`; resolves with what it passed to next(). */
function hit(middleware: ReturnType<typeof rateLimit>, ip: string): Promise<unknown> {
  const req = {
    ip,
    method: 'POST',
    url: '/saml/acs/corp',
    originalUrl: '/saml/acs/corp',
    headers: {},
    app: { get: () => false },
  } as unknown as Request;
  return new Promise((resolve, reject) => {
    Promise.resolve(middleware(req, fakeResponse(), (err?: unknown) => resolve(err))).catch(reject);
  });
}

function assertLimited(result: unknown): void {
  assert.ok(isAppError(result), `expected a refusal, got ${String(result)}`);
  assert.equal(result.code, 'RATE_LIMITED');
  assert.equal(result.status, 429);
  assert.ok(Number(result.details.retryAfterSeconds) >= 1);
}

describe('rateLimit', () => {
  it(`keeps a limited client limited while ${FLOOD} other clients arrive`, async () => {
    const limiter = rateLimit({ bucket: 'acs', limit: 2, windowMs: 60_000 });
    assert.equal(await hit(limiter, '198.51.100.7'), undefined);
    assert.equal(await hit(limiter, '198.51.100.7'), undefined);
    assertLimited(await hit(limiter, '198.51.100.7'));
    for (let i = 0; i < FLOOD; i++) {
      assert.equal(await hit(limiter, `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`), undefined);
    }
    assertLimited(await hit(limiter, '198.51.100.7'));
  });

  it('counts an IPv6 client by its subnet, an IPv4-mapped one by its IPv4 address', async () => {
    const limiter = rateLimit({ bucket: 'login', limit: 1, windowMs: 60_000, ipv6Subnet: 64 });
    assert.equal(await hit(limiter, '2001:db8:0:1::a'), undefined);
    assertLimited(await hit(limiter, '2001:db8:0:1:1234:5678:9abc:def0'));
    assert.equal(await hit(limiter, '2001:db8:0:2::a'), undefined, 'the next /64 is another client at /64');
    assert.equal(await hit(limiter, '::ffff:192.0.2.1'), undefined);
    assertLimited(await hit(limiter, '192.0.2.1'));
  });
});
