// Admin use cases for IdP connections entered in the console: preview what a metadata document
// or explicit fields would configure, save it (validated like a configuration entry), add and
// retire certificates for rollover, remove it. Entries from the configuration file are read-only.
import { BadRequest, Forbidden, NotFound, AppError } from '../errors.ts';
import { checkIdpEntry, withSettings, type IdpSettings } from './idp-entry.ts';
import { parseIdpMetadata, MetadataError, type IdpMetadata } from '../saml/metadata.ts';
import { fetchMetadata, MetadataFetchError, type MetadataFetchOptions } from '../saml/metadata-fetch.ts';
import type { ConnectionRecords } from '../store/ports.ts';
import type { ConnectionRegistry } from '../connections/connection-registry.ts';
import { certificateSetProblems, describeCertificate, type CertificateInfo } from './certificate-info.ts';
import type { AdminAuditor } from '../audit/admin-audit.ts';
import { retireSetupToken } from '../setup-token/setup-token.ts';
import type { MetadataCache } from '../connections/metadata-cache.ts';

export interface IdpDraft {
  id: string;
  name?: string;
  metadataXml?: string;
  metadataUrl?: string;
  entityId?: string;
  ssoUrl?: string;
  certs?: string[];
  settings?: IdpSettings;
}

export interface IdpPreview {
  entry: Record<string, unknown>;
  metadata: IdpMetadata;
  certificates: CertificateInfo[];
}

export interface IdpAdminDeps {
  store: ConnectionRecords;
  registry: ConnectionRegistry;
  fetchOptions: MetadataFetchOptions;
  metadata: MetadataCache;
  audit: AdminAuditor;
  now: () => Date;
}

export class IdpAdmin {
  constructor(private readonly deps: IdpAdminDeps) {}

  /** What saving this draft would configure; throws a BadRequest naming the first problem. */
  async preview(draft: IdpDraft): Promise<IdpPreview> {
    const metadata = await this.metadataOf(draft);
    const certificates = metadata.signingCerts.map((pem) => readCertificate(pem, this.deps.now()));
    const problems = certificateSetProblems(certificates);
    if (problems.length > 0)
      throw new BadRequest({
        code: 'IDP_CERTIFICATES_REFUSED',
        publicMessage: `The signing certificates are not acceptable: ${problems.join('; ')}.`,
      });
    // A connection by URL keeps the URL, so its metadata (and certificates) is refreshed on a schedule.
    const source =
      metadataUrlOf(draft) === undefined
        ? {
            entityId: metadata.entityId,
            ssoUrl: metadata.ssoUrl,
            ...(metadata.sloUrl === undefined ? {} : { sloUrl: metadata.sloUrl }),
            certs: metadata.signingCerts,
          }
        : { metadataUrl: metadataUrlOf(draft) };
    const base = {
      id: draft.id,
      ...(draft.name === undefined || draft.name === '' ? {} : { name: draft.name }),
      ...source,
    };
    // A Single Logout URL typed on the form wins over the metadata's, as in the configuration file.
    const entry = withSettings(base, draft.settings ?? {});
    if (entry.sloUrl === undefined && 'sloUrl' in base) entry.sloUrl = base.sloUrl;
    checkIdpEntry(entry);
    return { entry, metadata, certificates };
  }

  async create(draft: IdpDraft, actor: string): Promise<IdpPreview> {
    const preview = await this.preview(draft);
    const snapshot = await this.deps.registry.refresh();
    if (snapshot.source('idp', draft.id) !== undefined || snapshot.records.idps.some((r) => r.id === draft.id)) {
      throw new BadRequest({ code: 'IDP_EXISTS', publicMessage: `An IdP connection "${draft.id}" already exists.` });
    }
    await this.write(draft.id, preview.entry, 0, actor, undefined);
    await retireSetupToken(this.deps.store);
    return preview;
  }

  /** Changes the console-editable settings; the next sign-in on every instance uses them. */
  async updateSettings(id: string, settings: IdpSettings, actor: string): Promise<void> {
    const record = await this.consoleRecord(id);
    const entry = withSettings(record.entry, settings);
    checkIdpEntry(entry);
    await this.write(id, entry, record.version, actor, record.entry);
  }

  /** Rollover step 1: trust a new certificate beside the current ones. */
  async addCertificate(id: string, pem: string, actor: string): Promise<void> {
    const record = await this.consoleRecord(id);
    const info = readCertificate(pem.trim(), this.deps.now());
    const problems = certificateSetProblems([info]);
    if (problems.length > 0)
      throw new BadRequest({ code: 'IDP_CERTIFICATES_REFUSED', publicMessage: problems.join('; ') });
    const certs = this.trustedCerts(id, record.entry);
    if (certs.some((c) => describeCertificate(c, this.deps.now()).fingerprint256 === info.fingerprint256)) return;
    await this.write(
      id,
      { ...record.entry, certs: [...certs, `${pem.trim()}\n`] },
      record.version,
      actor,
      record.entry,
    );
  }

