/**
 * The simulated drivers' UIs, all behind one HTTP port: `GET /metrics/executors/prometheus` and
 * `GET /metrics/prometheus` answer for the driver named by `?driver=<namespace>/<pod>` (Prometheus
 * sends it from the target's `__param_driver` label), and `GET /sd` lists the driver Services'
 * endpoints in Prometheus' HTTP service discovery format, with the `__meta_kubernetes_*` labels
 * Kubernetes endpoints discovery would attach: the Service's only Spark label
 * (`spark-app-selector`) and one target per Service port (`driver-rpc-port`, `blockmanager`,
 * `spark-ui`), so a scrape config made from the generated ServiceMonitor is tested on what it
 * would see in a cluster: it must keep the UI port and drop the others (which point nowhere).
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import type { World } from './world.js';
import { prometheusResource, prometheusServlet } from './spark-metrics.js';

/** Where a dropped port's target points: nothing listens there, so scraping it would fail. */
const NOWHERE = '127.0.0.1:1';

export class DriverUi {
  private readonly server: http.Server;
  private readonly sockets = new Set<Socket>();
  private port = 0;

  constructor(
    private readonly world: World,
    private readonly host: string,
  ) {
    this.server = http.createServer((req, res) => this.handle(req, res));
    this.server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  async listen(port = 0): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, this.host, () => {
        this.server.off('error', reject);
        const addr = this.server.address();
        if (addr && typeof addr === 'object') this.port = addr.port;
        resolve();
      });
    });
  }

  url(): string {
    return `http://${this.host.includes(':') ? `[${this.host}]` : this.host}:${this.port}`;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.method !== 'GET') return this.send(res, 405, 'text/plain', 'method not allowed\n');
    if (url.pathname === '/sd') return this.send(res, 200, 'application/json', JSON.stringify(this.targets()));
    const driver = url.searchParams.get('driver') ?? '';
    const d = this.world.spark.drivers().find((x) => `${x.namespace}/${x.driverPod}` === driver);
    if (url.pathname !== '/metrics/executors/prometheus' && url.pathname !== '/metrics/prometheus') return this.send(res, 404, 'text/plain', 'not found\n');
    // A driver that ended has no UI any more: the scrape fails as it would in a cluster.
    if (!d) return this.send(res, 404, 'text/plain', `no running driver ${driver}\n`);
    // Both as Spark serves them: text/plain, no HELP/TYPE lines.
    const body = url.pathname === '/metrics/prometheus' ? prometheusServlet(d) : prometheusResource(d, this.world.now());
    this.send(res, 200, 'text/plain; charset=utf-8', body);
  }

  /** HTTP SD target groups: one per port of each running driver's Service. */
  targets(): Array<{ targets: string[]; labels: Record<string, string> }> {
    const self = `${this.host.includes(':') ? `[${this.host}]` : this.host}:${this.port}`;
    const ports: Array<[string, number]> = [['driver-rpc-port', 7078], ['blockmanager', 7079], ['spark-ui', 4040]];
    return this.world.spark.drivers().flatMap((d) =>
      ports.map(([name, number]) => ({
        targets: [name === 'spark-ui' ? self : NOWHERE],
        labels: {
          __meta_kubernetes_namespace: d.namespace,
          __meta_kubernetes_service_name: d.serviceName,
          __meta_kubernetes_service_label_spark_app_selector: d.appId,
          __meta_kubernetes_service_labelpresent_spark_app_selector: 'true',
          __meta_kubernetes_endpoint_port_name: name,
          __meta_kubernetes_endpoint_port_protocol: 'TCP',
          __meta_kubernetes_endpoint_ready: 'true',
          __meta_kubernetes_pod_name: d.driverPod,
          __meta_kubernetes_pod_container_name: 'spark-kubernetes-driver',
          __meta_kubernetes_pod_container_port_name: name,
          __meta_kubernetes_pod_container_port_number: String(number),
          __param_driver: `${d.namespace}/${d.driverPod}`,
        },
      })),
    );
  }

  private send(res: http.ServerResponse, code: number, type: string, body: string): void {
    res.writeHead(code, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  }
}
