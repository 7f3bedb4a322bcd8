// The absolute end of a session: from sign-in, at most the configured lifetime, never past the
// IdP's SessionNotOnOrAfter, a lowered lifetime applying to sessions already signed in, and a
// session whose start cannot be read counting as ended.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { newSessionEnd, sessionEndsAt } from '../../../src/sign-in/session-lifetime.ts';

const T0 = new Date('2030-01-01T08:00:00.000Z');
const at = (hours: number) => new Date(T0.getTime() + hours * 3_600_000);

describe('newSessionEnd', () => {
  const cases: Array<{ name: string; lifetimeHours: number; idpEnd?: Date; expected: Date }> = [
    { name: 'the lifetime when the IdP names no end', lifetimeHours: 12, expected: at(12) },
    { name: 'the IdP’s SessionNotOnOrAfter when it is earlier', lifetimeHours: 12, idpEnd: at(2), expected: at(2) },
    { name: 'the lifetime when the IdP allows longer', lifetimeHours: 8, idpEnd: at(24), expected: at(8) },
  ];
  for (const c of cases)
    it(`is ${c.name}`, () => assert.deepEqual(newSessionEnd(T0, c.lifetimeHours * 3600, c.idpEnd), c.expected));
});

describe('sessionEndsAt', () => {
  const cases: Array<{
    name: string;
    times: { signedInAt: string; sessionExpiresAt?: string };
    lifetimeHours: number;
    expected: Date;
  }> = [
    {
      name: 'the recorded end',
      times: { signedInAt: T0.toISOString(), sessionExpiresAt: at(2).toISOString() },
      lifetimeHours: 12,
      expected: at(2),
    },
    {
      name: 'sign-in plus a lifetime lowered since',
      times: { signedInAt: T0.toISOString(), sessionExpiresAt: at(12).toISOString() },
      lifetimeHours: 1,
      expected: at(1),
    },
    {
      name: 'sign-in plus the lifetime for a session from before absolute lifetimes',
      times: { signedInAt: T0.toISOString() },
      lifetimeHours: 12,
      expected: at(12),
    },
    {
      name: 'sign-in plus the lifetime when the recorded end is unreadable',
      times: { signedInAt: T0.toISOString(), sessionExpiresAt: 'soon' },
      lifetimeHours: 12,
      expected: at(12),
    },
    {
      name: 'already over when the sign-in time is unreadable',
      times: { signedInAt: 'yesterday' },
      lifetimeHours: 12,
      expected: new Date(0),
    },
  ];
  for (const c of cases)
    it(`is ${c.name}`, () => assert.deepEqual(sessionEndsAt(c.times, c.lifetimeHours * 3600), c.expected));
});
