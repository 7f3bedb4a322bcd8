// `redshift-sso login --device`: for SSH boxes and notebooks. Shows a URL and a short code, then
// polls the token endpoint at the server's interval (longer after slow_down, RFC 8628 §3.5) until
// the sign-in is approved, denied or expired.
import { callService } from './api-client.ts';
import { CliError, EXIT } from './errors.ts';
import { clientName, refusalOf, requestToken, storeToken } from './token-grant.ts';

export interface DeviceStart {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete: string;
  expires_in: number;
  interval: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function loginWithDevice(server: string): Promise<void> {
  const { body: start } = await callService<DeviceStart>(server, '/api/cli/device', {
    body: { client_id: 'redshift-sso-cli', client_name: clientName() },
  });
  if (typeof start.device_code !== 'string' || typeof start.user_code !== 'string')
    throw new CliError(`${server} did not start a device sign-in: is it a redshift-sso server?`, EXIT.unreachable);
  process.stderr.write(
    `To sign in, open ${start.verification_uri} in any browser where you can sign in, and enter the code\n\n    ${start.user_code}\n\n` +
      `or open ${start.verification_uri_complete}\nThe code expires in ${Math.round(start.expires_in / 60)} minutes. Waiting for approval…\n`,
  );
  let interval = Math.max(1, start.interval);
  for (;;) {
    await sleep(interval * 1000);
    const answer = await requestToken(server, {
      grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
      device_code: start.device_code,
    });
    if (answer.status === 200) {
      await storeToken(server, answer.body);
      return;
    }
    if (answer.body.error === 'authorization_pending') continue;
    if (answer.body.error === 'slow_down') {
      interval += 5;
      continue;
    }
    throw refusalOf(answer.status, answer.body);
  }
}
