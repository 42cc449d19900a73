/** A kubeconfig that points kubectl and client libraries at the simulator. */
import { stringify } from 'yaml';

export function kubeconfigYaml(args: { server: string; caPem: string | undefined; token: string | undefined }): string {
  const cluster: Record<string, unknown> = { server: args.server };
  if (args.caPem) cluster['certificate-authority-data'] = Buffer.from(args.caPem).toString('base64');
  // @kubernetes/client-node refuses plain http unless TLS verification is explicitly skipped.
  else if (args.server.startsWith('http:')) cluster['insecure-skip-tls-verify'] = true;
  const user: Record<string, unknown> = args.token ? { token: args.token } : {};
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'spark-sim', cluster }],
    users: [{ name: 'spark-sim', user }],
    contexts: [{ name: 'spark-sim', context: { cluster: 'spark-sim', user: 'spark-sim' } }],
    'current-context': 'spark-sim',
    preferences: {},
  });
}
