// Editing ~/.pgpass: the line for the same host:port:database:user is replaced, everything else
// stays byte for byte (comments, CRLF endings, a missing final newline, escaped colons).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mergePgpass, pgpassFields } from '../../../src/cli/pgpass-file.ts';

const line = 'h.example:5439:dev:IAM\\:alice:new-pw';

describe('mergePgpass', () => {
  const table: Array<[string, string, string]> = [
    ['an empty file', '', `${line}\n`],
    ['a file without a final newline', 'a:1:b:c:d', `a:1:b:c:d\n${line}\n`],
    [
      'the same entry, replaced in place',
      `# c\nh.example:5439:dev:IAM\\:alice:old\nx:1:y:z:w\n`,
      `# c\n${line}\nx:1:y:z:w\n`,
    ],
    ['a CRLF line, keeping its ending', `h.example:5439:dev:IAM\\:alice:old\r\nx:1:y:z:w`, `${line}\r\nx:1:y:z:w`],
    [
      'another user on the same host, kept',
      'h.example:5439:dev:IAM\\:bob:pw\n',
      `h.example:5439:dev:IAM\\:bob:pw\n${line}\n`,
    ],
    [
      'a commented-out copy, kept',
      '#h.example:5439:dev:IAM\\:alice:old\n',
      `#h.example:5439:dev:IAM\\:alice:old\n${line}\n`,
    ],
    [
      'only the first of two matches',
      `h.example:5439:dev:IAM\\:alice:1\nh.example:5439:dev:IAM\\:alice:2\n`,
      `${line}\nh.example:5439:dev:IAM\\:alice:2\n`,
    ],
  ];
  for (const [what, before, after] of table) it(what, () => assert.equal(mergePgpass(before, line), after));
});

describe('pgpassFields', () => {
  it('unescapes \\: and \\\\ and keeps colons in the password', () => {
    assert.deepEqual(pgpassFields('h:5439:d:IAM\\:a\\\\b:p:w'), ['h', '5439', 'd', 'IAM:a\\b', 'p:w']);
    assert.equal(pgpassFields('# comment'), undefined);
  });
});
