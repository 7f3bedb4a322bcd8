// A real forward proxy for the outbound-proxy tests: Debian's tinyproxy, run in the foreground with
// its own configuration on a free loopback port, logging every request line to its own file. The
// log is the proof of what went through it. Debian 12 ships the binary alone as `tinyproxy-bin`
// (the `tinyproxy` package adds a system service that would start one on port 8888).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandWorks, ensureDebianPackages } from './debian-packages.ts';
import { freePort } from './spawn-service.ts';
import { startLoopbackDaemon } from './wait-for-port.ts';

export interface Tinyproxy {
  /** http://127.0.0.1:<port> */
  url: string;
  /** The request lines it received, in order: `CONNECT host:port`, `POST http://host:port/path`. */
  requests(): string[];
  stop(): Promise<void>;
}

export async function ensureTinyproxy(): Promise<void> {
  await ensureDebianPackages('the outbound proxy tests', [
    { what: 'tinyproxy', packages: ['tinyproxy-bin'], present: () => commandWorks('tinyproxy', ['-v']) },
  ]);
}

export async function startTinyproxy(): Promise<Tinyproxy> {
  await ensureTinyproxy();
  const dir = mkdtempSync(join(tmpdir(), 'redshift-sso-tinyproxy-'));
  const port = await freePort();
  const logFile = join(dir, 'tinyproxy.log');
  // No ConnectPort line: CONNECT to any port (the test servers' ports are random). Loopback
  // targets are not refused by tinyproxy; only clients are filtered (Allow).
  writeFileSync(
    join(dir, 'tinyproxy.conf'),
    [
      `Port ${port}`,
      'Listen 127.0.0.1',
      'Timeout 30',
      `LogFile "${logFile}"`,
      'LogLevel Connect',
      'MaxClients 100',
      'Allow 127.0.0.1',
      '',
    ].join('\n'),
  );
  writeFileSync(logFile, '');
  const { child, exited } = await startLoopbackDaemon(
    'tinyproxy',
    'tinyproxy',
    ['-d', '-c', join(dir, 'tinyproxy.conf')],
    {
      port,
      dir,
    },
  );
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () =>
      readFileSync(logFile, 'utf8')
        .split('\n')
        .flatMap((line) => {
          const m = /Request \(file descriptor \d+\): (\S+ \S+) HTTP\//.exec(line);
          return m?.[1] === undefined ? [] : [m[1]];
        }),
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
