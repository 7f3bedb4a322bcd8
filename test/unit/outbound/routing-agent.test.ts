// Agent selection for the AWS SDK's request handler: per target, the proxy's CONNECT agent
// (https), its absolute-form agent (http), or a direct agent when NO_PROXY covers the target.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ClientRequest } from 'node:http';
import http from 'node:http';
import https from 'node:https';
import { HttpProxyAgent } from 'http-proxy-agent';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { OutboundProxy } from '../../../src/outbound/proxy-route.ts';
import { outboundAgents, proxyAgent, type RoutingAgent } from '../../../src/outbound/routing-agent.ts';

const request = {} as ClientRequest; // connect() decides from the target options alone
const route = new OutboundProxy({
  httpsUrl: 'http://proxy.corp:3128',
  httpUrl: 'http://proxy.corp:3129',
  noProxy: ['127.0.0.1', '.internal'],
});

function agents(): { httpAgent: RoutingAgent; httpsAgent: RoutingAgent } {
  const pair = outboundAgents(route);
  assert.ok(pair !== undefined);
  return pair as { httpAgent: RoutingAgent; httpsAgent: RoutingAgent };
}

describe('outboundAgents', () => {
  it('leaves the SDK its own agents when no proxy is configured', () => {
    assert.equal(outboundAgents(new OutboundProxy({ noProxy: ['*'] })), undefined);
  });

  it('gives https targets a CONNECT agent for HTTPS_PROXY, shared across hosts', () => {
    const { httpsAgent } = agents();
    const sts = httpsAgent.connect(request, { host: 'sts.eu-west-1.amazonaws.com', port: 443, secureEndpoint: true });
    const redshift = httpsAgent.connect(request, {
      host: 'redshift.eu-west-1.amazonaws.com',
      port: 443,
      secureEndpoint: true,
    });
    assert.ok(sts instanceof HttpsProxyAgent);
    assert.equal(sts.proxy.href, 'http://proxy.corp:3128/');
    assert.equal(redshift, sts);
    httpsAgent.destroy();
  });

  it('gives http targets an absolute-form agent for HTTP_PROXY', () => {
    const { httpAgent } = agents();
    const agent = httpAgent.connect(request, { host: 'emulator.corp', port: 4566, secureEndpoint: false });
    assert.ok(agent instanceof HttpProxyAgent);
    assert.equal(agent.proxy.href, 'http://proxy.corp:3129/');
    httpAgent.destroy();
  });

  it('connects directly to targets NO_PROXY covers, with TLS for https', () => {
    const { httpAgent, httpsAgent } = agents();
    const plain = httpAgent.connect(request, { host: '127.0.0.1', port: 4566, secureEndpoint: false });
    const tls = httpsAgent.connect(request, { host: 'redshift.vpce.internal', port: 443, secureEndpoint: true });
    assert.ok(plain instanceof http.Agent && !(plain instanceof HttpProxyAgent));
    assert.ok(tls instanceof https.Agent);
    httpAgent.destroy();
    httpsAgent.destroy();
  });

  it('declares its protocol, as https.request checks it against the agent', () => {
    const { httpAgent, httpsAgent } = agents();
    assert.equal(httpsAgent.protocol, 'https:');
    assert.equal(httpAgent.protocol, 'http:');
    assert.equal(httpsAgent.defaultPort, 443);
  });
});

describe('proxyAgent', () => {
  it('tunnels https targets and forwards http ones in absolute form', () => {
    const proxy = new URL('http://127.0.0.1:3128');
    assert.ok(proxyAgent(proxy, true) instanceof HttpsProxyAgent);
    assert.ok(proxyAgent(proxy, false) instanceof HttpProxyAgent);
  });
});
