// Small assertion helpers for unit tests: capture what a function threw so a test can check its
// code and status (STYLE.md: assert on error.code and status, not on message text).
import assert from 'node:assert/strict';
import { AppError } from '../../src/errors.ts';

/** The error `fn` throws; fails the test when it returns normally. */
export function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  assert.fail('expected the call to throw');
}

/** The error `promise` rejects with; fails the test when it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  assert.fail('expected the promise to reject');
}

/** Asserts `err` is an AppError with this code (and status, when given) and returns it. */
export function assertAppError(err: unknown, code: string, status?: number): AppError {
  assert.ok(err instanceof AppError, `expected an AppError, got ${String(err)}`);
  assert.equal(err.code, code, `code (message: ${err.publicMessage})`);
  if (status !== undefined) assert.equal(err.status, status, 'status');
  return err;
}
