// HTTP agents that send each request either straight to its target or through the outbound proxy,
// as OutboundProxy decides for that target: CONNECT tunnels (https-proxy-agent) for https targets,
// absolute-form requests (http-proxy-agent) for plain http ones. Handed to the AWS SDK's request
// handler, which picks the agent by protocol only, so the per-host NO_PROXY decision lives here.
import type { ClientRequest } from 'node:http';
import http from 'node:http';
import https from 'node:https';
import { isIPv6 } from 'node:net';
import { Agent, type AgentConnectOpts } from 'agent-base';
import { HttpProxyAgent } from 'http-proxy-agent';
import { HttpsProxyAgent } from 'https-proxy-agent';
import type { OutboundProxy } from './proxy-route.ts';

// The AWS SDK's own default agent settings (@smithy/node-http-handler).
const POOL = { keepAlive: true, maxSockets: 50 };

/** An agent that reaches `https:` (or `http:`) targets through `proxy`. */
export function proxyAgent(proxy: URL, secureTarget: boolean, options: http.AgentOptions = {}): Agent {
  return secureTarget ? new HttpsProxyAgent(proxy, options) : new HttpProxyAgent(proxy, options);
}

export class RoutingAgent extends Agent {
  private readonly direct: http.Agent;
  private readonly viaProxy = new Map<string, Agent>();

  constructor(
    private readonly route: OutboundProxy,
    private readonly secure: boolean,
  ) {
    super(POOL);
    // agent-base otherwise guesses the protocol from the call stack.
    this.protocol = secure ? 'https:' : 'http:';
    this.direct = secure ? new https.Agent(POOL) : new http.Agent(POOL);
  }

  override isSecureEndpoint(): boolean {
    return this.secure;
  }

  connect(_req: ClientRequest, opts: AgentConnectOpts): http.Agent {
    const host = opts.host ?? 'localhost';
    const target = new URL(
      `${this.protocol}//${isIPv6(host) ? `[${host}]` : host}:${String(opts.port ?? this.defaultPort)}/`,
    );
    const proxy = this.route.proxyFor(target);
    if (proxy === undefined) return this.direct;
    let agent = this.viaProxy.get(proxy.href);
    if (agent === undefined) {
      agent = proxyAgent(proxy, this.secure, POOL);
      this.viaProxy.set(proxy.href, agent);
    }
    return agent;
  }

  override destroy(): void {
    super.destroy();
    this.direct.destroy();
    for (const agent of this.viaProxy.values()) agent.destroy();
    this.viaProxy.clear();
  }
}

/**
 * A fresh pair for one SDK client, or undefined when no proxy is configured (the SDK's defaults).
 * Fresh because destroying an SDK client destroys its agents, sockets in use included.
 */
export function outboundAgents(route: OutboundProxy): { httpAgent: http.Agent; httpsAgent: http.Agent } | undefined {
  if (!route.enabled) return undefined;
  return { httpAgent: new RoutingAgent(route, false), httpsAgent: new RoutingAgent(route, true) };
}
