#!/usr/bin/env bash
# The main job in one command: real Keycloak and our MCP server, then
# `apply` of examples/demo with the locally built provider, the result shown.
#   tools/demo.sh up     start the servers (docker compose when a Docker engine
#                        answers, the Keycloak distribution otherwise) and apply
#   tools/demo.sh down   destroy the demo client, stop what `up` started
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

RUN_DIR="$MCP_CACHE_DIR/demo"
# The bootstrap admin of the demo's Keycloak (internal/testenv, docker-compose.yml).
DEMO_KEYCLOAK_ADMIN_PASSWORD="admin123"
WORK_DIR="$RUN_DIR/work"
PLUGIN_DIR="$RUN_DIR/plugins"
mkdir -p "$RUN_DIR" "$PLUGIN_DIR"

testenv_bin() {
  go build -o "$CACHE_BIN/testenv" ./internal/testenv/cmd/testenv
  echo "$CACHE_BIN/testenv"
}

# The CLI: terraform when installed, else tofu built from the Go module proxy.
pick_cli() {
  if command -v terraform >/dev/null 2>&1; then
    CLI="$(command -v terraform)"; PROVIDER_HOST="registry.terraform.io"
  else
    CLI="$(tools/tools.sh tofu)"; PROVIDER_HOST="registry.opentofu.org"
  fi
  cat > "$RUN_DIR/cli.tfrc" <<RC
provider_installation {
  dev_overrides {
    "$PROVIDER_HOST/mcp-oauth/mcp" = "$PLUGIN_DIR"
  }
  direct {}
}
RC
  export TF_CLI_CONFIG_FILE="$RUN_DIR/cli.tfrc"
  export TF_IN_AUTOMATION=1
}

docker_engine_answers() {
  command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1
}

up() {
  log "building the provider"
  go build -o "$PLUGIN_DIR/terraform-provider-mcp" .
  pick_cli
  local testenv; testenv="$(testenv_bin)"

  if docker_engine_answers; then
    log "a Docker engine answers: starting Keycloak and the MCP server with docker compose"
    docker compose up -d --wait
    echo docker > "$RUN_DIR/mode"
    "$testenv" setup   # the same post-start realm setup as the path without Docker
  else
    log "no Docker engine: starting Keycloak from its distribution and the MCP server from source"
    echo native > "$RUN_DIR/mode"
    "$testenv" up
  fi

  # The demo's Keycloak admin (realm master). The apply mints the Initial
  # Access Token itself through the admin API (mcp_keycloak_initial_access_token).
  export TF_VAR_keycloak_admin_password="$DEMO_KEYCLOAK_ADMIN_PASSWORD"

  # Keep the state of an earlier run: a client registered then stays managed
  # (the apply updates it, or registers it again if the server lost it).
  mkdir -p "$WORK_DIR"
  cp examples/demo/*.tf "$WORK_DIR/"
  log "$(basename "$CLI") apply of examples/demo ($("$CLI" version | head -1))"
  (cd "$WORK_DIR" && "$CLI" apply -auto-approve -input=false -no-color >"$RUN_DIR/apply.log" 2>&1) \
    || { tail -50 "$RUN_DIR/apply.log" >&2; die "apply failed; full log: $RUN_DIR/apply.log"; }
  echo
  (cd "$WORK_DIR" && "$CLI" output -raw summary)
  echo
  # A second plan must be empty: what the server stored matches the configuration.
  local rc=0
  (cd "$WORK_DIR" && "$CLI" plan -detailed-exitcode -input=false -no-color >"$RUN_DIR/plan.log" 2>&1) || rc=$?
  case "$rc" in
    0) echo "Plan after apply: no changes (the registered client matches the configuration)" ;;
    2) tail -40 "$RUN_DIR/plan.log" >&2; die "the plan after apply is not empty; see $RUN_DIR/plan.log" ;;
    *) tail -40 "$RUN_DIR/plan.log" >&2; die "plan failed; see $RUN_DIR/plan.log" ;;
  esac
  echo
  log "state: $WORK_DIR; stop everything with 'make demo-down'"
}

down() {
  if [ -f "$WORK_DIR/terraform.tfstate" ]; then
    pick_cli
    go build -o "$PLUGIN_DIR/terraform-provider-mcp" .
    log "destroying the demo client"
    (cd "$WORK_DIR" && TF_VAR_keycloak_admin_password="$DEMO_KEYCLOAK_ADMIN_PASSWORD" "$CLI" destroy -auto-approve -input=false -no-color >"$RUN_DIR/destroy.log" 2>&1) \
      || log "destroy failed (the servers may already be down); see $RUN_DIR/destroy.log"
  fi
  if [ "$(cat "$RUN_DIR/mode" 2>/dev/null)" = docker ]; then
    docker compose down -v
  else
    "$(testenv_bin)" down
  fi
  rm -rf "$WORK_DIR" "$RUN_DIR/mode"
  log "demo stopped"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  *) die "usage: tools/demo.sh up|down" ;;
esac
