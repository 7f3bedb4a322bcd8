// Builders the corpus files share: an attack case of one class, and the guard that makes a case
// fail loudly when its edit no longer finds what it rewrites (a silent no-op would be "refused"
// for the wrong reason, by an untouched valid response).
import type { CaseContext, SecurityCase } from './attack-runner.ts';

export type CaseRun = (ctx: CaseContext) => Promise<Response>;
export type AttackBuilder = (
  name: string,
  codes: readonly string[],
  run: CaseRun,
  statuses?: readonly number[],
) => SecurityCase;

/**
 * Attacks of `klass`: refused with one of `codes`, and with one of `statuses` (401 unless the
 * class or the case says otherwise; 'any 4xx' leaves the status open).
 */
export function attacksOf(klass: string, defaultStatuses: readonly number[] | 'any 4xx' = [401]): AttackBuilder {
  return (name, codes, run, statuses = defaultStatuses === 'any 4xx' ? undefined : defaultStatuses) => ({
    name,
    kind: 'attack',
    class: klass,
    codes,
    ...(statuses === undefined ? {} : { statuses }),
    run,
  });
}

export function mustChange(before: string, after: string): string {
  if (after === before) throw new Error('the edit changed nothing');
  return after;
}
