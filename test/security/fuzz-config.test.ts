// Property-based fuzzing of the configuration loader with what an operator's file and environment
// could hold: buildConfig returns a deeply frozen config or throws a ConfigError naming each
// problem as "path: message", within its time bound, for any input at all.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import fc from 'fast-check';
import { buildConfig } from '../../src/config/load.ts';
import { ConfigError } from '../../src/errors.ts';
import { countOutcome } from './support-fuzz-http.ts';
import { anyValue, environment, nearlyValidConfig, shapedConfig } from './support-config-fuzz.ts';
import { fuzzEndpoint } from './support-fuzz-suite.ts';

const CONFIG = 'buildConfig(input, env)';
/** buildConfig is synchronous: it cannot be aborted, only timed. */
const CONFIG_BOUND_MS = 1_000;

describe('fuzzing', () => {
  const fuzz = fuzzEndpoint(CONFIG);

  describe(CONFIG, () => {
    const problemFormat = /^(?:\(root\)|[A-Za-z]\w*(?:\[\d+\])*(?:\.[A-Za-z]\w*(?:\[\d+\])*)*): \S/;

    const checkConfig = (input: unknown, env: Record<string, string | undefined>): void => {
      const count = fuzz.tally;
      count.inputs += 1;
      const started = performance.now();
      let outcome: 'config' | 'refused' = 'refused';
      try {
        assertDeepFrozen(buildConfig(input, env));
        outcome = 'config';
        countOutcome(count, 'frozen config');
      } catch (err) {
        if (err instanceof assert.AssertionError) throw err;
        if (!(err instanceof ConfigError)) {
          count.serverErrors += 1;
          const e = err as Error;
          assert.fail(
            `buildConfig threw ${e?.name}: ${e?.message} instead of a ConfigError for input ${inspect(input, { depth: 6 })} and env ${inspect(env)}`,
          );
        }
        assert.equal(err.code, 'CONFIG_INVALID');
        countOutcome(count, 'ConfigError');
        assert.ok(Array.isArray(err.problems) && err.problems.length > 0, 'a ConfigError names its problems');
        for (const problem of err.problems) {
          assert.equal(typeof problem, 'string');
          assert.match(problem, problemFormat, `"path: message" for ${inspect(input, { depth: 6 })}`);
        }
      }
      const ms = performance.now() - started;
      if (ms > CONFIG_BOUND_MS) {
        count.slow += 1;
        assert.fail(`buildConfig took ${Math.round(ms)} ms (${outcome}) for ${inspect(input, { depth: 6 })}`);
      }
    };

    it('returns a frozen config or throws ConfigError for anything at all', () => {
      fc.assert(fc.property(anyValue, environment, checkConfig), { numRuns: 2000 });
    });

    it('returns a frozen config or throws ConfigError for schema-shaped input with random field types', () => {
      fc.assert(fc.property(shapedConfig, environment, checkConfig), { numRuns: 1500 });
    });

    it('returns a frozen config or throws ConfigError for a valid config with a field or two changed', () => {
      const fewOverrides = fc.oneof({ weight: 2, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: environment });
      fc.assert(fc.property(nearlyValidConfig, fewOverrides, checkConfig), { numRuns: 1500 });
    });
  });

  fuzz.itReceivedEnoughInputs();
});

function assertDeepFrozen(value: unknown, path = 'config'): void {
  if (typeof value !== 'object' || value === null) return;
  assert.ok(Object.isFrozen(value), `${path} is frozen`);
  for (const [key, child] of Object.entries(value)) assertDeepFrozen(child, `${path}.${key}`);
}
