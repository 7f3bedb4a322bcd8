// Several workers' registries summed into one exposition (what the cluster primary serves):
// the service's counters and histograms add up per label set, and process metrics labelled by
// worker stay one series per worker.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { aggregateSnapshots, createMetrics } from '../../src/metrics.ts';

const line = (text: string, series: string) => text.split('\n').find((l) => l.startsWith(`${series} `));

describe('aggregateSnapshots', () => {
  it('sums counters and histograms over workers and keeps process metrics per worker', async () => {
    const one = createMetrics({ processMetrics: true, processLabels: { worker: '1' } });
    const two = createMetrics({ processMetrics: true, processLabels: { worker: '2' } });
    one.signIn('corp', 'ok');
    one.signIn('corp', 'ok');
    two.signIn('corp', 'ok');
    two.signIn('corp', 'refused');
    one.httpRequest({ method: 'POST', route: '/saml/acs/:idp', status: '303' }, 0.02);
    two.httpRequest({ method: 'POST', route: '/saml/acs/:idp', status: '303' }, 2);
    two.awsCall('AssumeRoleWithSAML', 'ok', 0.03);

    const text = await aggregateSnapshots([await one.snapshot(), await two.snapshot()]);
    assert.equal(
      line(text, 'redshift_sso_logins_total{idp="corp",outcome="ok"}'),
      'redshift_sso_logins_total{idp="corp",outcome="ok"} 3',
    );
    assert.equal(
      line(text, 'redshift_sso_logins_total{idp="corp",outcome="refused"}'),
      'redshift_sso_logins_total{idp="corp",outcome="refused"} 1',
    );
    const http = 'redshift_sso_http_request_duration_seconds';
    assert.match(line(text, `${http}_count{method="POST",route="/saml/acs/:idp",status="303"}`) ?? '', / 2$/);
    assert.match(
      line(text, `${http}_bucket{le="0.025",method="POST",route="/saml/acs/:idp",status="303"}`) ?? '',
      / 1$/,
      'only the fast one',
    );
    assert.match(
      line(text, `${http}_bucket{le="+Inf",method="POST",route="/saml/acs/:idp",status="303"}`) ?? '',
      / 2$/,
    );
    assert.match(
      line(text, 'redshift_sso_aws_call_duration_seconds_count{api="AssumeRoleWithSAML",outcome="ok"}') ?? '',
      / 1$/,
    );
    assert.match(text, /^# TYPE redshift_sso_logins_total counter$/m);
    // One heap series per worker, each that worker's own value: labelled, never summed.
    assert.equal(text.match(/^nodejs_heap_size_used_bytes\{worker="(1|2)"\} \d/gm)?.length, 2, text);
  });

  it('renders a single registry without a worker label when none is given', async () => {
    const alone = createMetrics({ processMetrics: true });
    assert.match(await alone.render(), /^nodejs_heap_size_used_bytes \d/m);
  });
});
