#!/usr/bin/env bash
# Runs every check and test the project has, setting up what they need
# (tofu, tfplugindocs, golangci-lint, and through internal/testenv the real
# servers: Keycloak, Ory Hydra, node-oidc-provider and our MCP server).
# This is what `make test` and CI run.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

MCPSERVER_DIR="internal/testenv/mcpserver"
GO_TEST_TIMEOUT="${GO_TEST_TIMEOUT:-45m}"

log "formatting (gofmt)"
unformatted="$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './tools/*'))"
[ -z "$unformatted" ] || die "gofmt would change: $unformatted (run 'make fmt')"

log "go vet"
go vet ./...
(cd "$MCPSERVER_DIR" && go vet ./...)

log "golangci-lint"
lint="$(tools/tools.sh golangci-lint)"
"$lint" run ./...

# The unit tier drives a CLI too (the provider tests against in-process
# fakes): TF_ACC_TERRAFORM_PATH, else terraform on PATH, else the cached tofu
# fetched here. Without any, those tests would skip (and fail under CI=true).
tofu="$(tools/tools.sh tofu)"

log "unit tests (no TF_ACC: in-process fakes and httptest servers only)"
go test -count=1 ./...
(cd "$MCPSERVER_DIR" && go test -count=1 ./...)

# Packages run one at a time (-p 1): each starts its own servers, and two
# Keycloaks at once on two cores only slow each other down.
# Under TF_ACC the unit tier runs again with each CLI, beside the real-server
# tests; neither skips there (both fail when a CLI or server is missing), so
# a skipped test has not passed: the run fails on any skip.
run_acceptance() { # label, cli path, extra env...
  local label="$1" cli="$2"; shift 2
  local out; out="$(mktemp)"
  log "acceptance tests with $label ($("$cli" version | head -1)) against real servers"
  local rc=0
  env TF_ACC=1 TF_ACC_TERRAFORM_PATH="$cli" "$@" \
    go test -v -count=1 -p 1 -timeout "$GO_TEST_TIMEOUT" ./internal/provider/... ./internal/testenv/... >"$out" 2>&1 || rc=$?
  grep -E '^(=== RUN|--- (PASS|FAIL|SKIP)|PASS|FAIL|ok|real servers up)' "$out" | grep -v '^=== RUN' || true
  if [ "$rc" -ne 0 ]; then
    cat "$out" >&2
    rm -f "$out"
    die "acceptance tests with $label failed"
  fi
  local passed skipped
  passed="$(grep -c -- '^--- PASS' "$out" || true)"
  skipped="$(grep -c -- '--- SKIP' "$out" || true)"
  rm -f "$out"
  [ "$skipped" -eq 0 ] || die "$skipped acceptance test(s) skipped with $label; in CI every one must run"
  log "$label: $passed passed, 0 skipped"
}

run_acceptance "OpenTofu" "$tofu" TF_ACC_PROVIDER_HOST=registry.opentofu.org TF_ACC_PROVIDER_NAMESPACE=hashicorp

# Terraform cannot be downloaded here; run against it too when one is installed.
if terraform_bin="$(command -v terraform)"; then
  run_acceptance "Terraform" "$terraform_bin"
else
  log "no terraform binary on PATH: acceptance tests ran with OpenTofu only"
fi

# The scale benchmark at a small N: it fails when a phase sends more than the
# minimum requests or a CLI command fails. `make bench-scale` gives the figures.
log "scale benchmark smoke test (10 clients, 1 repetition)"
go run ./internal/testenv/cmd/benchscale -n 10 -reps 1 -warmup 0 -terraform "$(command -v terraform || echo "$tofu")"

log "docs drift check"
tools/docs.sh --check

log "all checks passed"
