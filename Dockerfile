# spark-k8s-exporter image.
#   docker build -t spark-k8s-exporter:0.1.0 .
#   docker run --rm spark-k8s-exporter:0.1.0 --help
# Both stages use the same exact Node 20 tag, so the compiled output runs on the Node it was
# built with. Bump the tag deliberately (and the chart's appVersion with a release).

# --- build: dev dependencies + tsc ------------------------------------------------------------
FROM node:20.19.5-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` runs tsc, and the sources are not here yet.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
# src without the bundle and README generators (.dockerignore): what serve, demo and simulate run.
COPY src ./src
RUN npm run build

# --- runtime: production dependencies + compiled output only ------------------------------------
FROM node:20.19.5-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would run tsc, a dev dependency that is not installed here.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force
COPY --from=build /app/dist/src ./dist/src
# nobody:nogroup, as the chart's securityContext (runAsUser 65534) expects; files stay root-owned.
USER 65534:65534
EXPOSE 8080
# The Node flags are src/cli/runtime-flags.ts's (why, and a test that they match).
ENTRYPOINT ["node", "--max-semi-space-size=32", "dist/src/cli/main.js"]
CMD ["serve"]

LABEL org.opencontainers.image.title="spark-k8s-exporter" \
      org.opencontainers.image.description="Prometheus exporter for Apache Spark on Kubernetes" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.source="https://github.com/spark-k8s-exporter/spark-k8s-exporter"
