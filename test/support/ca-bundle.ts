// A cluster with its own CA bundle, as an admin configures one for a private CA: the harness's
// `analytics` cluster carrying a placeholder PEM the service serves and names in connection strings.
import { startAppHarness, TEST_CLUSTER_ID, TEST_CLUSTER_IDENTIFIER, type AppHarness } from './app-harness.ts';
import { TEST_ROLE_ARN } from './sign-response.ts';

export const TEST_CA_PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

/** A harness whose only cluster, `analytics`, has the CA bundle TEST_CA_PEM. */
export function startCaBundleHarness(): Promise<AppHarness> {
  return startAppHarness({
    clusters: [
      {
        id: TEST_CLUSTER_ID,
        name: 'Analytics',
        clusterIdentifier: TEST_CLUSTER_IDENTIFIER,
        caBundle: TEST_CA_PEM,
        roles: [TEST_ROLE_ARN],
      },
    ],
  });
}
