// Every relative link in README.md and docs/**/*.md must reach a file that exists, and a link to
// a heading (`page.md#anchor`, `#anchor`) must name a heading of that page, using GitHub's anchor
// rules. Every `npm run <script>` the docs mention must be a script in package.json.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** README.md and every Markdown file under docs/, as absolute paths. */
function docPages(base: string): string[] {
  const pages = [join(base, 'README.md')];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.md')) pages.push(path);
    }
  };
  if (existsSync(join(base, 'docs'))) walk(join(base, 'docs'));
  return pages.filter((p) => existsSync(p)).sort();
}

/** Fenced code blocks, also indented inside list items: neither links nor headings. */
const FENCED_BLOCK = /^ {0,3}(```|~~~)[^\n]*\n[\s\S]*?^ {0,3}\1[^\n]*$/gm;

/** The text outside fenced code blocks and inline code spans: links there are examples, not links. */
function proseOf(markdown: string): string {
  return markdown.replace(FENCED_BLOCK, '').replace(/(`+)[^`]*?\1/g, '');
}

/** Targets of inline links and images, and of reference definitions (`[x]: target`). */
function linkTargets(markdown: string): string[] {
  const prose = proseOf(markdown);
  const inline = [...prose.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1] ?? '');
  const references = [...prose.matchAll(/^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)].map((m) => m[1] ?? '');
  return [...inline, ...references];
}

/** GitHub's anchor for a heading: lowercase, punctuation dropped, spaces to hyphens, repeats numbered. */
function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const match of markdown.replace(FENCED_BLOCK, '').matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const text = (match[1] ?? '').replace(/\[([^\]]*)\]\([^)]*\)/g, '$1');
    const slug = text
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/** Problems with the relative links of the pages under `base`, one line each ("page: target: why"). */
function brokenLinks(base: string): string[] {
  const problems: string[] = [];
  for (const page of docPages(base)) {
    const markdown = readFileSync(page, 'utf8');
    for (const target of linkTargets(markdown)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) continue; // absolute URL, mailto:
      const [pathPart = '', anchor] = target.split('#', 2);
      const file = pathPart === '' ? page : resolve(dirname(page), decodeURIComponent(pathPart));
      const where = `${relative(base, page)}: ${target}`;
      if (!existsSync(file)) {
        problems.push(`${where}: no such file`);
        continue;
      }
      if (anchor !== undefined && anchor !== '' && file.endsWith('.md')) {
        if (!headingAnchors(readFileSync(file, 'utf8')).has(decodeURIComponent(anchor).toLowerCase())) {
          problems.push(`${where}: no heading with that anchor`);
        }
      }
    }
  }
  return problems;
}

/** `npm run <name>` mentions whose script package.json lacks. */
function unknownScripts(base: string): string[] {
  const pkg = JSON.parse(readFileSync(join(base, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  const scripts = new Set(Object.keys(pkg.scripts ?? {}));
  const problems: string[] = [];
  for (const page of docPages(base)) {
    // A line break may fall between `npm`, `run` and the name, and code spans may wrap them.
    const text = readFileSync(page, 'utf8').replace(/`/g, '').replace(/\s+/g, ' ');
    for (const match of text.matchAll(/\bnpm\s+run\s+([a-z][\w:.-]*)/g)) {
      const name = (match[1] ?? '').replace(/[.:]+$/, '');
      if (!scripts.has(name)) problems.push(`${relative(base, page)}: npm run ${name}`);
    }
  }
  return [...new Set(problems)];
}

describe('documentation links', () => {
  it('finds README.md and the pages under docs/', () => {
    const pages = docPages(root).map((p) => relative(root, p));
    assert.ok(pages.includes('README.md'));
    assert.ok(pages.includes(join('docs', 'idp', 'README.md')));
  });

  it('every relative link in README.md and docs/ reaches an existing file and heading', () => {
    assert.deepEqual(brokenLinks(root), []);
  });

  it('every `npm run` script the docs name exists in package.json', () => {
    assert.deepEqual(unknownScripts(root), []);
  });

  it('reports a missing file, a missing anchor and an unknown script, and ignores code and URLs', () => {
    const base = mkdtempSync(join(tmpdir(), 'docs-links-'));
    try {
      mkdirSync(join(base, 'docs', 'idp'), { recursive: true });
      writeFileSync(join(base, 'package.json'), JSON.stringify({ scripts: { docs: 'x' } }));
      writeFileSync(
        join(base, 'README.md'),
        [
          '# Top',
          'See [the IdPs](docs/idp/README.md#values-to-enter-at-the-idp), [gone](docs/gone.md),',
          '[bad anchor](docs/idp/README.md#nowhere), [here](#top), [web](https://example.com/x.md).',
          'Run `npm run docs` and `npm run nope`.',
          '```sh',
          '[not a link](missing.md)',
          '```',
          '`[also not](missing.md)`',
        ].join('\n'),
      );
      writeFileSync(
        join(base, 'docs', 'idp', 'README.md'),
        '# IdPs\n\n## Values to enter at the IdP\n\n[up](../../README.md)\n',
      );
      assert.deepEqual(brokenLinks(base), [
        'README.md: docs/gone.md: no such file',
        'README.md: docs/idp/README.md#nowhere: no heading with that anchor',
      ]);
      assert.deepEqual(unknownScripts(base), ['README.md: npm run nope']);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });

  it('derives anchors as GitHub does', () => {
    const anchors = headingAnchors(
      '# First start without an IdP: the setup token\n## Which proxies to trust (`server.trustProxy`)\n## Metrics\n## Metrics\n',
    );
    assert.deepEqual(
      [...anchors],
      ['first-start-without-an-idp-the-setup-token', 'which-proxies-to-trust-servertrustproxy', 'metrics', 'metrics-1'],
    );
  });
});
