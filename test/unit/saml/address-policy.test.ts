// The metadata fetch's address allow-list: only global unicast addresses pass, in every spelling
// the URL parser or the resolver can turn into an address the fetch would connect to.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { promisify } from 'node:util';
import { lookup } from 'node:dns';
import { isGlobalUnicast, isLoopback } from '../../../src/saml/address-policy.ts';
import { addressAllowed } from '../../../src/saml/metadata-fetch.ts';

/** Teredo address with a public server (65.54.227.120) and the given client IPv4, obfuscated as RFC 4380 says. */
function teredo(client: string): string {
  const [a = 0, b = 0, c = 0, d = 0] = client.split('.').map(Number);
  const hex = (n: number) => (~n & 0xffff).toString(16);
  return `2001:0:4136:e378:8000:63bf:${hex((a << 8) | b)}:${hex((c << 8) | d)}`;
}

const ALLOWED: Array<[string, string]> = [
  ['8.8.8.8', 'public IPv4'],
  ['1.1.1.1', 'public IPv4'],
  ['52.94.236.248', 'public IPv4 (AWS)'],
  ['2606:4700:4700::1111', 'global unicast IPv6'],
  ['2a00:1450:4001:80b::200e', 'global unicast IPv6'],
  ['::ffff:8.8.8.8', 'IPv4-mapped public address'],
  ['64:ff9b::808:808', 'NAT64 of a public address (DNS64 networks)'],
  ['2002:808:808::1', '6to4 of a public address'],
  [teredo('8.8.8.8'), 'Teredo with public server and client'],
];

const REFUSED: Array<[string, string]> = [
  ['0.0.0.0', 'unspecified'],
  ['0.1.2.3', '"this network" 0/8'],
  ['10.0.0.1', 'private 10/8'],
  ['172.16.0.1', 'private 172.16/12'],
  ['172.31.255.255', 'private 172.16/12, last'],
  ['192.168.1.1', 'private 192.168/16'],
  ['100.64.0.1', 'CGNAT 100.64/10'],
  ['100.127.255.254', 'CGNAT 100.64/10, last'],
  ['127.0.0.1', 'loopback'],
  ['127.255.255.254', 'loopback /8'],
  ['169.254.169.254', 'link-local (cloud metadata service)'],
  ['192.0.0.1', 'IETF protocol assignments 192.0.0/24'],
  ['192.0.2.1', 'documentation TEST-NET-1'],
  ['198.51.100.1', 'documentation TEST-NET-2'],
  ['203.0.113.1', 'documentation TEST-NET-3'],
  ['198.18.0.1', 'benchmarking 198.18/15'],
  ['198.19.255.255', 'benchmarking 198.18/15, last'],
  ['192.88.99.1', '6to4 relay anycast'],
  ['224.0.0.1', 'multicast'],
  ['239.255.255.250', 'multicast (SSDP)'],
  ['240.0.0.1', 'reserved 240/4'],
  ['255.255.255.255', 'broadcast'],
  ['::', 'IPv6 unspecified'],
  ['::1', 'IPv6 loopback'],
  ['::7f00:1', 'IPv4-compatible loopback ([::127.0.0.1])'],
  ['::a9fe:a9fe', 'IPv4-compatible metadata service'],
  ['::808:808', 'IPv4-compatible, even of a public address (deprecated form)'],
  ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
  ['::ffff:7f00:1', 'IPv4-mapped loopback, hex'],
  ['::ffff:169.254.169.254', 'IPv4-mapped metadata service'],
  ['::ffff:10.0.0.1', 'IPv4-mapped private'],
  ['::ffff:0:7f00:1', 'IPv4-translated (RFC 6145) loopback'],
  ['fe80::1', 'link-local'],
  ['fec0::1', 'site-local (deprecated)'],
  ['fc00::1', 'ULA fc00::/7'],
  ['fd12:3456:789a::1', 'ULA fd00::/8'],
  ['ff02::1', 'multicast link scope'],
  ['ff0e::1', 'multicast global scope'],
  ['2001:db8::1', 'documentation 2001:db8::/32'],
  ['3fff::1', 'documentation 3fff::/20'],
  ['2001:2::1', 'benchmarking 2001:2::/48'],
  ['100::1', 'discard-only 100::/64'],
  ['5f00::1', 'segment routing 5f00::/16'],
  ['1::1', 'outside 2000::/3'],
  ['4000::1', 'outside 2000::/3'],
  ['2002:7f00:1::1', '6to4 wrapping 127.0.0.1'],
  ['2002:a00:1::1', '6to4 wrapping 10.0.0.1'],
  ['2002:a9fe:a9fe::', '6to4 wrapping 169.254.169.254'],
  ['64:ff9b::7f00:1', 'NAT64 wrapping 127.0.0.1'],
  ['64:ff9b::a9fe:a9fe', 'NAT64 wrapping 169.254.169.254'],
  ['64:ff9b::c0a8:101', 'NAT64 wrapping 192.168.1.1'],
  ['64:ff9b:1::808:808', 'local-use NAT64 64:ff9b:1::/48 (layout unknown)'],
  [teredo('127.0.0.1'), 'Teredo with a loopback client'],
  [teredo('10.1.2.3'), 'Teredo with a private client'],
  ['localhost', 'not an IP literal'],
  ['127.1', 'not a canonical IP literal'],
  ['', 'empty'],
];

