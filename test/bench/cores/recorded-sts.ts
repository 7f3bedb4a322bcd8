// STS for the spawned copies that measure the service, not AWS: one AssumeRoleWithSAML answer
// recorded from the AWS emulator, replayed at no cost by a loopback server.
import http from 'node:http';
import type { AwsEmulator } from '../../../src/dev/aws-emulator.ts';
import { aSamlResponse, TEST_PRINCIPAL_ARN, TEST_ROLE_ARN } from '../../support/sign-response.ts';

const AWS_SAML_URL = 'https://signin.aws.amazon.com/saml';

/** An AssumeRoleWithSAML answer recorded from the emulator once, replayed at no cost: AWS that answers at once. */
export async function instantSts(emulator: AwsEmulator): Promise<http.Server> {
  const form = new URLSearchParams({
    Action: 'AssumeRoleWithSAML',
    Version: '2011-06-15',
    RoleArn: TEST_ROLE_ARN,
    PrincipalArn: TEST_PRINCIPAL_ARN,
    SAMLAssertion: aSamlResponse({ recipient: AWS_SAML_URL, destination: AWS_SAML_URL }),
  });
  const recorded = await fetch(emulator.url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
  });
  const body = await recorded.text();
  if (recorded.status !== 200)
    throw new Error(`emulator AssumeRoleWithSAML answered ${recorded.status}: ${body.slice(0, 300)}`);
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () =>
      res.writeHead(200, { 'content-type': recorded.headers.get('content-type') ?? 'text/xml' }).end(body),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}
