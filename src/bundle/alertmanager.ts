/**
 * An example Alertmanager configuration routing our alerts by team, then namespace, then severity
 * (what users asked the operator chart for: per-team routing). The receivers are placeholders a
 * user replaces with their Slack/PagerDuty/e-mail settings; the tree is what matters and what the
 * tests check with `amtool config routes test`.
 */
import type { BundleConfig } from './config.js';

export interface ExampleTeam {
  team: string;
  /** Namespaces of the team with their own receivers (e.g. production pipelines that page). */
  namespaces: string[];
}

/** Example teams, as in the reference article: one ETL team with a production namespace, one analytics team. */
export const EXAMPLE_TEAMS: ExampleTeam[] = [
  { team: 'team-alpha', namespaces: ['spark-etl-prod'] },
  { team: 'team-beta', namespaces: [] },
];

interface Route {
  receiver: string;
  matchers?: string[];
  group_by?: string[];
  continue?: boolean;
  routes?: Route[];
}

/** Critical pages, warning goes to chat, info to a low-noise channel. */
function severityRoutes(prefix: string): Route[] {
  return [
    { receiver: `${prefix}-pager`, matchers: ['severity="critical"'] },
    { receiver: `${prefix}-chat`, matchers: ['severity="warning"'] },
    { receiver: `${prefix}-info`, matchers: ['severity="info"'] },
  ];
}

export function alertmanagerExample(cfg: BundleConfig, teams: ExampleTeam[] = EXAMPLE_TEAMS): Record<string, unknown> {
  const ns = cfg.namespaceLabel;
  const team = cfg.teamLabel;
  const receivers: string[] = ['default', 'spark-platform-pager', 'spark-platform-chat', 'spark-platform-info'];
  const teamRoutes: Route[] = teams.map((t) => {
    const nsRoutes: Route[] = t.namespaces.map((n) => {
      for (const s of ['pager', 'chat', 'info']) receivers.push(`${n}-${s}`);
      return { receiver: `${n}-chat`, matchers: [`${ns}="${n}"`], routes: severityRoutes(n) };
    });
    for (const s of ['chat', 'pager', 'info']) receivers.push(`${t.team}-${s}`);
    return {
      receiver: `${t.team}-chat`,
      matchers: [`${team}="${t.team}"`],
      routes: [...nsRoutes, ...severityRoutes(t.team)],
    };
  });
  return {
    global: { resolve_timeout: '5m' },
    route: {
      receiver: 'default',
      group_by: ['alertname', cfg.clusterLabel, ns, team],
      group_wait: '30s',
      group_interval: '5m',
      repeat_interval: '4h',
      routes: [
        // The exporter's own health belongs to whoever runs the platform, not to a Spark team.
        { receiver: 'spark-platform-chat', matchers: ['alertname=~"SparkK8sExporter.*"'], routes: severityRoutes('spark-platform') },
        ...teamRoutes,
        // Spark alerts without a known team (unlabelled namespace) still reach the platform team.
        { receiver: 'spark-platform-chat', matchers: ['alertname=~"Spark.*"'], routes: severityRoutes('spark-platform') },
      ],
    },
    inhibit_rules: [
      {
        // An exhausted quota explains the nearly-full warning for the same quota resource.
        source_matchers: ['alertname="SparkNamespaceQuotaExhausted"'],
        target_matchers: ['alertname=~"SparkNamespaceQuotaNearlyFull|SparkNamespaceQuotaExhaustionForecast"'],
        equal: [ns, 'quota', 'resource'],
      },
      {
        // While creates are blocked the same application's rejected creates are the same story; the
        // rejected alert still speaks on its own once the quota frees (the ids are confirmed then).
        source_matchers: ['alertname="SparkExecutorsBlockedByQuota"'],
        target_matchers: ['alertname="SparkExecutorCreatesRejected"'],
        equal: [cfg.clusterLabel, ns, 'app_id'],
      },
      {
        // With the exporter down every other Spark alert is blind anyway; do not add noise.
        source_matchers: ['alertname="SparkK8sExporterDown"'],
        target_matchers: ['alertname="SparkK8sExporterNotSynced"'],
        equal: ['instance'],
      },
    ],
    receivers: [...new Set(receivers)].sort().map((name) => ({ name })),
  };
}
