#!/usr/bin/env bash
# Prints the path of a build-time tool, building it into the cache first when
# it is missing. Usage: tools/tools.sh tofu|tfplugindocs|golangci-lint|terraform
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

build_tofu() {
  local out="$CACHE_BIN/tofu-$TOFU_VERSION"
  if [ ! -x "$out" ]; then
    log "building OpenTofu $TOFU_VERSION from the Go module proxy (a few minutes, once; cached in $CACHE_BIN)"
    (cd "$REPO_ROOT/tools/tofu" && go build -o "$out.tmp" \
      -ldflags "-X github.com/opentofu/opentofu/version.dev=no" \
      github.com/opentofu/opentofu/cmd/tofu) || die "building OpenTofu failed; see the Go output above"
    mv "$out.tmp" "$out"
  fi
  echo "$out"
}

build_tool_module() { # name, package
  local out="$CACHE_BIN/$1-$(tool_version "$2")"
  if [ ! -x "$out" ]; then
    log "building $1 (once; cached in $CACHE_BIN)"
    (cd "$REPO_ROOT/tools" && go build -o "$out.tmp" "$2") || die "building $1 failed; see the Go output above"
    mv "$out.tmp" "$out"
  fi
  echo "$out"
}

# tool_version reads the module version the tools module pins for a package.
tool_version() {
  (cd "$REPO_ROOT/tools" && go list -f '{{.Module.Version}}' "$1")
}

case "${1:-}" in
  tofu) build_tofu ;;
  tfplugindocs) build_tool_module tfplugindocs github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs ;;
  golangci-lint) build_tool_module golangci-lint github.com/golangci/golangci-lint/v2/cmd/golangci-lint ;;
  terraform)
    # Terraform cannot be built from the module proxy; use it only when installed.
    command -v terraform || die "no terraform binary on PATH" ;;
  *) die "usage: tools/tools.sh tofu|tfplugindocs|golangci-lint|terraform" ;;
esac
