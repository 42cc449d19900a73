{{/*
Chart name, truncated to the 63 characters a label value allows.
*/}}
{{- define "spark-k8s-exporter.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Full name: the release name alone when it already contains the chart name.
*/}}
{{- define "spark-k8s-exporter.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "spark-k8s-exporter.namespace" -}}
{{- default .Release.Namespace .Values.namespaceOverride -}}
{{- end -}}

{{- define "spark-k8s-exporter.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "spark-k8s-exporter.selectorLabels" -}}
app.kubernetes.io/name: {{ include "spark-k8s-exporter.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "spark-k8s-exporter.labels" -}}
helm.sh/chart: {{ include "spark-k8s-exporter.chart" . }}
{{ include "spark-k8s-exporter.selectorLabels" . }}
app.kubernetes.io/component: metrics
app.kubernetes.io/part-of: {{ include "spark-k8s-exporter.name" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Values.customLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "spark-k8s-exporter.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "spark-k8s-exporter.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/*
Image reference: global registry override, tag defaulting to appVersion, optional digest.
*/}}
{{- define "spark-k8s-exporter.image" -}}
{{- $registry := default .Values.image.registry .Values.global.imageRegistry -}}
{{- $ref := .Values.image.repository -}}
{{- if $registry -}}
{{- $ref = printf "%s/%s" $registry $ref -}}
{{- end -}}
{{- $ref = printf "%s:%s" $ref (default .Chart.AppVersion .Values.image.tag) -}}
{{- if .Values.image.digest -}}
{{- $ref = printf "%s@%s" $ref .Values.image.digest -}}
{{- end -}}
{{- $ref -}}
{{- end -}}

{{/*
Pull secrets from global and local values; strings and {name: ...} maps are both accepted.
*/}}
{{- define "spark-k8s-exporter.imagePullSecrets" -}}
{{- range (concat .Values.global.imagePullSecrets .Values.imagePullSecrets) }}
{{- if kindIs "map" . }}
- name: {{ .name }}
{{- else }}
- name: {{ . }}
{{- end }}
{{- end }}
{{- end -}}

{{/*
Watched namespaces after templating, deduplicated, in the order given. Returned as a JSON list
because named templates can only return strings.
*/}}
{{- define "spark-k8s-exporter.watchNamespaces" -}}
{{- $out := list -}}
{{- range .Values.config.watchNamespaces -}}
{{- $ns := tpl . $ | trim -}}
{{- if not $ns -}}
{{- fail "config.watchNamespaces: entries must not be empty" -}}
{{- end -}}
{{- $out = append $out $ns -}}
{{- end -}}
{{- $out | uniq | toJson -}}
{{- end -}}

{{/*
The verbs and resources the exporter needs, shared by the ClusterRole and the Roles so the two
modes cannot drift apart. Read-only: get, list, watch. Never secrets, never writes. Granting a
resource whose CRD is not installed is harmless: the exporter logs the 404 once and checks again.
*/}}
{{- define "spark-k8s-exporter.rbacRules" -}}
- apiGroups: [""]
  resources: ["pods", "resourcequotas"]
  verbs: ["get", "list", "watch"]
- apiGroups: ["sparkoperator.k8s.io"]
  resources: ["sparkapplications", "scheduledsparkapplications"]
  verbs: ["get", "list", "watch"]
- apiGroups: ["spark.apache.org"]
  resources: ["sparkapplications"]
  verbs: ["get", "list", "watch"]
{{- end -}}

{{- define "spark-k8s-exporter.namespaceRules" -}}
- apiGroups: [""]
  resources: ["namespaces"]
  verbs: ["get", "list", "watch"]
{{- end -}}

{{- define "spark-k8s-exporter.scheme" -}}
{{- if .Values.web.tls.enabled }}HTTPS{{ else }}HTTP{{ end -}}
{{- end -}}
