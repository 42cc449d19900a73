/** Legacy discovery documents (kubectl falls back to them when aggregated discovery is not offered). */
import { CORE_RESOURCES, SPARK_CRDS, storeOf, type ResourceDef } from './resources.js';

function resourceList(groupVersion: string, defs: ResourceDef[]): Record<string, unknown> {
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion,
    resources: defs.flatMap((d) => {
      const main: Record<string, unknown> = { name: d.resource, singularName: d.singular, namespaced: d.namespaced, kind: d.kind, verbs: d.verbs, storageVersionHash: Buffer.from(d.kind).toString('base64').slice(0, 11) };
      if (d.shortNames.length) main['shortNames'] = d.shortNames;
      if (d.categories) main['categories'] = d.categories;
      const out: Array<Record<string, unknown>> = [main];
      if (d.resource === 'pods' || d.resource === 'resourcequotas' || d.resource === 'sparkapplications' || d.resource === 'scheduledsparkapplications' || d.resource === 'nodes' || d.resource === 'namespaces') {
        out.push({ name: `${d.resource}/status`, singularName: '', namespaced: d.namespaced, kind: d.kind, verbs: ['get', 'patch', 'update'] });
      }
      return out;
    }),
  };
}

export function coreVersions(serverAddress: string): Record<string, unknown> {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

export function coreResources(): Record<string, unknown> {
  return resourceList('v1', CORE_RESOURCES);
}

/** The installed CRDs' resources per API group, groups in a stable order. */
function groups(installed: ReadonlySet<string>): Map<string, ResourceDef[]> {
  const out = new Map<string, ResourceDef[]>();
  for (const d of SPARK_CRDS) {
    if (!installed.has(storeOf(d))) continue;
    const list = out.get(d.group) ?? [];
    list.push(d);
    out.set(d.group, list);
  }
  return out;
}

function groupDoc(group: string, defs: readonly ResourceDef[]): Record<string, unknown> {
  const version = defs[0]?.version ?? 'v1';
  const gv = { groupVersion: `${group}/${version}`, version };
  return { name: group, versions: [gv], preferredVersion: gv };
}

export function groupList(installed: ReadonlySet<string>): Record<string, unknown> {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: [...groups(installed)].map(([g, defs]) => groupDoc(g, defs)) };
}

/** `/apis/<group>`, or undefined when none of its CRDs is installed. */
export function groupDocument(installed: ReadonlySet<string>, group: string): Record<string, unknown> | undefined {
  const defs = groups(installed).get(group);
  return defs ? { kind: 'APIGroup', apiVersion: 'v1', ...groupDoc(group, defs) } : undefined;
}

/** `/apis/<group>/<version>`: the installed resources of the group. */
export function groupResources(installed: ReadonlySet<string>, group: string, version: string): Record<string, unknown> | undefined {
  const defs = groups(installed).get(group)?.filter((d) => d.version === version);
  return defs && defs.length > 0 ? resourceList(`${group}/${version}`, defs) : undefined;
}

export function version(): Record<string, unknown> {
  return { major: '1', minor: '33', gitVersion: 'v1.33.2-spark-sim', gitCommit: '0000000000000000000000000000000000000000', gitTreeState: 'clean', buildDate: '2025-06-01T00:00:00Z', goVersion: 'go1.24.4', compiler: 'gc', platform: 'linux/amd64' };
}
