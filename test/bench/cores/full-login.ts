// The every-core part's last line: whole logins (ACS, then POST /api/credentials) one at a time on
// the copy whose STS and Redshift are the AWS emulator, timed at the client after 20 unmeasured.
import type http from 'node:http';
import { postAcs, request, signSamples } from './client.ts';
import type { Spawned } from './copies.ts';
import { percentile } from './print.ts';

/** ACS then POST /api/credentials through the emulator, one at a time: the server time of a whole login. */
export async function fullLogin(s: Spawned, count: number, agent: http.Agent): Promise<void> {
  const warm = 20;
  const samples = await signSamples(s, count + warm, agent);
  const body = JSON.stringify({ cluster: 'analytics' });
  const times: number[] = [];
  for (const [i, sample] of samples.entries()) {
    const start = process.hrtime.bigint();
    const session = await postAcs(s.service.port, sample, agent);
    const res = await request(s.service.port, '/api/credentials', {
      method: 'POST',
      agent,
      headers: {
        cookie: session,
        'content-type': 'application/json',
        accept: 'application/json',
        'content-length': Buffer.byteLength(body),
      },
      body,
    });
    if (res.status !== 200) throw new Error(`POST /api/credentials answered ${res.status}: ${res.body.slice(0, 300)}`);
    if (i >= warm) times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  console.log(
    `full login (ACS -> POST /api/credentials, 1 worker, AWS emulator at zero latency, one at a time, ${times.length} logins): ` +
      `p50 ${percentile(times, 50).toFixed(1)} ms, p99 ${percentile(times, 99).toFixed(1)} ms (includes the emulator's own work: it checks the assertion's signature for STS)`,
  );
}
