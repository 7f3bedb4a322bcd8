// The admin console's routes as Express registered them, walked from the app's route table (so a
// route added tomorrow is covered by every test that walks it), with a concrete URL and plausible
// form fields for each: a check that is missing then shows up as a change in the store.
import type { Express } from 'express';
import { clusterFields, explicitIdpFields } from './admin-forms.ts';
import { fixtureKeys } from './sign-response.ts';

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** Every "METHOD /path" under /admin in the app's route table, except the setup form. */
export function adminRouteTable(app: Express): string[] {
  const found: string[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route !== undefined) {
        for (const path of [layer.route.path].flat()) {
          if (!/^\/admin(\/|\.|$)/i.test(path) || path === '/admin/setup') continue;
          for (const [method, on] of Object.entries(layer.route.methods))
            if (on && method !== '_all') found.push(`${method.toUpperCase()} ${path}`);
        }
      } else if (Array.isArray(layer.handle?.stack)) {
        walk(layer.handle.stack);
      }
    }
  };
  walk((app as unknown as { _router: { stack: Layer[] } })._router.stack);
  return [...new Set(found)];
}

/** A concrete URL for a route pattern, naming these entries (so a missed check would act on them). */
export function concreteAdminUrl(path: string, target: { idp: string; cluster: string }): string {
  return path
    .replace('/idps/:id', `/idps/${target.idp}`)
    .replace('/clusters/:id', `/clusters/${target.cluster}`)
    .replace(/:\w+/g, 'x');
}

/** Plausible form fields for each admin POST; `settings` for the IdP settings form. */
export function adminFormFields(
  path: string,
  settings: Record<string, string> = { enabled: 'off' },
): Record<string, string> {
  if (path === '/admin/idps') return explicitIdpFields('sneaky');
  if (path === '/admin/clusters') return clusterFields('sneaky');
  if (path.endsWith('/certs')) return { certificate: fixtureKeys.attacker.certificate };
  if (path.endsWith('/certs/remove')) return { fingerprint: 'x' };
  return settings;
}
