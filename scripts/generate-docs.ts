// `npm run docs`: writes the generated reference pages. test/unit/docs/generated-docs.test.ts
// renders the same pages in memory and fails when the committed ones are stale.
import { writeFileSync } from 'node:fs';
import { GENERATED_DOCS } from './docs/generated.ts';

for (const page of GENERATED_DOCS) {
  writeFileSync(new URL(`../${page.path}`, import.meta.url), page.render());
  console.log(`wrote ${page.path}`);
}
