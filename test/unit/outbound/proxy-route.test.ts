// Which proxy a target goes through: HTTPS_PROXY for https, HTTP_PROXY for http (no fallback),
// and the NO_PROXY entries that send a target direct: *, names with their subdomains, IP
// addresses, host:port, CIDR ranges. Names are never resolved to match address entries.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { OutboundProxy } from '../../../src/outbound/proxy-route.ts';

const HTTPS_PROXY = 'http://proxy.corp:3128/';
const HTTP_PROXY = 'http://proxy.corp:3129/';

const route = (
  noProxy: string[],
  settings: { httpsUrl?: string; httpUrl?: string } = { httpsUrl: HTTPS_PROXY, httpUrl: HTTP_PROXY },
) => new OutboundProxy({ ...settings, noProxy });
const proxyOf = (r: OutboundProxy, url: string) => r.proxyFor(new URL(url))?.href ?? 'direct';

describe('OutboundProxy.proxyFor', () => {
  it('picks HTTPS_PROXY for https targets and HTTP_PROXY for http targets', () => {
    assert.equal(proxyOf(route([]), 'https://sts.eu-west-1.amazonaws.com/'), HTTPS_PROXY);
    assert.equal(proxyOf(route([]), 'http://emulator.local:4566/'), HTTP_PROXY);
  });

  it('does not fall back from one to the other, and is off without either', () => {
    assert.equal(proxyOf(route([], { httpsUrl: HTTPS_PROXY }), 'http://emulator.local:4566/'), 'direct');
    assert.equal(proxyOf(route([], { httpUrl: HTTP_PROXY }), 'https://sts.amazonaws.com/'), 'direct');
    assert.equal(route([], {}).enabled, false);
    assert.equal(proxyOf(route([], {}), 'https://sts.amazonaws.com/'), 'direct');
  });

  const cases: Array<[string, string[], string, boolean]> = [
    ['* covers everything', ['*'], 'https://sts.amazonaws.com/', true],
    ['a name covers itself', ['amazonaws.com'], 'https://amazonaws.com/', true],
    ['a name covers its subdomains', ['amazonaws.com'], 'https://sts.eu-west-1.amazonaws.com/', true],
    ['a name is no mere string suffix', ['amazonaws.com'], 'https://notamazonaws.com/', false],
    ['a leading dot: subdomains', ['.amazonaws.com'], 'https://redshift.us-east-1.amazonaws.com/', true],
    ['a leading dot: the name itself too (as curl)', ['.amazonaws.com'], 'https://amazonaws.com/', true],
    ['a leading *.', ['*.corp.example'], 'https://idp.corp.example/', true],
    ['names compare without case', ['IDP.Corp.Example'], 'https://idp.corp.example/', true],
    ['a trailing dot in the target', ['idp.corp.example'], 'https://idp.corp.example./m', true],
    ['name:port, that port', ['idp.corp:8443'], 'https://idp.corp:8443/m', true],
    ['name:port, another port', ['idp.corp:8443'], 'https://idp.corp/m', false],
    ['name:port against the default port', ['idp.corp:443'], 'https://idp.corp/m', true],
    ['an IPv4 address', ['127.0.0.1'], 'http://127.0.0.1:4566/', true],
    ['an IPv4 address does not cover a name resolving to it', ['127.0.0.1'], 'http://localhost:4566/', false],
    ['a name does not cover an address', ['localhost'], 'http://127.0.0.1:4566/', false],
    ['an IPv4 address covers its IPv4-mapped IPv6 form', ['127.0.0.1'], 'http://[::ffff:127.0.0.1]:4566/', true],
    ['address:port, that port', ['127.0.0.1:4566'], 'http://127.0.0.1:4566/', true],
    ['address:port, another port', ['127.0.0.1:4566'], 'http://127.0.0.1:4567/', false],
    ['an IPv6 address', ['::1'], 'http://[::1]:8080/', true],
    ['[IPv6]:port, that port', ['[::1]:8080'], 'http://[::1]:8080/', true],
    ['[IPv6]:port, another port', ['[::1]:8080'], 'http://[::1]:8081/', false],
    ['an IPv4 CIDR range, inside', ['10.0.0.0/8'], 'https://10.1.2.3/', true],
    ['an IPv4 CIDR range, outside', ['10.0.0.0/8'], 'https://11.0.0.1/', false],
    ['a CIDR range does not cover a name', ['10.0.0.0/8'], 'https://ten.corp.example/', false],
    ['an IPv6 CIDR range', ['fd00::/8'], 'https://[fd12:3456::1]/', true],
    ['an IPv4 range does not cover IPv6', ['0.0.0.0/0'], 'https://[2001:db8::1]/', false],
    ['one matching entry in a list is enough', ['a.example', 'b.example', '127.0.0.1'], 'http://127.0.0.1:1/', true],
  ];
  for (const [name, noProxy, url, direct] of cases) {
    it(`NO_PROXY ${JSON.stringify(noProxy)}: ${name} (${direct ? 'direct' : 'proxied'})`, () => {
      assert.equal(
        proxyOf(route(noProxy), url),
        direct ? 'direct' : url.startsWith('https:') ? HTTPS_PROXY : HTTP_PROXY,
      );
    });
  }
});

describe('OutboundProxy NO_PROXY entries it cannot read', () => {
  const ignored = ['10.*', '<local>', 'host:99999', '[not-an-address]', '300.1.1.1/8', 'bad_host!'];

  it('lists them, and they match nothing', () => {
    const r = route(['idp.corp', ...ignored]);
    assert.deepEqual(r.ignoredEntries, ignored);
    for (const url of ['https://10.1.2.3/', 'https://local/', 'https://host/', 'https://bad_host/'])
      assert.equal(proxyOf(r, url), HTTPS_PROXY, url);
    assert.equal(proxyOf(r, 'https://idp.corp/'), 'direct');
  });
});

describe('OutboundProxy.describe', () => {
  it('shows the proxies without user or password, and the entries as understood', () => {
    const r = new OutboundProxy({
      httpsUrl: 'http://svc:hunter2@proxy.corp:3128',
      httpUrl: 'https://[::1]:8443',
      noProxy: ['.Corp.Example', '[::1]:80', '10.0.0.0/8', '10.*'],
    });
    const shown = r.describe();
    assert.deepEqual(shown, {
      httpsProxy: 'http://proxy.corp:3128',
      httpProxy: 'https://[::1]:8443',
      noProxy: ['corp.example', '[::1]:80', '10.0.0.0/8'],
      ignoredNoProxy: ['10.*'],
    });
    assert.ok(!JSON.stringify(shown).includes('hunter2'));
  });
});
