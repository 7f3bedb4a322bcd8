// Makes sure Debian tools a test drives are present. As root it apt-get installs the packages of
// whatever is missing; otherwise it fails naming them. A missing tool is a failure, never a skip.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Requirement {
  what: string;
  packages: string[];
  present: () => Promise<boolean>;
}

/** Resolves when every requirement is met, installing the missing Debian packages when running as root. */
export async function ensureDebianPackages(purpose: string, requirements: readonly Requirement[]): Promise<void> {
  let missing = await missingOf(requirements);
  if (missing.length === 0) return;
  const packages = [...new Set(missing.flatMap((r) => r.packages))];
  const names = missing.map((r) => r.what).join('; ');
  if (process.getuid?.() !== 0) {
    throw new Error(
      `missing for ${purpose}: ${names}. Install them with: sudo apt-get install -y --no-install-recommends ${packages.join(' ')}`,
    );
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    await run('apt-get', ['update'], { env, maxBuffer: 64 * 1024 * 1024 });
    await run('apt-get', ['install', '-y', '--no-install-recommends', ...packages], {
      env,
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(
      `apt-get install ${packages.join(' ')} failed (needed: ${names}): ${(e.stderr ?? e.message).slice(-2000)}`,
    );
  }
  missing = await missingOf(requirements);
  if (missing.length > 0) {
    throw new Error(`still missing after apt-get install: ${missing.map((r) => r.what).join('; ')}`);
  }
}

async function missingOf(requirements: readonly Requirement[]): Promise<Requirement[]> {
  const checks = await Promise.all(requirements.map(async (r) => ({ r, ok: await r.present() })));
  return checks.filter((c) => !c.ok).map((c) => c.r);
}

export async function commandWorks(command: string, args: string[]): Promise<boolean> {
  try {
    await run(command, args);
    return true;
  } catch {
    return false;
  }
}
