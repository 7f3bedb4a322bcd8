// The generated pages under docs/ and their renderers, read by `npm run docs` and the staleness test.
import { renderConfigurationDoc } from './config-doc.ts';
import { renderErrorsDoc } from './errors-doc.ts';

export const GENERATED_DOCS: ReadonlyArray<{ path: string; render: () => string }> = [
  { path: 'docs/configuration.md', render: renderConfigurationDoc },
  { path: 'docs/errors.md', render: renderErrorsDoc },
];
