// Counters for /metrics (Prometheus text format), kept in memory per instance.

export interface Metrics {
  inc(name: string, labels?: Record<string, string>): void;
  render(): string;
}

export function createMetrics(): Metrics {
  const counters = new Map<string, number>();
  const key = (name: string, labels: Record<string, string> = {}) => {
    const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, '_')}"`);
    return parts.length === 0 ? name : `${name}{${parts.join(',')}}`;
  };
  return {
    inc(name, labels) {
      const k = key(name, labels);
      counters.set(k, (counters.get(k) ?? 0) + 1);
    },
    render() {
      const names = new Set([...counters.keys()].map((k) => k.split('{')[0]));
      const lines: string[] = [];
      for (const name of names) {
        lines.push(`# TYPE ${name} counter`);
        for (const [k, v] of counters) if (k.split('{')[0] === name) lines.push(`${k} ${v}`);
      }
      return `${lines.join('\n')}\n`;
    },
  };
}