  /** Rollover step 2: stop trusting an old certificate; the last one cannot go. */
  async removeCertificate(id: string, fingerprint256: string, actor: string): Promise<void> {
    const record = await this.consoleRecord(id);
    const certs = this.trustedCerts(id, record.entry);
    const kept = certs.filter((c) => describeCertificate(c, this.deps.now()).fingerprint256 !== fingerprint256);
    if (kept.length === certs.length)
      throw new NotFound({
        code: 'CERTIFICATE_UNKNOWN',
        publicMessage: 'This connection has no certificate with that fingerprint.',
      });
    if (kept.length === 0)
      throw new BadRequest({
        code: 'LAST_CERTIFICATE',
        publicMessage: 'A connection needs at least one signing certificate; add the new one before removing the old.',
      });
    await this.write(id, { ...record.entry, certs: kept }, record.version, actor, record.entry);
  }

  async remove(id: string, actor: string): Promise<void> {
    const record = await this.consoleRecord(id);
    if (!(await this.deps.store.deleteConnection('idp', id))) throw conflict();
    await this.deps.audit.changed(actor, 'idp', id, record.entry, undefined);
  }

  /**
   * The certificates trusted now: the entry's own, or (a connection by metadata URL) the
   * metadata's. Once an admin adds or retires one, the entry pins its own list.
   */
  private trustedCerts(id: string, entry: Record<string, unknown>): string[] {
    const own = certsOf(entry);
    return own.length > 0 ? own : (this.deps.registry.snapshot().idps.find((i) => i.id === id)?.certs ?? []);
  }

  private async write(
    id: string,
    entry: Record<string, unknown>,
    version: number,
    actor: string,
    before: Record<string, unknown> | undefined,
  ): Promise<void> {
    const ok = await this.deps.store.putConnection(
      { kind: 'idp', id, entry, updatedAt: this.deps.now(), updatedBy: actor },
      version,
    );
    if (!ok) throw conflict();
    await this.deps.audit.changed(actor, 'idp', id, before, entry);
    await this.deps.registry.refresh();
  }

  private async consoleRecord(id: string) {
    const snapshot = await this.deps.registry.refresh();
    if (snapshot.source('idp', id) === 'config')
      throw new Forbidden({
        code: 'MANAGED_BY_CONFIGURATION',
        publicMessage: `IdP connection "${id}" is managed by the configuration file and cannot be changed here.`,
      });
    const record = snapshot.records.idps.find((r) => r.id === id);
    if (record === undefined)
      throw new NotFound({
        code: 'IDP_UNKNOWN',
        publicMessage: 'There is no identity provider connection with that name.',
      });
    return record;
  }

  private async metadataOf(draft: IdpDraft): Promise<IdpMetadata> {
    try {
      if (draft.metadataXml !== undefined && draft.metadataXml.trim() !== '')
        return parseIdpMetadata(draft.metadataXml);
      const url = metadataUrlOf(draft);
      if (url !== undefined) {
        const xml = await fetchMetadata(url, this.deps.fetchOptions);
        const parsed = parseIdpMetadata(xml);
        await this.deps.metadata.remember(url, xml);
        return parsed;
      }
    } catch (err) {
      if (err instanceof MetadataError || err instanceof MetadataFetchError)
        throw new BadRequest({ code: 'IDP_METADATA_INVALID', publicMessage: err.message });
      throw err;
    }
    if (draft.entityId === undefined || draft.ssoUrl === undefined || (draft.certs ?? []).length === 0) {
      throw new BadRequest({
        code: 'IDP_INCOMPLETE',
        publicMessage: 'Give metadata XML, a metadata URL, or the entity ID, SSO URL and at least one certificate.',
      });
    }
    return {
      entityId: draft.entityId,
      ssoUrl: draft.ssoUrl,
      ssoBinding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect',
      signingCerts: (draft.certs ?? []).map((c) => `${c.trim()}\n`),
    };
  }
}

/** A pasted certificate (explicit fields, rollover) that does not parse is the admin's mistake, not ours. */
function readCertificate(pem: string, now: Date): CertificateInfo {
  try {
    return describeCertificate(pem, now);
  } catch (err) {
    throw new BadRequest({
      code: 'CERTIFICATE_INVALID',
      publicMessage: 'That is not a PEM X.509 certificate.',
      cause: err,
    });
  }
}

function metadataUrlOf(draft: IdpDraft): string | undefined {
  const xml = draft.metadataXml?.trim() ?? '';
  const url = draft.metadataUrl?.trim() ?? '';
  return xml === '' && url !== '' ? url : undefined;
}

function certsOf(entry: Record<string, unknown>): string[] {
  return Array.isArray(entry.certs) ? entry.certs.filter((c): c is string => typeof c === 'string') : [];
}

function conflict(): AppError {
  return new AppError({
    code: 'EDIT_CONFLICT',
    status: 409,
    publicMessage: 'Someone else changed this entry at the same time. Reload and try again.',
  });
}
