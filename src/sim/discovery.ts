/** Legacy discovery documents (kubectl falls back to them when aggregated discovery is not offered). */
import { CORE_RESOURCES, SPARK_APPLICATIONS, SPARK_GROUP, SPARK_VERSION, type ResourceDef } from './resources.js';

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
      if (d.resource === 'pods' || d.resource === 'resourcequotas' || d.resource === 'sparkapplications' || d.resource === 'nodes' || d.resource === 'namespaces') {
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

function sparkGroup(): Record<string, unknown> {
  const gv = { groupVersion: `${SPARK_GROUP}/${SPARK_VERSION}`, version: SPARK_VERSION };
  return { name: SPARK_GROUP, versions: [gv], preferredVersion: gv };
}

export function groupList(crd: boolean): Record<string, unknown> {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: crd ? [sparkGroup()] : [] };
}

export function sparkGroupDoc(): Record<string, unknown> {
  return { kind: 'APIGroup', apiVersion: 'v1', ...sparkGroup() };
}

export function sparkResources(): Record<string, unknown> {
  return resourceList(`${SPARK_GROUP}/${SPARK_VERSION}`, [SPARK_APPLICATIONS]);
}

export function version(): Record<string, unknown> {
  return { major: '1', minor: '33', gitVersion: 'v1.33.2-spark-sim', gitCommit: '0000000000000000000000000000000000000000', gitTreeState: 'clean', buildDate: '2025-06-01T00:00:00Z', goVersion: 'go1.24.4', compiler: 'gc', platform: 'linux/amd64' };
}
