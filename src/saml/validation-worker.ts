// A validation thread (run by piscina, see validation-pool.ts): node-saml's
// validatePostResponseAsync on one response, off the event loop that serves requests. One
// node-saml instance per connection's options, kept while the thread lives. The thread never
// reaches the store: the AuthnRequest ID was taken from it on the event loop before the task was
// sent, so this thread's cache knows exactly that one ID for the one task it runs at a time.
import { SAML, type CacheItem, type CacheProvider } from '@node-saml/node-saml';
import { errorToOutcome, profileToData, type ValidationOutcome, type ValidationTask } from './validation-task.ts';

/** Enough for every connection of a large deployment; a changed connection gets a new key. */
const MAX_INSTANCES = 64;

class TakenRequestCache implements CacheProvider {
  current: ValidationTask['takenRequest'];

  saveAsync(): Promise<CacheItem | null> {
    return Promise.reject(new Error('a validation thread sends no AuthnRequest'));
  }

  getAsync(id: string): Promise<string | null> {
    return Promise.resolve(this.current?.id === id ? this.current.value : null);
  }

  removeAsync(id: string | null): Promise<string | null> {
    const value = this.current?.id === id ? this.current.value : null;
    this.current = undefined;
    return Promise.resolve(value);
  }
}

const instances = new Map<string, { saml: SAML; cache: TakenRequestCache }>();

function instanceFor(task: ValidationTask): { saml: SAML; cache: TakenRequestCache } {
  const known = instances.get(task.key);
  if (known !== undefined) return known;
  const cache = new TakenRequestCache();
  const built = { saml: new SAML({ ...task.options, cacheProvider: cache }), cache };
  if (instances.size >= MAX_INSTANCES) instances.delete(instances.keys().next().value as string);
  instances.set(task.key, built);
  return built;
}

export default async function validateInThread(task: ValidationTask): Promise<ValidationOutcome> {
  try {
    const { saml, cache } = instanceFor(task);
    cache.current = task.takenRequest;
    try {
      const { profile, loggedOut } = await saml.validatePostResponseAsync(task.container);
      return { ok: true, loggedOut, profile: profileToData(profile) };
    } finally {
      cache.current = undefined;
    }
  } catch (err) {
    return errorToOutcome(err);
  }
}
