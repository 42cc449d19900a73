/**
 * The kubelet's `/metrics/cadvisor` for the simulator's running pods, in cAdvisor's own exposition:
 * the families the bundle reads (`container_memory_working_set_bytes`, stamped with the stats
 * time; `container_spec_memory_limit_bytes`, unstamped, 0 for "unlimited"), the label set cAdvisor
 * gives every series (`container, id, image, name, namespace, pod`), Go's float formatting, and the
 * series a real node has beside the Spark container: the root and kubepods cgroups (no pod), each
 * pod's cgroup (`container=""`, `image=""`) and its pause sandbox (`container=""`, the pause image,
 * as containerd reports it). A rule that does not filter those out double-counts or mislabels.
 * The simulator is one kubelet for all its nodes.
 */
import { createHash } from 'node:crypto';
import { workingSetFraction, type MemoryPlan } from './memory.js';
import { parseQuantity } from './quantity.js';
import type { Pod } from './types.js';

const PAUSE_IMAGE = 'registry.k8s.io/pause:3.9';
const PAUSE_BYTES = 405_504;
const PAGE = 4096;

interface Series {
  labels: { container: string; id: string; image: string; name: string; namespace: string; pod: string };
  workingSet: number;
  limit: number;
}

/** Go's strconv.FormatFloat(v, 'g', -1, 64), as the Prometheus Go client prints values. */
export function goFloat(v: number): string {
  if (v === 0) return '0';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : v < 0 ? '-Inf' : 'NaN';
  const exp = Math.floor(Math.log10(Math.abs(v)));
  if (exp < -4 || exp >= 6) {
    const [mant, e] = v.toExponential().split('e');
    const n = Number(e);
    return `${mant}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
  }
  return String(v);
}

const hex64 = (s: string) => createHash('sha256').update(s).digest('hex');
/** A stable number in [0, 1) per pod, spreading pods over the memory model's settled range. */
const unit = (s: string) => parseInt(hex64(s).slice(0, 8), 16) / 2 ** 32;
const escape = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

function bytes(q: string | undefined): number {
  if (q === undefined) return 0;
  try {
    return parseQuantity(q);
  } catch {
    return 0;
  }
}

function podSeries(pod: Pod, t: number, planOf: (pod: Pod) => MemoryPlan | undefined): Series[] {
  const ns = pod.metadata.namespace ?? '';
  const name = pod.metadata.name;
  const uid = pod.metadata.uid ?? name;
  const qos = (pod.status.qosClass ?? 'Burstable').toLowerCase();
  const podCgroup = qos === 'guaranteed' ? `/kubepods.slice/kubepods-pod${uid.replace(/-/g, '_')}.slice` : `/kubepods.slice/kubepods-${qos}.slice/kubepods-${qos}-pod${uid.replace(/-/g, '_')}.slice`;
  const out: Series[] = [];
  const sandbox = hex64(`${uid}/sandbox`);
  out.push({ labels: { container: '', id: `${podCgroup}/cri-containerd-${sandbox}.scope`, image: PAUSE_IMAGE, name: sandbox, namespace: ns, pod: name }, workingSet: PAUSE_BYTES, limit: 0 });
  let total = PAUSE_BYTES;
  let totalLimit = 0;
  let unlimited = false;
  const plan = planOf(pod);
  for (const c of pod.spec.containers) {
    const status = pod.status.containerStatuses?.find((s) => s.name === c.name);
    if (!status?.state.running) continue;
    const limit = bytes(c.resources?.limits?.['memory']);
    // Without a limit the model is taken against the request: the container still has a size.
    const size = limit || bytes(c.resources?.requests?.['memory']);
    const startedAt = plan?.startedAt ?? Date.parse(status.state.running.startedAt);
    const ws = Math.round((workingSetFraction({ startedAt, oomAt: plan?.oomAt }, t, unit(`${uid}/${c.name}`)) * size) / PAGE) * PAGE;
    const id = hex64(`${uid}/${c.name}`);
    out.push({ labels: { container: c.name, id: `${podCgroup}/cri-containerd-${id}.scope`, image: status.image || c.image, name: id, namespace: ns, pod: name }, workingSet: ws, limit });
    total += ws;
    totalLimit += limit;
    if (limit === 0) unlimited = true;
  }
  out.push({ labels: { container: '', id: podCgroup, image: '', name: '', namespace: ns, pod: name }, workingSet: total, limit: unlimited ? 0 : totalLimit });
  return out;
}

/**
 * The exposition for `pods` at simulated time `t`; `stampMs` is the stats time written beside the
 * working set (the scrape's wall clock: Prometheus honours it and must not see it in the future).
 */
export function cadvisorExposition(pods: Iterable<Pod>, t: number, stampMs: number, planOf: (pod: Pod) => MemoryPlan | undefined): string {
  const series: Series[] = [];
  for (const pod of pods) {
    if (pod.status.phase !== 'Running' || pod.metadata.deletionTimestamp) continue;
    series.push(...podSeries(pod, t, planOf));
  }
  const podsTotal = series.filter((s) => s.labels.container === '' && s.labels.image === '').reduce((a, s) => a + s.workingSet, 0);
  const system = { container: '', image: '', name: '', namespace: '', pod: '' };
  series.unshift(
    { labels: { ...system, id: '/' }, workingSet: podsTotal + 2_147_483_648, limit: 0 },
    { labels: { ...system, id: '/kubepods.slice' }, workingSet: podsTotal, limit: 0 },
  );
  const line = (metric: string, s: Series, value: number, stamp: boolean) => {
    const l = s.labels;
    const labels = `container="${escape(l.container)}",id="${escape(l.id)}",image="${escape(l.image)}",name="${escape(l.name)}",namespace="${escape(l.namespace)}",pod="${escape(l.pod)}"`;
    return `${metric}{${labels}} ${goFloat(value)}${stamp ? ` ${stampMs}` : ''}`;
  };
  return [
    '# HELP container_memory_working_set_bytes Current working set in bytes.',
    '# TYPE container_memory_working_set_bytes gauge',
    ...series.map((s) => line('container_memory_working_set_bytes', s, s.workingSet, true)),
    '# HELP container_spec_memory_limit_bytes Memory limit for the container.',
    '# TYPE container_spec_memory_limit_bytes gauge',
    ...series.map((s) => line('container_spec_memory_limit_bytes', s, s.limit, false)),
    '',
  ].join('\n');
}
