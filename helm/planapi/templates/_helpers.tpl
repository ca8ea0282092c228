{{/* ============================ names and labels ============================ */}}

{{- define "planapi.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Release-wide name prefix, e.g. "prod-planapi"; a release already named like the chart is not
repeated. Trimmed so that "<fullname>-<component>" (component up to 10 characters) still fits the
63-character limit of DNS labels.
*/}}
{{- define "planapi.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 52 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 52 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 52 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "planapi.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The five gRPC backends, and all six services; iterate with splitList " ". */}}
{{- define "planapi.backends" -}}auth fhir directory registry review{{- end }}
{{- define "planapi.services" -}}gateway auth fhir directory registry review{{- end }}

{{/* Name of one component's objects: (dict "root" $ "component" "fhir") -> "<fullname>-fhir". */}}
{{- define "planapi.componentName" -}}
{{- printf "%s-%s" (include "planapi.fullname" .root) .component }}
{{- end }}

{{/* Selector labels of one component (immutable in Deployments: keep this set stable). */}}
{{- define "planapi.selectorLabels" -}}
app.kubernetes.io/name: {{ include "planapi.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* All labels of one component's objects. */}}
{{- define "planapi.labels" -}}
helm.sh/chart: {{ include "planapi.chart" .root }}
{{ include "planapi.selectorLabels" . }}
app.kubernetes.io/part-of: planapi
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
{{- end }}

{{- define "planapi.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "planapi.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* ================================ images ================================== */}}

{{/* (dict "root" $ "component" "fhir") -> "registry.example.com/planapi/fhir:0.1.0" */}}
{{- define "planapi.image" -}}
{{- $root := .root }}
{{- $img := (index $root.Values .component).image | default dict }}
{{- $tag := $img.tag | default $root.Values.image.tag | default $root.Chart.AppVersion }}
{{- if $img.repository }}
{{- printf "%s:%s" $img.repository $tag }}
{{- else if $root.Values.image.registry }}
{{- printf "%s/%s%s:%s" (trimSuffix "/" $root.Values.image.registry) $root.Values.image.repositoryPrefix .component $tag }}
{{- else }}
{{- printf "%s%s:%s" $root.Values.image.repositoryPrefix .component $tag }}
{{- end }}
{{- end }}

{{/* ========================= security and pod settings ======================= */}}

{{/* Every planapi container runs as uid/gid 10001, the user the Dockerfiles create. */}}
{{- define "planapi.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
fsGroup: 10001
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{- define "planapi.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
privileged: false
capabilities:
  drop: ["ALL"]
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/* Effective drain time of a component after SIGTERM. */}}
{{- define "planapi.shutdownGrace" -}}
{{- $cfg := (index .root.Values .component).config | default dict }}
{{- if hasKey $cfg "shutdownGraceSeconds" }}{{ $cfg.shutdownGraceSeconds | int }}{{ else }}{{ .root.Values.shutdownGraceSeconds | int }}{{ end }}
{{- end }}

{{- define "planapi.logLevel" -}}
{{- $cfg := (index .root.Values .component).config | default dict }}
{{- $cfg.logLevel | default .root.Values.logLevel }}
{{- end }}

{{/* ================================ database ================================= */}}

{{/* Secret holding a backend's database URL, and the key inside it. */}}
{{- define "planapi.databaseSecretName" -}}
{{- $svc := index .root.Values .component }}
{{- $pg := .root.Values.postgresql }}
{{- if and $svc.database $svc.database.existingSecret }}
{{- $svc.database.existingSecret }}
{{- else if and (not $pg.inCluster.enabled) $pg.external.existingSecret }}
{{- $pg.external.existingSecret }}
{{- else }}
{{- printf "%s-database" (include "planapi.fullname" .root) }}
{{- end }}
{{- end }}

{{- define "planapi.databaseSecretKey" -}}
{{- $svc := index .root.Values .component }}
{{- $pg := .root.Values.postgresql }}
{{- if and $svc.database $svc.database.existingSecret }}
{{- $svc.database.existingSecretKey | default "url" }}
{{- else if and (not $pg.inCluster.enabled) $pg.external.existingSecret }}
{{- $pg.external.existingSecretKey | default "url" }}
{{- else }}url{{- end }}
{{- end }}

{{/* True ("true") when the chart itself must create the <fullname>-database Secret. */}}
{{- define "planapi.chartOwnsDatabaseSecret" -}}
{{- $pg := .Values.postgresql }}
{{- if or $pg.inCluster.enabled (not $pg.external.existingSecret) }}true{{ end }}
{{- end }}

{{/* URL stored in the chart's database Secret. The in-cluster URL carries no password: the
     services get it as PGPASSWORD, which libpq reads when the URL has none. */}}
{{- define "planapi.databaseUrl" -}}
{{- $pg := .Values.postgresql }}
{{- if $pg.inCluster.enabled }}
{{- printf "postgresql://%s@%s-postgresql:5432/%s" $pg.inCluster.username (include "planapi.fullname" .) $pg.inCluster.database }}
{{- else }}
{{- required "postgresql.external.url or postgresql.external.existingSecret is required (or set postgresql.inCluster.enabled=true)" $pg.external.url }}
{{- end }}
{{- end }}

{{- define "planapi.postgresqlPasswordSecretName" -}}
{{- .Values.postgresql.inCluster.existingSecret | default (printf "%s-postgresql" (include "planapi.fullname" .)) }}
{{- end }}

{{- define "planapi.postgresqlPasswordSecretKey" -}}
{{- if .Values.postgresql.inCluster.existingSecret }}{{ .Values.postgresql.inCluster.existingSecretKey | default "password" }}{{ else }}password{{ end }}
{{- end }}

{{/* Where secrets are mounted inside the containers. */}}
{{- define "planapi.databaseMountDir" -}}/var/run/secrets/planapi/database{{- end }}
{{- define "planapi.keysMountDir" -}}/var/run/secrets/planapi/keys{{- end }}
{{- define "planapi.serviceKeyMountDir" -}}/var/run/secrets/planapi/service{{- end }}
{{- define "planapi.serviceKeySecretName" -}}
{{- .Values.serviceKey.existingSecret | default (printf "%s-service-key" (include "planapi.fullname" .)) }}
{{- end }}
{{- define "planapi.tlsMountDir" -}}/var/run/secrets/planapi/tls{{- end }}

{{/* ============================ TLS (gateway) ================================ */}}

{{- define "planapi.tlsSecretName" -}}
{{- .Values.gateway.tls.existingSecret | default (printf "%s-gateway-tls" (include "planapi.fullname" .)) }}
{{- end }}

{{/* Host part of gateway.publicUrl ("https://api.example.com:8443/x" -> "api.example.com"). */}}
{{- define "planapi.publicHost" -}}
{{- (urlParse .Values.gateway.publicUrl).hostname }}
{{- end }}

{{/* ======================== environment (the contract) ======================= */}}

{{/*
Environment of one backend as a flat map of strings: the ConfigMap's data, and the migration
Jobs' env (they run before the ConfigMap exists). Flags of the binaries override these.
*/}}
{{- define "planapi.backendEnv" -}}
{{- $svc := index .root.Values .component }}
{{- $cfg := $svc.config | default dict -}}
PLANAPI_GRPC_HOST: "0.0.0.0"
PLANAPI_GRPC_PORT: "50051"
PLANAPI_DATABASE_URL_FILE: {{ printf "%s/url" (include "planapi.databaseMountDir" .) | quote }}
PLANAPI_DB_SCHEMA: {{ $cfg.dbSchema | default .component | quote }}
PLANAPI_DB_POOL_SIZE: {{ $cfg.dbPoolSize | default 8 | int | quote }}
PLANAPI_LOG_LEVEL: {{ include "planapi.logLevel" . | quote }}
PLANAPI_SHUTDOWN_GRACE_SECONDS: {{ include "planapi.shutdownGrace" . | quote }}
PLANAPI_SERVICE_KEY_FILE: {{ printf "%s/service-key" (include "planapi.serviceKeyMountDir" .) | quote }}
{{- if eq .component "auth" }}
PLANAPI_CLIENT_SECRET_KEY_FILE: {{ printf "%s/client-secret-key" (include "planapi.keysMountDir" .) | quote }}
PLANAPI_SIGNING_KEYS_FILE: {{ printf "%s/signing-keys" (include "planapi.keysMountDir" .) | quote }}
{{- end }}
{{- end }}

{{- define "planapi.gatewayEnv" -}}
{{- $root := .root }}
{{- $cfg := $root.Values.gateway.config -}}
PLANAPI_HTTPS_HOST: "0.0.0.0"
PLANAPI_HTTPS_PORT: "8443"
PLANAPI_TLS_CERT_FILE: {{ printf "%s/tls.crt" (include "planapi.tlsMountDir" .) | quote }}
PLANAPI_TLS_KEY_FILE: {{ printf "%s/tls.key" (include "planapi.tlsMountDir" .) | quote }}
{{- /* dns:/// names gRPC's DNS resolver: with the backends' headless Services it yields every
     ready pod, and the gateway balances over them (round_robin). */}}
{{- range $b := splitList " " (include "planapi.backends" $root) }}
PLANAPI_{{ upper $b }}_ADDR: {{ printf "dns:///%s:50051" (include "planapi.componentName" (dict "root" $root "component" $b)) | quote }}
{{- end }}
PLANAPI_PUBLIC_URL: {{ $root.Values.gateway.publicUrl | trimSuffix "/" | quote }}
PLANAPI_MAX_BODY_BYTES: {{ $cfg.maxBodyBytes | int64 | quote }}
{{- if $cfg.ioThreads }}
PLANAPI_IO_THREADS: {{ $cfg.ioThreads | int | quote }}
{{- end }}
PLANAPI_HEADER_TIMEOUT_SECONDS: {{ $cfg.headerTimeoutSeconds | int | quote }}
PLANAPI_IDLE_TIMEOUT_SECONDS: {{ $cfg.idleTimeoutSeconds | int | quote }}
PLANAPI_UPSTREAM_DEADLINE_MS: {{ $cfg.upstreamDeadlineMs | int | quote }}
PLANAPI_HSTS_MAX_AGE: {{ $cfg.hstsMaxAge | int64 | quote }}
PLANAPI_WEB_ROOT: {{ $cfg.webRoot | quote }}
PLANAPI_LOG_LEVEL: {{ include "planapi.logLevel" . | quote }}
PLANAPI_SHUTDOWN_GRACE_SECONDS: {{ include "planapi.shutdownGrace" . | quote }}
PLANAPI_SERVICE_KEY_FILE: {{ printf "%s/service-key" (include "planapi.serviceKeyMountDir" .) | quote }}
{{- end }}

{{/* Env that cannot live in the ConfigMap (secret references). */}}
{{- define "planapi.secretEnv" -}}
{{- if and (ne .component "gateway") .root.Values.postgresql.inCluster.enabled -}}
- name: PGPASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "planapi.postgresqlPasswordSecretName" .root }}
      key: {{ include "planapi.postgresqlPasswordSecretKey" .root }}
{{- end }}
{{- end }}

{{/* Secret volumes of a backend (database URL; auth also its keys). */}}
{{- define "planapi.backendSecretVolumes" -}}
- name: database
  secret:
    secretName: {{ include "planapi.databaseSecretName" . }}
    defaultMode: 288  # 0440: owner root, readable by group 10001 (fsGroup)
    items:
      - key: {{ include "planapi.databaseSecretKey" . }}
        path: url
{{- if eq .component "auth" }}
- name: keys
  secret:
    secretName: {{ .root.Values.auth.keys.existingSecret | default (printf "%s-auth-keys" (include "planapi.fullname" .root)) }}
    defaultMode: 288  # 0440: owner root, readable by group 10001 (fsGroup)
    items:
      - key: {{ if .root.Values.auth.keys.existingSecret }}{{ .root.Values.auth.keys.existingSecretKey | default "client-secret-key" }}{{ else }}client-secret-key{{ end }}
        path: client-secret-key
      - key: {{ if .root.Values.auth.keys.existingSecret }}{{ .root.Values.auth.keys.signingKeysKey | default "signing-keys" }}{{ else }}signing-keys{{ end }}
        path: signing-keys
{{- end }}
{{- end }}

{{- define "planapi.backendSecretMounts" -}}
- name: database
  mountPath: {{ include "planapi.databaseMountDir" . }}
  readOnly: true
{{- if eq .component "auth" }}
- name: keys
  mountPath: {{ include "planapi.keysMountDir" . }}
  readOnly: true
{{- end }}
{{- end }}

{{/* Init container that waits until the in-cluster PostgreSQL accepts connections. */}}
{{- define "planapi.waitForPostgresql" -}}
{{- $pg := .Values.postgresql.inCluster -}}
- name: wait-for-postgresql
  image: {{ printf "%s:%s" $pg.image.repository $pg.image.tag | quote }}
  imagePullPolicy: {{ $pg.image.pullPolicy }}
  command:
    - sh
    - -c
    - until pg_isready -q -h "$PGHOST" -p 5432 -U "$PGUSER"; do sleep 2; done
  env:
    - {name: PGHOST, value: {{ printf "%s-postgresql" (include "planapi.fullname" .) | quote }}}
    - {name: PGUSER, value: {{ $pg.username | quote }}}
  securityContext:
    {{- include "planapi.containerSecurityContext" . | nindent 4 }}
  resources:
    requests: {cpu: 10m, memory: 16Mi}
    limits: {cpu: 100m, memory: 64Mi}
{{- end }}
