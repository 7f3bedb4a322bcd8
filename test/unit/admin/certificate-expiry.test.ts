// Days to expiry of IdP signing certificates, the 30-day warning threshold, and the daily log check
// run on an injected clock and hand-fired timers: nothing logged while a certificate is far from
// its end, a warning every day from 30 days before, "has expired" after, nothing once stopped.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { certificateExpiries, DAY_MS, startCertificateExpiryLog } from '../../../src/admin/certificate-expiry.ts';
import { createLogger } from '../../../src/logger.ts';
import { generateCert } from '../../support/admin-certs.ts';
import { fakeTimers } from '../../support/fake-timers.ts';

const T0 = new Date('2030-01-01T00:00:00Z');

describe('certificate expiry', () => {
  let pem: string;
  const notAfter = new Date(T0.getTime() + 45 * DAY_MS);
  before(async () => {
    pem = (await generateCert('expiring', { notBefore: new Date(T0.getTime() - DAY_MS), notAfter })).certificate;
  });

  it('counts whole days left and warns from exactly 30 days before the end', () => {
    const at = (msBeforeEnd: number) =>
      certificateExpiries([{ id: 'corp', name: 'Corp', certs: [pem] }], new Date(notAfter.getTime() - msBeforeEnd))[0];
    assert.deepEqual([at(30 * DAY_MS + 1000)?.days, at(30 * DAY_MS + 1000)?.warn], [30, false]);
    assert.deepEqual([at(30 * DAY_MS)?.days, at(30 * DAY_MS)?.warn], [30, true]);
    assert.deepEqual([at(10 * DAY_MS)?.days, at(10 * DAY_MS)?.warn, at(10 * DAY_MS)?.expired], [10, true, false]);
    assert.deepEqual([at(-1000)?.days, at(-1000)?.warn, at(-1000)?.expired], [-1, true, true]);
  });

  it('logs a warning at each daily check from 30 days before, then that it expired, and stops cleanly', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString('utf8').split('\n'))
          if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    let now = T0;
    const timers = fakeTimers();
    const log = startCertificateExpiryLog({
      idps: () => Promise.resolve([{ id: 'corp', name: 'Corp', certs: [pem] }]),
      now: () => now,
      logger: createLogger({ level: 'info' }, sink),
      timers: timers.timers,
    });
    assert.deepEqual(
      timers.pending.map((t) => t.ms),
      [60_000],
      'the first check a minute after start',
    );
    const daily: string[] = [];
    for (const day of [0, 14, 15, 16, 44, 46]) {
      now = new Date(T0.getTime() + day * DAY_MS);
      const before = lines.length;
      await timers.fire();
      assert.deepEqual(
        timers.pending.map((t) => t.ms),
        [DAY_MS],
        'the next check a day later',
      );
      daily.push(
        lines
          .slice(before)
          .map((l) => `${String(l.msg)} (${String(l.daysLeft)})`)
          .join('; '),
      );
    }
    assert.deepEqual(daily, [
      '',
      '',
      'IdP signing certificate expires in 30 days (30)',
      'IdP signing certificate expires in 29 days (29)',
      'IdP signing certificate expires in 1 day (1)',
      'IdP signing certificate has expired (-1)',
    ]);
    log.stop();
    assert.equal(timers.pending.length, 0, 'stop clears the pending check');
  });
});
