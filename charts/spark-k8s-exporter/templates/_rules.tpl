{{/*
Format a threshold as PromQL writes it: integers without a decimal point or exponent, so that
900 stays "900" rather than "9e+02", and fractions as the shortest exact decimal.
*/}}
{{- define "spark-k8s-exporter.promNumber" -}}
{{- $f := float64 . -}}
{{- if eq $f (float64 (int64 $f)) -}}
{{- printf "%d" (int64 $f) -}}
{{- else -}}
{{- toString $f -}}
{{- end -}}
{{- end -}}

{{/*
The shipped rule groups, tuned by .Values.prometheusRule: disabled alerts dropped, thresholds
replaced using files/rules/thresholds.json, `for`/severity overridden, extra labels added.
Every name the user gives (alert, threshold key) must exist, so a typo fails the install
instead of silently doing nothing. Returns the groups as YAML.
*/}}
{{- define "spark-k8s-exporter.ruleGroups" -}}
{{- $pr := .Values.prometheusRule -}}
{{- $rulesPath := "files/rules/spark-k8s-exporter.rules.yaml" -}}
{{- $thresholdsPath := "files/rules/thresholds.json" -}}
{{- $raw := .Files.Get $rulesPath -}}
{{- if not $raw -}}
{{- fail (printf "%s is missing from the chart: run `npm run generate`" $rulesPath) -}}
{{- end -}}
{{- $file := fromYaml $raw -}}
{{- if or (hasKey $file "Error") (not (kindIs "slice" $file.groups)) -}}
{{- fail (printf "%s: not a Prometheus rules file with a `groups` list" $rulesPath) -}}
{{- end -}}

{{- /* Alert names present, to reject unknown names in the values. */ -}}
{{- $alerts := dict -}}
{{- range $g := $file.groups -}}
{{- range $r := $g.rules -}}
{{- if $r.alert -}}
{{- $_ := set $alerts $r.alert true -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- range $name, $_ := $pr.disabled -}}
{{- if not (hasKey $alerts $name) -}}
{{- fail (printf "prometheusRule.disabled.%s: no such alert; alerts are: %s" $name (keys $alerts | sortAlpha | join ", ")) -}}
{{- end -}}
{{- end -}}
{{- range $name, $_ := $pr.customRules -}}
{{- if not (hasKey $alerts $name) -}}
{{- fail (printf "prometheusRule.customRules.%s: no such alert; alerts are: %s" $name (keys $alerts | sortAlpha | join ", ")) -}}
{{- end -}}
{{- end -}}

{{- /* alert name -> list of [pattern, replacement, description] for its expr */ -}}
{{- $tuning := dict -}}
{{- if $pr.thresholds -}}
{{- $rawThresholds := .Files.Get $thresholdsPath -}}
{{- if not $rawThresholds -}}
{{- fail (printf "%s is missing from the chart: run `npm run generate`" $thresholdsPath) -}}
{{- end -}}
{{- $known := fromJson $rawThresholds -}}
{{- if hasKey $known "Error" -}}
{{- fail (printf "%s: %s" $thresholdsPath $known.Error) -}}
{{- end -}}
{{- range $key, $value := $pr.thresholds -}}
{{- if not (hasKey $known $key) -}}
{{- fail (printf "prometheusRule.thresholds.%s: no such threshold; thresholds are: %s" $key (keys $known | sortAlpha | join ", ")) -}}
{{- end -}}
{{- $t := get $known $key -}}
{{- $old := include "spark-k8s-exporter.promNumber" $t.default -}}
{{- $new := include "spark-k8s-exporter.promNumber" $value -}}
{{- range $alert, $sub := $t.alerts -}}
{{- /* The default as a whole number token inside the substring: 0.8 must not match 0.85. */ -}}
{{- $numberRe := printf "(^|[^0-9.eE])%s([^0-9.eE]|$)" (regexQuoteMeta $old) -}}
{{- if ne (len (regexFindAll $numberRe $sub -1)) 1 -}}
{{- fail (printf "%s: threshold %s (default %s) does not appear exactly once in %q" $thresholdsPath $key $old $sub) -}}
{{- end -}}
{{- $tuned := regexReplaceAll $numberRe $sub (printf "${1}%s${2}" $new) -}}
{{- $list := default (list) (get $tuning $alert) -}}
{{- $_ := set $tuning $alert (append $list (list $sub $tuned $key)) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- $groups := list -}}
{{- range $g := $file.groups -}}
{{- $rules := list -}}
{{- range $r := $g.rules -}}
{{- if not (and $r.alert (get $pr.disabled $r.alert)) -}}
{{- if $r.alert -}}
{{- range $change := get $tuning $r.alert | default (list) -}}
{{- $sub := index $change 0 -}}
{{- if ne (len (splitList $sub $r.expr)) 2 -}}
{{- fail (printf "threshold %s: %q does not appear exactly once in the expression of %s" (index $change 2) $sub $r.alert) -}}
{{- end -}}
{{- $_ := set $r "expr" (replace $sub (index $change 1) $r.expr) -}}
{{- end -}}
{{- with get $pr.customRules $r.alert -}}
{{- with .for -}}
{{- $_ := set $r "for" . -}}
{{- end -}}
{{- with .severity -}}
{{- $labels := default (dict) $r.labels -}}
{{- $_ := set $labels "severity" . -}}
{{- $_ := set $r "labels" $labels -}}
{{- end -}}
{{- end -}}
{{- with $pr.additionalRuleLabels -}}
{{- /* The alert's own labels (and customRules.severity) win over the additional ones. */ -}}
{{- $_ := set $r "labels" (merge (default (dict) $r.labels) .) -}}
{{- end -}}
{{- end -}}
{{- $rules = append $rules $r -}}
{{- end -}}
{{- end -}}
{{- if $rules -}}
{{- $_ := set $g "rules" $rules -}}
{{- $groups = append $groups $g -}}
{{- end -}}
{{- end -}}
{{- toYaml $groups -}}
{{- end -}}
