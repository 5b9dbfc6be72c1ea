#!/usr/bin/env bash
# Runs every check and test the project has, setting up what they need
# (tofu, tfplugindocs, golangci-lint, GoReleaser, actionlint, and through
# internal/testenv the real servers: Keycloak, Ory Hydra, node-oidc-provider
# and our MCP server).
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

log "actionlint (GitHub workflows)"
tools/release.sh lint-workflows

# The unit tier drives a CLI too (the provider tests against in-process
# fakes): TF_ACC_TERRAFORM_PATH, else terraform on PATH, else the cached tofu
# fetched here. Without any, those tests would skip (and fail under CI=true).
tofu="$(tools/tools.sh tofu)"

# internal/provider is left out here: its unit tier runs in full under TF_ACC
# below, once with each CLI (the same CLI this run would pick), so running it
# here too would only repeat two minutes of tests.
log "unit tests (no TF_ACC: in-process fakes and httptest servers only; internal/provider runs with the acceptance tests)"
go test -count=1 $(go list ./... | grep -v '/internal/provider$')
(cd "$MCPSERVER_DIR" && go test -count=1 ./...)

# Tests that need a newer CLI than one of the runs has: resource identity
# needs Terraform / OpenTofu 1.12, and the Terraform on these machines is
# 1.11. They skip themselves (tfversion.SkipBelow) and may skip only in a run
# given allow_gated=1 (Terraform), with the reason printed; they must run
# with OpenTofu 1.12, where any skip fails the run.
VERSION_GATED_TESTS=(
  TestUnitDynamicClientIdentity_importByIdentity
  TestAccReal_dynamicClientIdentity
)

# Packages run one at a time (-p 1): each starts its own servers, and two
# Keycloaks at once on two cores only slow each other down.
# Under TF_ACC the unit tier of internal/provider runs with each CLI, beside the real-server
# tests; neither skips there (both fail when a CLI or server is missing), so
# a skipped test has not passed: the run fails on any skip other than a listed
# version-gated test in a run that allows them.
run_acceptance() { # label, cli path, allow_gated (0/1), go test packages and flags (space-separated), extra env...
  local label="$1" cli="$2" allow_gated="$3" pkgs="$4"; shift 4
  local out; out="$(mktemp)"
  log "acceptance tests with $label ($("$cli" version | head -1)) against real servers"
  local rc=0
  env TF_ACC=1 TF_ACC_TERRAFORM_PATH="$cli" "$@" \
    go test -v -count=1 -p 1 -timeout "$GO_TEST_TIMEOUT" $pkgs >"$out" 2>&1 || rc=$?
  grep -E '^(=== RUN|--- (PASS|FAIL|SKIP)|PASS|FAIL|ok|real servers up)' "$out" | grep -v '^=== RUN' || true
  if [ "$rc" -ne 0 ]; then
    cat "$out" >&2
    rm -f "$out"
    die "acceptance tests with $label failed"
  fi
  local passed skipped=0 gated=0 name reason
  passed="$(grep -c -- '^--- PASS' "$out" || true)"
  while read -r name; do
    reason="$(grep -A1 -- "^=== RUN   $name\$" "$out" | grep -m1 'skipping test' | sed 's/^ *[^ ]*: //' || true)"
    if [ "$allow_gated" = 1 ] && [[ " ${VERSION_GATED_TESTS[*]} " == *" $name "* ]] && [ -n "$reason" ]; then
      log "$label: version-gated skip of $name: $reason (it runs with OpenTofu)"
      gated=$((gated + 1))
    else
      log "$label: $name skipped${reason:+: $reason}"
      skipped=$((skipped + 1))
    fi
  done < <(grep -- '--- SKIP' "$out" | sed 's/.*--- SKIP: \([^ ]*\).*/\1/')
  rm -f "$out"
  [ "$skipped" -eq 0 ] || die "$skipped acceptance test(s) skipped with $label; in CI every one must run"
  log "$label: $passed passed, 0 skipped, $gated version-gated"
}

# The fault-injection test (create, plan, update and destroy of N clients
# through a faulting proxy, 5-8 minutes) checks the provider's own handling of
# lost answers, which does not depend on the CLI: it runs once, with Terraform
# when one is installed, else here with OpenTofu.
FAULT_TEST=TestAccReal_keycloakFaults
terraform_bin="$(command -v terraform || true)"
tofu_only_flags=""
[ -z "$terraform_bin" ] || tofu_only_flags="-skip ^${FAULT_TEST}\$"

run_acceptance "OpenTofu" "$tofu" 0 "$tofu_only_flags ./internal/provider/... ./internal/testenv/..." \
  TF_ACC_PROVIDER_HOST=registry.opentofu.org TF_ACC_PROVIDER_NAMESPACE=hashicorp

# Terraform cannot be downloaded here; run against it too when one is installed.
# internal/testenv's tests drive no CLI: they ran above, and a second run would
# only start Keycloak once more.
if [ -n "$terraform_bin" ]; then
  run_acceptance "Terraform" "$terraform_bin" 1 "./internal/provider/..."
else
  log "no terraform binary on PATH: acceptance tests ran with OpenTofu only"
fi

# The official MCP authorization conformance suite, pinned (see tools/conformance.sh).
tools/conformance.sh

log "install test: release artifacts, terraform init / tofu init from a mirror, a plan"
MCP_INSTALL_TOFU="$tofu" MCP_INSTALL_TERRAFORM="${terraform_bin:-}" tools/install-test.sh

# The scale benchmark at a small N: it fails when a phase sends other requests
# than the minimum (the framework floor: any request) or a CLI command fails.
# `make bench-scale` gives the figures.
log "scale benchmark smoke test (10 clients, 1 repetition)"
go run ./internal/testenv/cmd/benchscale -n 10 -reps 1 -warmup 0 -terraform "$(command -v terraform || echo "$tofu")"

log "docs drift check"
tools/docs.sh --check

log "all checks passed"
