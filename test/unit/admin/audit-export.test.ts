// The audit filter from a query string (every value checked, problems named per field, never a
// silently dropped filter) and the export lines (CSV cells a spreadsheet would evaluate neutralised).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AUDIT_CSV_HEADER, auditCsvLine, auditJsonLine, parseAuditFilter } from '../../../src/audit/audit-export.ts';

const fieldsOf = (query: Record<string, unknown>) => parseAuditFilter(query).problems.map((p) => p.field);

describe('parseAuditFilter', () => {
  it('reads user, IdP, cluster, outcome and the time range', () => {
    const { filter, problems } = parseAuditFilter({
      user: ' alice ',
      idp: 'corp',
      cluster: 'warehouse',
      outcome: 'refused',
      from: '2026-01-01',
      to: '2026-01-31T13:45',
    });
    assert.deepEqual(problems, []);
    assert.deepEqual(filter, {
      user: 'alice',
      idpId: 'corp',
      clusterId: 'warehouse',
      outcome: 'refused',
      from: new Date('2026-01-01T00:00:00Z'),
      to: new Date('2026-01-31T13:45:00Z'),
    });
  });

  it('treats empty fields as no filter', () => {
    const { filter, problems } = parseAuditFilter({ user: '', idp: '  ', cluster: '', outcome: '', from: '', to: '' });
    assert.deepEqual(problems, []);
    assert.deepEqual(
      Object.values(filter).filter((v) => v !== undefined),
      [],
    );
  });

  it('reads times as UTC unless they carry a zone, and a date-only To as the end of that day', () => {
    const { filter } = parseAuditFilter({ from: '2026-03-01T08:00:00.250', to: '2026-03-01' });
    assert.deepEqual(filter.from, new Date('2026-03-01T08:00:00.250Z'));
    assert.deepEqual(filter.to, new Date('2026-03-02T00:00:00Z'));
    assert.deepEqual(
      parseAuditFilter({ from: '2026-03-01T08:00+02:00' }).filter.from,
      new Date('2026-03-01T06:00:00Z'),
    );
    assert.deepEqual(parseAuditFilter({ from: '2026-03-01 08:00Z' }).filter.from, new Date('2026-03-01T08:00:00Z'));
  });

  it('names every value it cannot use, by field', () => {
    assert.deepEqual(fieldsOf({ outcome: 'maybe' }), ['outcome']);
    for (const bad of [
      'yesterday',
      '1',
      '2026-13-01',
      '2026-02-30',
      '2026-01-01T25:00',
      '01/02/2026',
      '2026-01-01T10:00:00.1234',
      '2026-1-1',
    ]) {
      assert.deepEqual(fieldsOf({ from: bad }), ['from'], bad);
    }
    assert.deepEqual(fieldsOf({ from: '2026-02-01', to: '2026-01-01' }), ['to'], 'To before From');
    assert.deepEqual(fieldsOf({ from: '2026-01-01T10:00', to: '2026-01-01T10:00' }), ['to'], 'an empty range');
    assert.deepEqual(fieldsOf({ user: 'x'.repeat(201) }), ['user'], 'too long is refused, not cut');
    assert.deepEqual(fieldsOf({ idp: ['a', 'b'] }), ['idp'], 'a repeated parameter');
    assert.deepEqual(fieldsOf({ cluster: { nested: 'x' } }), ['cluster']);
    assert.deepEqual(
      fieldsOf({ outcome: 'x', from: 'x', to: 'x', user: 'ok' }).sort(),
      ['from', 'outcome', 'to'],
      'all of them at once',
    );
    const [problem] = parseAuditFilter({ to: 'soon' }).problems;
    assert.match(problem?.message ?? '', /2026-01-31/, 'the message shows the expected form');
  });

  it('drops a refused value from the filter, so nothing is half-applied', () => {
    const { filter } = parseAuditFilter({ outcome: 'maybe', from: 'x', user: 'y'.repeat(300) });
    assert.equal(filter.outcome, undefined);
    assert.equal(filter.from, undefined);
    assert.equal(filter.user, undefined);
  });
});

describe('audit export lines', () => {
  it('writes a CSV line per event, in the header order, CRLF-terminated', () => {
    const line = auditCsvLine({
      at: new Date('2026-01-01T00:00:00Z'),
      kind: 'login',
      outcome: 'ok',
      idpId: 'corp',
      nameId: 'a,b "c"',
      awsRequestIds: ['r1', 'r2'],
    });
    assert.equal(AUDIT_CSV_HEADER.split(',').length, line.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/).length);
    assert.equal(line, '2026-01-01T00:00:00.000Z,login,ok,,corp,"a,b ""c""",,,,,,,,r1 r2,,\r\n');
  });

  it('neutralises cells a spreadsheet would evaluate', () => {
    for (const formula of ['=1+1', '+1', '-1', '@SUM(A1)', '\t=1', '\r=1']) {
      const line = auditCsvLine({ at: new Date(0), kind: 'login', outcome: 'ok', userAgent: formula });
      assert.ok(line.includes(`'${formula}`), JSON.stringify(formula));
    }
  });

  it('writes one JSON object per line', () => {
    assert.equal(
      auditJsonLine({ at: new Date(0), kind: 'logout', outcome: 'ok' }),
      '{"at":"1970-01-01T00:00:00.000Z","kind":"logout","outcome":"ok"}\n',
    );
  });
});
