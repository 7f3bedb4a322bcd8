// Times and counts every AWS call at the port boundary, so the real SDK adapters and any
// substitute are measured alike. The label is the AWS operation name, the outcome `ok` or the
// error code the adapter mapped the failure to.
import { AWS_OPERATIONS } from './ports.ts';
import type { RedshiftApi, StsApi } from './ports.ts';

export type AwsCallObserver = (api: string, outcome: string, seconds: number) => void;

async function timed<T>(observe: AwsCallObserver, api: string, call: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    const result = await call();
    observe(api, 'ok', (performance.now() - started) / 1000);
    return result;
  } catch (err) {
    const code = typeof err === 'object' && err !== null && 'code' in err ? (err as { code: unknown }).code : undefined;
    observe(api, typeof code === 'string' ? code : 'error', (performance.now() - started) / 1000);
    throw err;
  }
}

type AnyMethod = (...args: never[]) => Promise<unknown>;

/** Wraps every method of a port in `timed`, labelled with its AWS operation name. */
function instrument<P extends object>(port: P, observe: AwsCallObserver): P {
  const wrapped: Record<string, AnyMethod> = {};
  for (const [method, api] of Object.entries(AWS_OPERATIONS)) {
    const fn = (port as Record<string, AnyMethod | undefined>)[method];
    if (typeof fn !== 'function') continue;
    wrapped[method] = (...args) => timed(observe, api, () => fn.apply(port, args));
  }
  return wrapped as P;
}

export function instrumentSts(sts: StsApi, observe: AwsCallObserver): StsApi {
  return instrument(sts, observe);
}

export function instrumentRedshift(redshift: RedshiftApi, observe: AwsCallObserver): RedshiftApi {
  return instrument(redshift, observe);
}
