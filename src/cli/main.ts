// The `redshift-sso` command for SQL clients and scripts: argument parsing (commander) and the one
// place errors become messages and exit codes (0 ok, 1 usage or configuration, 2 server
// unreachable, 3 denied, expired or revoked). Talks to the service over HTTP only.
import { Command, CommanderError, Option } from 'commander';
import { FORMATS, installCa, logout, printCredentials, runPsql, updatePgpass, type Format } from './commands.ts';
import { CliError, EXIT } from './errors.ts';
import { normalizeServer } from './local-files.ts';
import { loginWithBrowser } from './login-browser.ts';
import { loginWithDevice } from './login-device.ts';

interface ClusterFlags {
  server?: string;
  cluster: string;
  role?: string;
  installCa?: boolean;
}

function program(): Command {
  const cli = new Command('redshift-sso')
    .description('Short-lived Amazon Redshift logins from your company sign-in, for psql, dbt, notebooks and scripts.')
    .enablePositionalOptions()
    .exitOverride()
    .showHelpAfterError('(run `redshift-sso --help` for usage)');
  const serverOption = () =>
    new Option(
      '--server <url>',
      'the redshift-sso service (default: the last one you signed in to, or $REDSHIFT_SSO_SERVER)',
    );
  const clusterCommand = (name: string, description: string) =>
    cli
      .command(name)
      .description(description)
      .addOption(serverOption())
      .requiredOption('--cluster <id>', 'cluster id, as the service lists it')
      .option('--role <arn>', 'IAM role to use when your sign-in grants several for this cluster')
      .option('--install-ca', "download the cluster's CA bundle (when it has one) and name it as sslrootcert");

  cli
    .command('login')
    .description('sign in through your browser (or --device on a machine without one) and keep a token for this server')
    .requiredOption('--server <url>', 'the redshift-sso service, e.g. https://redshift-sso.example.com')
    .option('--idp <id>', 'start at this identity provider')
    .option('--device', 'show a URL and a code to approve in any browser (SSH boxes, notebooks)')
    .option('--no-browser', 'print the sign-in URL instead of opening a browser')
    .action(async (o: { server: string; idp?: string; device?: boolean; browser: boolean }) => {
      const server = normalizeServer(o.server);
      if (o.device === true) await loginWithDevice(server);
      else await loginWithBrowser({ server, idp: o.idp, browser: o.browser });
    });

  cli
    .command('logout')
    .description('revoke and delete the token for a server')
    .addOption(serverOption())
    .action((o: { server?: string }) => logout(o));

  clusterCommand('credentials', 'print fresh credentials in one format (stdout)')
    .addOption(new Option('--format <format>', 'output format').choices(FORMATS).default('uri'))
    .action((o: ClusterFlags & { format: Format }) => printCredentials(o));

  clusterCommand('psql', 'run psql with fresh credentials in its environment (never on its command line)')
    .argument('[psqlArgs...]', 'arguments for psql, after --')
    .passThroughOptions()
    .action(async (psqlArgs: string[], o: ClusterFlags) => {
      process.exitCode = await runPsql(o, psqlArgs);
    });

  clusterCommand(
    'pgpass',
    'write fresh credentials into ~/.pgpass (or $PGPASSFILE); prints the connection without password',
  ).action((o: ClusterFlags) => updatePgpass(o));

  cli
    .command('ca')
    .description("install a cluster's CA bundle and print its path")
    .addOption(serverOption())
    .requiredOption('--cluster <id>', 'cluster id')
    .action((o: { server?: string; cluster: string }) => installCa(o));
  return cli;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await program().parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (err instanceof CliError) {
      console.error(`redshift-sso: ${err.message}`);
      return err.exitCode;
    }
    console.error(`redshift-sso: unexpected error: ${err instanceof Error ? err.message : String(err)}`);
    return EXIT.usage;
  }
}

// Exit once stdout has flushed: on macOS a pipe is asynchronous and process.exit would cut it.
void main(process.argv.slice(2)).then((code) => process.stdout.write('', () => process.exit(code)));
