// axe-core (the npm package) run inside a real page: the script is evaluated through the
// DevTools protocol, which the pages' CSP (script-src 'self') does not apply to. Collects every
// page checked, so a test can list them and fail on the serious and critical findings together.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const BLOCKING = new Set(['serious', 'critical']);

export interface AxeFinding {
  rule: string;
  impact: string;
  help: string;
  /** Each failing element: its CSS selector and the start of its HTML. */
  elements: string[];
}

export interface CheckedPage {
  label: string;
  url: string;
  blocking: AxeFinding[];
  /** Moderate and minor findings: reported, not failed. */
  other: AxeFinding[];
}

const RUN = `axe.run(document, { resultTypes: ['violations'] }).then(function (r) {
  return JSON.stringify(r.violations.map(function (v) {
    return { rule: v.id, impact: v.impact || 'unknown', help: v.help, elements: v.nodes.map(function (n) {
      return n.target.join(' ') + ' ' + n.html.replace(/\\s+/g, ' ').slice(0, 160);
    }) };
  }));
})`;

export async function axeFindings(page: Page): Promise<AxeFinding[]> {
  const loaded = await page.evaluate('typeof window.axe');
  if (loaded !== 'object') await page.evaluate(AXE_SOURCE);
  return JSON.parse((await page.evaluate(RUN)) as string) as AxeFinding[];
}

export class AxeAudit {
  readonly pages: CheckedPage[] = [];

  /** Runs axe on the page as it is now and records the result under `label`. */
  async check(page: Page, label: string): Promise<CheckedPage> {
    await page.waitForLoadState('load');
    const findings = await axeFindings(page).catch(async (err: unknown) => {
      // A page that navigated on its own while axe ran: check where it ended up.
      if (!String(err).includes('Execution context was destroyed')) throw err;
      await page.waitForLoadState('load');
      return axeFindings(page);
    });
    const checked = {
      label,
      url: page.url(),
      blocking: findings.filter((f) => BLOCKING.has(f.impact)),
      other: findings.filter((f) => !BLOCKING.has(f.impact)),
    };
    this.pages.push(checked);
    return checked;
  }

  /** One line per page checked: its label, path and what axe found. */
  summary(): string[] {
    return this.pages.map((p) => {
      const url = new URL(p.url);
      const other = p.other.map((f) => `${f.rule} (${f.impact})`).join(', ');
      return `${p.label} — ${url.host} ${url.pathname}: ${p.blocking.length} serious/critical${other === '' ? '' : `; also ${other}`}`;
    });
  }

  /** Every serious or critical finding, naming the page, the rule and the elements. */
  failures(): string[] {
    return this.pages.flatMap((p) =>
      p.blocking.map(
        (f) =>
          `${p.label} (${new URL(p.url).pathname}): ${f.rule} [${f.impact}] ${f.help}\n    ${f.elements.join('\n    ')}`,
      ),
    );
  }
}