describe('isGlobalUnicast', () => {
  for (const [address, what] of ALLOWED) {
    it(`allows ${address} (${what})`, () => assert.equal(isGlobalUnicast(address), true));
  }
  for (const [address, what] of REFUSED) {
    it(`refuses ${address || '""'} (${what})`, () => assert.equal(isGlobalUnicast(address), false));
  }
});

// The fetch checks the hostname the URL parser produced (for IP literals) and the addresses the
// resolver produced (for names): each odd spelling of a refused address must still be refused there.
const URL_SPELLINGS: Array<[string, string]> = [
  ['https://2130706433/', '127.0.0.1 as one decimal number'],
  ['https://0x7f000001/', '127.0.0.1 as one hex number'],
  ['https://017700000001/', '127.0.0.1 as one octal number'],
  ['https://0177.0.0.1/', '127.0.0.1 with an octal part'],
  ['https://0x7f.1/', '127.0.0.1 with a hex part, two parts'],
  ['https://127.1/', '127.0.0.1 in two parts'],
  ['https://0/', '0.0.0.0 as one number'],
  ['https://4294967295/', '255.255.255.255 as one number'],
  ['https://0xa9.0xfe.0xa9.0xfe/', '169.254.169.254 in hex parts'],
  ['https://2852039166/', '169.254.169.254 as one decimal number'],
  ['https://[::127.0.0.1]/', 'IPv4-compatible with dotted tail'],
  ['https://[::7f00:1]/', 'IPv4-compatible'],
  ['https://[::ffff:127.0.0.1]/', 'IPv4-mapped with dotted tail'],
  ['https://[0:0:0:0:0:ffff:a9fe:a9fe]/', 'IPv4-mapped, long form'],
  ['https://[fec0::1]/', 'site-local'],
  ['https://[2002:7f00:1::]/', '6to4'],
  ['https://[64:ff9b::127.0.0.1]/', 'NAT64 with dotted tail'],
  ['https://[FE80::1]/', 'upper-case link-local'],
];

describe('IP literals as the URL parser spells them', () => {
  for (const [url, what] of URL_SPELLINGS) {
    it(`refuses ${url} (${what})`, () => {
      const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
      assert.equal(isGlobalUnicast(host), false, `${url} → ${host}`);
    });
  }
});

const RESOLVER_SPELLINGS = [
  '127.1',
  '0x7f.1',
  '2130706433',
  '017700000001',
  '0177.0.0.1',
  '0x7f000001',
  '169.254.43518',
  '0xa9fea9fe',
];

describe('numeric host names as the resolver reads them (inet_aton forms; no DNS query)', () => {
  const resolve = promisify(lookup);
  for (const name of RESOLVER_SPELLINGS) {
    it(`refuses every address "${name}" resolves to`, async () => {
      const addresses = (await resolve(name, { all: true })) as Array<{ address: string }>;
      assert.ok(addresses.length > 0);
      for (const { address } of addresses) assert.equal(isGlobalUnicast(address), false, `${name} → ${address}`);
    });
  }
});

describe('addressAllowed', () => {
  it('lets allowPrivateAddresses open every address over https', () => {
    for (const [address] of REFUSED.filter(([a]) => a !== '' && a !== 'localhost' && a !== '127.1'))
      assert.equal(addressAllowed(address, false, { allowPrivateAddresses: true }), true, address);
  });
  it('allows plain http to loopback only, whatever allowPrivateAddresses says', () => {
    for (const allowPrivateAddresses of [false, true]) {
      assert.equal(addressAllowed('127.0.0.1', true, { allowPrivateAddresses }), true);
      assert.equal(addressAllowed('::1', true, { allowPrivateAddresses }), true);
      assert.equal(addressAllowed('::ffff:127.0.0.1', true, { allowPrivateAddresses }), true);
      assert.equal(addressAllowed('8.8.8.8', true, { allowPrivateAddresses }), false);
      assert.equal(addressAllowed('169.254.169.254', true, { allowPrivateAddresses }), false);
    }
  });
  it('isLoopback knows only loopback', () => {
    assert.deepEqual(
      ['127.0.0.1', '127.9.9.9', '::1', '::ffff:127.0.0.1', '10.0.0.1', '::', 'localhost'].map(isLoopback),
      [true, true, true, true, false, false, false],
    );
  });
});
