{{/* Names. Cluster-scoped objects (ClusterRole, webhook configurations) carry the fullname, so two
releases of this chart need different names (or fullnameOverride). */}}
{{- define "agora.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "agora.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "agora.controllerName" -}}
{{- printf "%s-controller" (include "agora.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "agora.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "agora.controllerName" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "agora.leaseName" -}}
{{- default (include "agora.controllerName" .) .Values.controller.leaderElection.leaseName }}
{{- end }}

{{- define "agora.webhookServiceName" -}}
{{- printf "%s-webhook" (include "agora.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "agora.webhookSecretName" -}}
{{- printf "%s-webhook-tls" (include "agora.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "agora.consoleServiceName" -}}
{{- printf "%s-console" (include "agora.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "agora.metricsServiceName" -}}
{{- printf "%s-metrics" (include "agora.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "agora.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "agora.selectorLabels" -}}
app.kubernetes.io/name: {{ include "agora.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: controller
{{- end }}

{{- define "agora.labels" -}}
helm.sh/chart: {{ include "agora.chart" . }}
app.kubernetes.io/name: {{ include "agora.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: agora
{{- end }}

{{- define "agora.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}

{{/* The webhook Service's DNS names, as the API server dials it and as the certificate names it. */}}
{{- define "agora.webhookDnsNames" -}}
{{- $svc := include "agora.webhookServiceName" . -}}
{{- $ns := .Release.Namespace -}}
{{- list $svc (printf "%s.%s" $svc $ns) (printf "%s.%s.svc" $svc $ns) (printf "%s.%s.svc.cluster.local" $svc $ns) | toJson }}
{{- end }}

{{/* The fields every webhook shares; call with (dict "root" $ "path" P "caBundle" B ["controllerCreates" true]). */}}
{{- define "agora.webhookCommon" -}}
admissionReviewVersions: [v1]
sideEffects: None
matchPolicy: Equivalent
timeoutSeconds: {{ .root.Values.webhooks.timeoutSeconds }}
# The controller's own status writes are admitted without a call (the webhook would allow them
# unread), and so are its creates of the kinds only it creates (Offers, Tasks, InverseOffers: it
# checked what they hold when the accept was made): at scale they are most of the writes, and
# each call costs the API server a round trip. Dry runs are still sent (the controller makes none;
# its probe of whether the webhooks are called is one). src/webhooks/registration.ts writes the same.
{{- $controller := printf "request.userInfo.username == \"system:serviceaccount:%s:%s\"" .root.Release.Namespace (include "agora.serviceAccountName" .root) }}
{{- $status := "has(request.subResource) && request.subResource == \"status\"" }}
matchConditions:
  {{- if .controllerCreates }}
  - name: not-the-controllers-create-or-status-write
    expression: {{ printf "!((request.operation == \"CREATE\" || (%s)) && (%s) && !(has(request.dryRun) && request.dryRun))" $status $controller | squote }}
  {{- else }}
  - name: not-the-controllers-status-write
    expression: {{ printf "!(%s && (%s))" $status $controller | squote }}
  {{- end }}
clientConfig:
  service:
    name: {{ include "agora.webhookServiceName" .root }}
    namespace: {{ .root.Release.Namespace }}
    port: {{ .root.Values.webhooks.service.port }}
    path: {{ .path }}
  {{- if .caBundle }}
  caBundle: {{ .caBundle }}
  {{- end }}
{{- end }}

{{/* The controller's command line (the image's entrypoint is `node src/cli/main.ts`). */}}
{{- define "agora.controllerArgs" -}}
{{- $c := .Values.controller -}}
- controller
- --allocation-interval={{ $c.allocationInterval }}
- --offer-timeout={{ $c.offerTimeout }}
- --offer-retention={{ $c.offerRetention }}
{{- with $c.nodeLostTimeout }}
- --node-lost-timeout={{ . }}
{{- end }}
- --max-completed-tasks-per-framework={{ $c.maxCompletedTasksPerFramework }}
{{- with $c.revocation }}
- --revocation={{ .enabled }}
- --revocation-dry-run={{ .dryRun }}
- --revocation-interval={{ .interval }}
- --max-revocations-per-cycle={{ .maxPerCycle }}
- --max-revocations-per-minute={{ .maxPerMinute }}
- --max-revocation-grace-period={{ .maxGracePeriod }}
{{- end }}
- --log-level={{ $c.logLevel }}
- --metrics-addr=:{{ .Values.ports.metrics }}
- --health-addr=:{{ .Values.ports.health }}
{{- if .Values.console.enabled }}
- --ui-addr=:{{ .Values.ports.console }}
- --ui-history={{ .Values.console.history }}
{{- end }}
{{- if $c.leaderElection.enabled }}
- --leader-elect=true
- --lease-name={{ include "agora.leaseName" . }}
- --leader-election-namespace={{ .Release.Namespace }}
{{- else }}
- --leader-elect=false
{{- end }}
{{- with $c.nodeSelector }}
- --node-selector={{ . }}
{{- end }}
{{- with $c.fairSharingExcludedResources }}
- --fair-sharing-excluded-resources={{ join "," . }}
{{- end }}
{{- with $c.namespaces }}
- --namespaces={{ join "," . }}
{{- end }}
{{- if .Values.webhooks.enabled }}
- --webhooks
- --webhook-port={{ .Values.ports.webhook }}
- --webhook-cert-file=/etc/agora/webhook/tls.crt
- --webhook-key-file=/etc/agora/webhook/tls.key
{{- else }}
- --no-webhooks
{{- end }}
- --controller-identity=system:serviceaccount:{{ .Release.Namespace }}:{{ include "agora.serviceAccountName" . }}
{{- with $c.extraArgs }}
{{ toYaml . }}
{{- end }}
{{- end }}
