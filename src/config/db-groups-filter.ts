// The `dbGroupsFilter` of a cluster, checked and evaluated with RE2 (re2js): an admin's pattern
// runs in time linear in the group name, so no pattern can stall the event loop the way a
// backtracking engine does on `(a+)+$`. RE2 has no backreferences or lookaround; such patterns
// are refused when saved.
import { RE2JS } from 're2js';

const compiled = new Map<string, RE2JS>();
const MAX_CACHED = 256;

/** Why `pattern` is not valid RE2 syntax, or undefined when it is. */
export function dbGroupsFilterProblem(pattern: string): string | undefined {
  try {
    RE2JS.compile(pattern);
    return undefined;
  } catch (err) {
    const reason = err instanceof Error ? err.message.replace(/^error parsing regexp: /, '') : 'invalid';
    return `expected an RE2 regular expression (no backreferences or lookaround): ${reason}`;
  }
}

/** Keeps the groups whose whole name matches `pattern`. */
export function filterDbGroups(pattern: string, groups: readonly string[]): string[] {
  let re = compiled.get(pattern);
  if (re === undefined) {
    re = RE2JS.compile(pattern);
    // Patterns come from the configuration and the console: few, but never let the cache grow unbounded.
    if (compiled.size >= MAX_CACHED) compiled.clear();
    compiled.set(pattern, re);
  }
  const matcher = re;
  return groups.filter((group) => matcher.matches(group));
}
