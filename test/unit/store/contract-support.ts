// What the Store contract files share: a fixed clock, audit event builder, and the `test` they
// receive from describeStoreContract (a fresh store per test, closed afterwards).
import type { AuditEvent, Store } from '../../../src/store/ports.ts';

export type StoreTest = (title: string, fn: (store: Store) => Promise<void>) => void;

export const T0 = new Date('2030-01-01T00:00:00.000Z');
export const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);

export const anEvent = (fields: Partial<AuditEvent> = {}): AuditEvent => ({
  at: T0,
  kind: 'login',
  outcome: 'ok',
  ...fields,
});
