// What every fuzz-*.test.ts file does around its properties: a fixed seed on request, a crash
// recorder for the whole run, one tally of outcomes printed at the end, and a last test that the
// endpoint got enough inputs with no 5xx, no input over its time bound and nothing left crashing.
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { installCrashRecorder, summary, tally, type EndpointTally } from './support-fuzz-http.ts';

// FUZZ_SEED=<n> replays a run: fast-check prints the seed with any failure.
if (process.env.FUZZ_SEED !== undefined) fc.configureGlobal({ seed: Number(process.env.FUZZ_SEED) });

export const MIN_INPUTS_PER_ENDPOINT = 5_000;

export interface FuzzedEndpoint {
  tally: EndpointTally;
  /** Registers the closing test; call it last in the describe, after the properties. */
  itReceivedEnoughInputs(): void;
}

/** Registers the crash recorder and the summary line on the enclosing describe. */
export function fuzzEndpoint(endpoint: string): FuzzedEndpoint {
  const count = tally();
  let recorder: ReturnType<typeof installCrashRecorder> | undefined;
  before(() => {
    recorder = installCrashRecorder();
  });
  after(() => {
    recorder?.uninstall();
    console.log(summary(endpoint, count));
  });
  return {
    tally: count,
    itReceivedEnoughInputs() {
      it(`sends at least ${MIN_INPUTS_PER_ENDPOINT} inputs to ${endpoint}, with no unhandled rejection or uncaught exception`, () => {
        assert.deepEqual(recorder?.crashes, [], 'no unhandled rejection or uncaught exception while fuzzing');
        assert.ok(
          count.inputs >= MIN_INPUTS_PER_ENDPOINT,
          `${endpoint}: ${count.inputs} inputs, expected at least ${MIN_INPUTS_PER_ENDPOINT}`,
        );
        assert.equal(count.serverErrors, 0, `${endpoint}: server errors`);
        assert.equal(count.slow, 0, `${endpoint}: inputs over the time bound`);
      });
    },
  };
}
