// node-saml's cache of sent AuthnRequest IDs, kept in the shared store: the IdP's cross-site POST
// carries no Lax cookie, and the response may reach another instance than the one that sent the
// request. At the ACS, the strategy takes the response's InResponseTo from the store in one
// atomic statement before node-saml runs (`take`): of two posts answering one request, on any
// instance, one gets it. node-saml then asks this cache for that ID (up to twice) and removes it;
// those calls are answered from what this attempt took, without another round trip. Outside the
// ACS (logout messages) every call goes to the store.
import type { CacheProvider } from '@node-saml/node-saml';
import type { RequestIdCache } from '../store/ports.ts';

export class StoreRequestIdCache implements CacheProvider {
  /** IDs taken by ACS attempts still running, with their stored value. */
  private readonly taken = new Map<string, string>();

  constructor(
    private readonly store: RequestIdCache,
    private readonly idpId: string,
    private readonly ttlSeconds: number,
    private readonly now: () => Date,
  ) {}

  /** Consumes the request ID for one ACS attempt; false when it was never sent, is used or expired. */
  async take(id: string): Promise<boolean> {
    const value = await this.store.takeRequestId(this.key(id), this.now());
    if (value === null) return false;
    this.taken.set(id, value);
    return true;
  }

  /** The stored value of an ID an attempt still holds. */
  takenValue(id: string): string | undefined {
    return this.taken.get(id);
  }

  /** Forgets what an attempt took (node-saml normally removes it itself). */
  release(id: string): void {
    this.taken.delete(id);
  }

  async saveAsync(id: string, value: string): Promise<{ value: string; createdAt: number }> {
    await this.store.saveRequestId(this.key(id), value, new Date(this.now().getTime() + this.ttlSeconds * 1000));
    return { value, createdAt: this.now().getTime() };
  }

  async getAsync(id: string): Promise<string | null> {
    return this.taken.get(id) ?? this.store.getRequestId(this.key(id), this.now());
  }

  async removeAsync(id: string | null): Promise<string | null> {
    if (id === null) return null;
    const value = this.taken.get(id);
    if (value !== undefined) {
      this.taken.delete(id);
      return value;
    }
    return this.store.removeRequestId(this.key(id));
  }

  private key(id: string): string {
    return `${this.idpId}:${id}`;
  }
}
