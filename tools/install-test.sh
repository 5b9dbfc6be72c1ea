#!/usr/bin/env bash
# Installs the provider the way users do and plans with it: GoReleaser
# builds the release artifacts for this platform (signed with a throwaway
# key), then internal/installtest puts the zip into a filesystem mirror, runs
# `terraform init` and `tofu init` without dev_overrides, checks the lock
# file's hashes against SHA256SUMS and the signature with gpg, plans a
# discovery against real servers (Ory Hydra and the MCP server), and checks
# that a corrupted zip or a wrong checksum makes `init` fail.
# Part of `make test`; alone: `make test-install`.
#   MCP_INSTALL_TOFU, MCP_INSTALL_TERRAFORM   CLIs to use (default: the cached
#                                             tofu build, terraform on PATH)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

work="$(mktemp -d /tmp/mcp-install.XXXXXX)"
trap 'rm -rf "$work"' EXIT

tools/release.sh snapshot --host-only --dist "$work/dist"

tofu="${MCP_INSTALL_TOFU:-$(tools/tools.sh tofu)}"
terraform="${MCP_INSTALL_TERRAFORM:-$(command -v terraform || true)}"
if [ -z "$terraform" ]; then
  log "no terraform binary on PATH: the install test runs with OpenTofu only"
fi

log "install test: $("$tofu" version | head -1)${terraform:+ and $("$terraform" version | head -1)}"
out="$work/test.log"
rc=0
env TF_ACC=1 MCP_RELEASE_DIST="$work/dist" MCP_INSTALL_TOFU="$tofu" MCP_INSTALL_TERRAFORM="$terraform" \
  go test -v -count=1 -timeout 20m -run '^TestInstallFromReleaseArtifacts$' ./internal/installtest/ >"$out" 2>&1 || rc=$?
grep -E -- '^\s*--- (PASS|FAIL|SKIP)|^(PASS|FAIL|ok)' "$out" || true
if [ "$rc" -ne 0 ]; then
  cat "$out" >&2
  die "install test failed"
fi
! grep -q -- '--- SKIP' "$out" || die "the install test skipped; it must run"
log "install test passed"
