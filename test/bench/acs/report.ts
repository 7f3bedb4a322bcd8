// What the in-process part prints: its header (machine, store, options), the table of sides by
// concurrency, and the ratios and ms/response differences between sides. Figures are explained in
// bench/README.md ("Reading the output").
import { cpus, tmpdir } from 'node:os';
import { aSamlResponse } from '../../support/sign-response.ts';
import { args, CONCURRENCY, LOG_LEVEL } from './args.ts';
import { IDP, sqliteSynchronousRule, type Service } from './service.ts';
import { SIDES, type Side } from './sides.ts';

export interface Tally {
  responses: number;
  seconds: number;
  /** responses/s of each round, for the spread column. */
  rates: number[];
}

/** The lines before signing: the machine, the store's `synchronous` level, logging, responses, options. */
export function printHeader(service: Service, dir: string): void {
  console.log(
    `redshift-sso ACS benchmark: node ${process.version}, ${cpus().length} CPU(s) (${cpus()[0]?.model ?? '?'})`,
  );
  const sync = sqliteSynchronousRule(dir);
  const level = args['fresh-db']
    ? `${sync.fresh} (new file, --fresh-db)`
    : `${sync.reopened} (existing file, as after a restart)`;
  console.log(`SQLite store: file in ${tmpdir()}, WAL, synchronous=${level}; 2=FULL, 1=NORMAL`);
  console.log(
    `service log level: ${LOG_LEVEL} (to /dev/null); STS: in-process fake; ACS rate limit raised (one client IP), limiter still runs`,
  );
  const size = aSamlResponse({ destination: service.app.sp.acsUrl(IDP), inResponseTo: '_size-probe' }).length;
  console.log(`responses: signed assertion (RSA-SHA256, exclusive c14n), unsigned Response, ${size} base64 characters`);
  const idp = service.app.sp.idp(IDP);
  console.log(
    `node-saml options on both sides: same IdP cert and issuer, wantAssertionsSigned ${idp.wantAssertionsSigned}, audience false, ` +
      `acceptedClockSkewMs ${idp.clockSkewSeconds * 1000}; validateInResponseTo: service always (SQLite cache), bare never`,
  );
}

export function printTable(tallies: Map<string, Tally>): void {
  const rows = [...tallies].map(([key, t]) => {
    const [side, c] = key.split('@') as [Side, string];
    const mean = t.rates.reduce((a, b) => a + b, 0) / t.rates.length;
    const sd = Math.sqrt(t.rates.reduce((a, r) => a + (r - mean) ** 2, 0) / Math.max(1, t.rates.length - 1));
    return [
      SIDES[side],
      c,
      String(t.responses),
      t.seconds.toFixed(3),
      (t.responses / t.seconds).toFixed(0),
      ((t.seconds * 1000) / t.responses).toFixed(3),
      `${((100 * sd) / mean).toFixed(1)}%`,
    ];
  });
  rows.sort(
    (a, b) =>
      Number(a[1]) - Number(b[1]) ||
      Object.values(SIDES).indexOf(a[0] as never) - Object.values(SIDES).indexOf(b[0] as never),
  );
  const head = ['side', 'conc', 'responses', 'seconds', 'responses/s', 'ms/response', 'sd/round'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  console.log('');
  console.log(line(head));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const r of rows) console.log(line(r));
}

function signed(ms: number): string {
  return `${ms >= 0 ? '+' : ''}${ms.toFixed(3)}`;
}

/** The headline ratio, then per concurrency level the ratios between sides and their ms/response gaps. */
export function printRatios(tallies: Map<string, Tally>): void {
  const c0 = CONCURRENCY[0] ?? 1;
  const rate = (side: Side, c: number): number => {
    const t = tallies.get(`${side}@${c}`);
    return t === undefined ? NaN : t.responses / t.seconds;
  };
  const ratio = (a: Side, b: Side, c: number): string => (rate(a, c) / rate(b, c)).toFixed(2);
  // Per-round ratios pair batches run moments apart, so they resist background load better.
  const roundRatios = (a: Side, b: Side, c: number): string => {
    const ra = tallies.get(`${a}@${c}`)?.rates ?? [];
    const rb = tallies.get(`${b}@${c}`)?.rates ?? [];
    const ratios = ra.map((r, i) => r / (rb[i] ?? NaN)).sort((x, y) => x - y);
    const median =
      ratios.length % 2 === 1
        ? (ratios[(ratios.length - 1) / 2] ?? NaN)
        : ((ratios[ratios.length / 2 - 1] ?? NaN) + (ratios[ratios.length / 2] ?? NaN)) / 2;
    return `median of ${ratios.length} per-round ratios ${median.toFixed(2)}, range ${(ratios[0] ?? NaN).toFixed(2)}-${(ratios[ratios.length - 1] ?? NaN).toFixed(2)}`;
  };
  const ms = (side: Side, c: number): number => 1000 / rate(side, c);
  const ran = (side: Side, c: number): boolean => tallies.has(`${side}@${c}`);
  console.log('');
  if (ran('http', c0) && ran('bare', c0)) {
    console.log(
      `ratio (service / bare node-saml): ${ratio('http', 'bare', c0)}   [service = HTTP ACS, bare = InResponseTo never, concurrency ${c0}]`,
    );
  }
  for (const c of CONCURRENCY) {
    const lines: string[] = [];
    if (ran('http', c) && ran('bare', c))
      lines.push(`HTTP ACS / bare ${ratio('http', 'bare', c)} (${roundRatios('http', 'bare', c)})`);
    if (ran('inproc', c) && ran('bare', c))
      lines.push(`in-process / bare ${ratio('inproc', 'bare', c)} (${roundRatios('inproc', 'bare', c)})`);
    if (ran('http', c) && ran('bareIrt', c))
      lines.push(`HTTP ACS / bare with InResponseTo cache ${ratio('http', 'bareIrt', c)}`);
    const costs: string[] = [];
    if (ran('inproc', c) && ran('bare', c)) costs.push(`in-process - bare ${signed(ms('inproc', c) - ms('bare', c))}`);
    if (ran('http', c) && ran('inproc', c))
      costs.push(`HTTP ACS - in-process ${signed(ms('http', c) - ms('inproc', c))}`);
    if (ran('floor', c)) costs.push(`no-op route (HTTP floor) ${ms('floor', c).toFixed(3)}`);
    if (lines.length > 0) console.log(`  concurrency ${c}:\n    ${lines.join('\n    ')}`);
    if (costs.length > 0) console.log(`    ms/response: ${costs.join('; ')}`);
  }
}
