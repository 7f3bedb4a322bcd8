// The console's audit trail: the filtered page and the CSV and JSON-lines exports. Exports stream
// page by page from the store and wait for the socket to drain, so a trail of millions of events
// leaves the process with one page in memory at a time. Mounted behind requireAdmin (admin.ts).
import { Router, type Response } from 'express';
import { BadRequest } from '../../../errors.ts';
import type { AuditEvent, AuditLog } from '../../../store/ports.ts';
import { AUDIT_CSV_HEADER, auditCsvLine, auditJsonLine, parseAuditFilter } from '../../../audit/audit-export.ts';
import type { FilterProblem } from '../../../audit/audit-export.ts';
import { asyncHandler } from '../../async-handler.ts';

export interface AuditRouteDeps {
  audit: AuditLog;
  /** IdP and cluster IDs offered as suggestions in the filter form. */
  known: () => { idps: string[]; clusters: string[] };
}

const PAGE_EVENTS = 500;
const EXPORT_PAGE = 2_000;
const FILTER_FIELDS = ['user', 'idp', 'cluster', 'outcome', 'from', 'to'] as const;

export function auditRoutes(deps: AuditRouteDeps): Router {
  const router = Router();

  router.get(
    '/admin/audit',
    asyncHandler(async (req, res) => {
      const { filter, problems } = parseAuditFilter(req.query);
      const typed = (f: string) => (typeof req.query[f] === 'string' ? req.query[f] : '');
      const input = Object.fromEntries(FILTER_FIELDS.map((f) => [f, typed(f)]));
      const exportQuery = new URLSearchParams(Object.entries(input).filter(([, v]) => v !== '')).toString();
      if (problems.length > 0) res.status(400);
      res.render('admin/audit', {
        title: 'Audit trail',
        events: problems.length > 0 ? [] : await deps.audit.queryAudit({ ...filter, limit: PAGE_EVENTS }),
        limit: PAGE_EVENTS,
        input,
        problems,
        problemOf: (field: string) => problems.find((p) => p.field === field)?.message,
        known: deps.known(),
        exportQuery,
      });
    }),
  );

  router.get(
    '/admin/audit.csv',
    asyncHandler(async (req, res) => {
      const { filter } = validFilter(req.query);
      res.type('text/csv').setHeader('Content-Disposition', 'attachment; filename="redshift-sso-audit.csv"');
      await streamExport(res, AUDIT_CSV_HEADER, deps.audit.auditPages(filter, EXPORT_PAGE), auditCsvLine);
    }),
  );

  router.get(
    '/admin/audit.jsonl',
    asyncHandler(async (req, res) => {
      const { filter } = validFilter(req.query);
      res.type('application/x-ndjson');
      res.setHeader('Content-Disposition', 'attachment; filename="redshift-sso-audit.jsonl"');
      await streamExport(res, '', deps.audit.auditPages(filter, EXPORT_PAGE), auditJsonLine);
    }),
  );

  return router;
}

function validFilter(query: Record<string, unknown>): ReturnType<typeof parseAuditFilter> {
  const parsed = parseAuditFilter(query);
  if (parsed.problems.length > 0) {
    throw new BadRequest({
      code: 'AUDIT_FILTER_INVALID',
      publicMessage: `The audit filter is not valid: ${describe(parsed.problems)}.`,
      details: { fields: parsed.problems.map((p) => p.field) },
    });
  }
  return parsed;
}

function describe(problems: FilterProblem[]): string {
  return problems.map((p) => `${p.field}: ${p.message}`).join('; ');
}

/**
 * Writes the pages as they come, waiting whenever the socket's buffer is full. A failure after the
 * first bytes destroys the connection, so a cut-short export never looks complete.
 */
async function streamExport(
  res: Response,
  header: string,
  pages: AsyncIterable<AuditEvent[]>,
  line: (e: AuditEvent) => string,
): Promise<void> {
  res.setHeader('Cache-Control', 'no-store');
  try {
    if (header !== '' && !res.write(header)) await drained(res);
    for await (const page of pages) {
      if (res.destroyed) return;
      if (!res.write(page.map(line).join(''))) await drained(res);
    }
    res.end();
  } catch (err) {
    if (res.headersSent) res.destroy();
    throw err;
  }
}

function drained(res: Response): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
