#!/usr/bin/env bash
# Prints the path of a build-time tool. Usage: tools/tools.sh tofu|tfplugindocs|golangci-lint
#   tfplugindocs, golangci-lint: `tool` directives of tools/go.mod, built and
#     cached by the Go toolchain (`go tool -n` prints the cached binary).
#   tofu: tools/tofu is its own module because OpenTofu needs a replace
#     directive, and the build needs -ldflags, which `go tool` cannot pass;
#     built once into the cache.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

case "${1:-}" in
  tofu)
    out="$CACHE_BIN/tofu-$TOFU_VERSION"
    if [ ! -x "$out" ]; then
      # One build at a time (make demo, make docs and make test may ask at
      # once): the others wait on the lock and find the binary there.
      mkdir -p "$MCP_CACHE_DIR/locks"
      (
        flock 9
        [ -x "$out" ] && exit 0
        log "building OpenTofu $TOFU_VERSION from the Go module proxy (a few minutes, once; cached in $CACHE_BIN)"
        (cd "$REPO_ROOT/tools/tofu" && go build -o "$out.tmp.$$" \
          -ldflags "-X github.com/opentofu/opentofu/version.dev=no" \
          github.com/opentofu/opentofu/cmd/tofu) || { rm -f "$out.tmp.$$"; exit 1; }
        mv "$out.tmp.$$" "$out"
      ) 9>"$MCP_CACHE_DIR/locks/tofu-build.lock" >&2 || die "building OpenTofu failed; see the Go output above"
    fi
    echo "$out" ;;
  tfplugindocs|golangci-lint)
    go tool -C "$REPO_ROOT/tools" -n "$1" || die "building $1 failed; see the Go output above" ;;
  *) die "usage: tools/tools.sh tofu|tfplugindocs|golangci-lint" ;;
esac
