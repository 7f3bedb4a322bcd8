// A real reverse proxy for the several-instances tests: Debian's nginx in the foreground
// (`daemon off;`) with its own configuration, pid file, logs and temp paths in a temp dir, on a
// free loopback port, round-robin over the given upstream ports. Every answer carries
// `X-Upstream: <addr>[, <addr>…]` ($upstream_addr), so a test can tell which instance answered and
// see nginx retry the next one. `nginx-light` is enough (proxy and upstream are core modules).
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandWorks, ensureDebianPackages } from './debian-packages.ts';
import { freePort } from './spawn-service.ts';
import { startLoopbackDaemon } from './wait-for-port.ts';

export interface Nginx {
  /** http://127.0.0.1:<port> */
  url: string;
  port: number;
  /** Access log lines: `<method> <uri> <status> <upstream_addr> <upstream_status>`. */
  accessLog(): string[];
  stop(): Promise<void>;
}

export async function ensureNginx(): Promise<void> {
  await ensureDebianPackages('the several-instances tests', [
    {
      what: 'nginx',
      packages: ['nginx-light'],
      present: async () => (await commandWorks('/usr/sbin/nginx', ['-v'])) || commandWorks('nginx', ['-v']),
    },
  ]);
}

/** The configuration: one worker, so plain round robin alternates strictly between the upstreams. */
export function nginxConfig(dir: string, port: number, upstreamPorts: readonly number[]): string {
  // As root the workers would run as `nobody` and could not use the temp dir; stay root then.
  const user = process.getuid?.() === 0 ? 'user root root;' : '';
  return `${user}
daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log notice;
events { worker_connections 512; }
http {
  log_format upstreams '$request_method $uri $status $upstream_addr $upstream_status';
  access_log ${dir}/access.log upstreams;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream redshift_sso {
${upstreamPorts.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=30s;`).join('\n')}
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://redshift_sso;
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      # A dead instance: connection refused or reset before the answer. POSTs go to the next
      # instance only if nothing was sent yet (nginx never replays a non-idempotent request).
      proxy_next_upstream error timeout;
      proxy_connect_timeout 2s;
      add_header X-Upstream $upstream_addr always;
    }
  }
}
`;
}

/** `port`: when the services must know the proxy's URL before it starts (their baseUrl). */
export async function startNginx(upstreamPorts: readonly number[], port?: number): Promise<Nginx> {
  await ensureNginx();
  const dir = mkdtempSync(join(tmpdir(), 'redshift-sso-nginx-'));
  port ??= await freePort();
  const conf = join(dir, 'nginx.conf');
  writeFileSync(conf, nginxConfig(dir, port, upstreamPorts));
  writeFileSync(join(dir, 'access.log'), '');
  // -e: the error log before the configuration is read (else the compiled-in /var/log/nginx path).
  // Debian installs it in /usr/sbin, which is not on an ordinary user's PATH.
  const { child, exited } = await startLoopbackDaemon(
    'nginx',
    existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : 'nginx',
    ['-p', dir, '-c', conf, '-e', join(dir, 'error.log')],
    {
      port,
      dir,
      errors: (output) => `${output}${readFileSync(join(dir, 'error.log'), { encoding: 'utf8', flag: 'a+' })}`,
    },
  );
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    accessLog: () =>
      readFileSync(join(dir, 'access.log'), 'utf8')
        .split('\n')
        .filter((l) => l !== ''),
    async stop() {
      // SIGQUIT: graceful shutdown of the master and its worker.
      if (child.exitCode === null) child.kill('SIGQUIT');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
