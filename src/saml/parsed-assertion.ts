// Reading node-saml's parsed assertion (xml2js with explicitCharkey: attributes under `$`, text
// under `_`, every child element an array): the helpers the assertion checks share.

export type ParsedNode = { $?: Record<string, string>; _?: string } & Record<string, unknown>;

export function children(node: ParsedNode | undefined, name: string): ParsedNode[] {
  const value = node?.[name];
  return Array.isArray(value) ? (value.filter((v) => typeof v === 'object' && v !== null) as ParsedNode[]) : [];
}

export function textOf(node: ParsedNode | string): string {
  return (typeof node === 'string' ? node : (node._ ?? '')).trim();
}

export function parseTime(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : t;
}
