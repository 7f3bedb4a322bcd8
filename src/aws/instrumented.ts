// Times and counts every AWS call at the port boundary, so the real SDK adapters and any
// substitute are measured alike. The label is the AWS operation name, the outcome `ok` or the
// error code the adapter mapped the failure to.
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

export function instrumentSts(sts: StsApi, observe: AwsCallObserver): StsApi {
  return { assumeRoleWithSaml: (input) => timed(observe, 'AssumeRoleWithSAML', () => sts.assumeRoleWithSaml(input)) };
}

export function instrumentRedshift(redshift: RedshiftApi, observe: AwsCallObserver): RedshiftApi {
  return {
    getClusterCredentials: (session, input) => timed(observe, 'GetClusterCredentials', () => redshift.getClusterCredentials(session, input)),
    getClusterCredentialsWithIam: (session, input) => timed(observe, 'GetClusterCredentialsWithIAM', () => redshift.getClusterCredentialsWithIam(session, input)),
    describeClusterEndpoint: (session, region, id) => timed(observe, 'DescribeClusters', () => redshift.describeClusterEndpoint(session, region, id)),
    getServerlessCredentials: (session, input) => timed(observe, 'GetCredentials', () => redshift.getServerlessCredentials(session, input)),
    getWorkgroupEndpoint: (session, region, name) => timed(observe, 'GetWorkgroup', () => redshift.getWorkgroupEndpoint(session, region, name)),
  };
}
