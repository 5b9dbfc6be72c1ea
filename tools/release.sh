#!/usr/bin/env bash
# Release tooling: GoReleaser and actionlint, both built from the Go module
# proxy at the versions tools/release/go.mod pins and cached in $CACHE_BIN.
#
#   tools/release.sh snapshot [--host-only] [--dist DIR]
#       The release artifacts of .goreleaser.yml, signed with a throwaway GPG
#       key made for this run (no real key, no publishing): zips, SHA256SUMS,
#       SHA256SUMS.sig, manifest.json, and the throwaway public key
#       (snapshot-signing-key.asc) to check the signature with.
#       --host-only builds this machine's platform only (what `make test`
#       installs); --dist writes somewhere other than ./dist.
#   tools/release.sh lint-workflows
#       actionlint over .github/workflows.
#   tools/release.sh path goreleaser|actionlint
#       Prints the tool's path, building it first when missing.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

RELEASE_MODULE="$REPO_ROOT/tools/release"

tool_path() { # name, package
  local version out
  version="$(cd "$RELEASE_MODULE" && go list -f '{{.Module.Version}}' "$2")" \
    || die "cannot read the $1 version from tools/release/go.mod"
  out="$CACHE_BIN/$1-$version"
  if [ ! -x "$out" ]; then
    log "building $1 $version from the Go module proxy (once; cached in $CACHE_BIN)"
    (cd "$RELEASE_MODULE" && go build -o "$out.tmp.$$" "$2") || die "building $1 failed; see the Go output above"
    mv "$out.tmp.$$" "$out"
  fi
  echo "$out"
}
goreleaser_path() { tool_path goreleaser github.com/goreleaser/goreleaser/v2; }
actionlint_path() { tool_path actionlint github.com/rhysd/actionlint/cmd/actionlint; }

snapshot() {
  local host_only=false dist=""
  while [ $# -gt 0 ]; do
    case "$1" in
      --host-only) host_only=true ;;
      --dist) dist="${2:?--dist needs a directory}"; shift ;;
      *) die "snapshot: unknown argument $1" ;;
    esac
    shift
  done
  command -v gpg >/dev/null || die "gpg is needed to sign the snapshot's SHA256SUMS"
  command -v git >/dev/null || die "git is needed: GoReleaser reads the version from the repository"
  local goreleaser; goreleaser="$(goreleaser_path)"

  # Global, not local: the EXIT trap runs after this function returned.
  work="$(mktemp -d /tmp/mcp-release.XXXXXX)"
  # The throwaway key lives in a GNUPGHOME of its own that is deleted with
  # its agent when this script ends; the user's keyring is never touched.
  export GNUPGHOME="$work/gnupg"
  mkdir -m 700 "$GNUPGHOME"
  trap 'gpgconf --kill gpg-agent >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

  log "generating a throwaway signing key (RSA, no passphrase, valid 1 day)"
  gpg --batch --quiet --passphrase '' \
    --quick-generate-key "terraform-provider-mcp snapshot (throwaway key) <snapshot@invalid>" rsa3072 sign 1d \
    2>"$work/gpg.log" || { cat "$work/gpg.log" >&2; die "gpg could not generate the throwaway key"; }
  GPG_FINGERPRINT="$(gpg --batch --with-colons --list-secret-keys 2>/dev/null | awk -F: '/^fpr:/ { print $10; exit }')"
  [ -n "$GPG_FINGERPRINT" ] || die "no fingerprint for the throwaway key"
  export GPG_FINGERPRINT

  # A derived configuration when the targets or the output folder change;
  # GoReleaser has no command line flag for either in `release`.
  local config="$REPO_ROOT/.goreleaser.yml"
  if $host_only || [ -n "$dist" ]; then
    local target; target="$(go env GOOS)_$(go env GOARCH)"
    config="$work/goreleaser.yml"
    awk -v hostonly="$host_only" -v target="$target" '
      /# targets-begin/ { print; if (hostonly == "true") { sub(/#.*/, ""); print $0 "- " target; skip = 1 }; next }
      /# targets-end/ { skip = 0 }
      !skip { print }
    ' "$REPO_ROOT/.goreleaser.yml" > "$config"
    grep -q -- '# targets-end' "$config" || die "the targets markers are missing in .goreleaser.yml"
    if [ -n "$dist" ]; then
      mkdir -p "$(dirname "$dist")"
      dist="$(cd "$(dirname "$dist")" && pwd)/$(basename "$dist")"
      printf '\ndist: %s\n' "$dist" >> "$config"
    fi
  fi
  dist="${dist:-$REPO_ROOT/dist}"

  log "goreleaser release --snapshot$($host_only && echo " (this platform only: $(go env GOOS)_$(go env GOARCH))")"
  "$goreleaser" release --snapshot --clean --config "$config" --parallelism 2 \
    || die "goreleaser failed; see its output above"

  local version
  version="$(sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' "$dist/metadata.json" | head -1)"
  [ -n "$version" ] || die "no version in $dist/metadata.json"
  # The release workflow uploads the manifest as an extra file; a snapshot
  # publishes nothing, so put it beside the other artifacts here.
  cp "$REPO_ROOT/terraform-registry-manifest.json" "$dist/terraform-provider-mcp_${version}_manifest.json"
  gpg --batch --armor --export "$GPG_FINGERPRINT" > "$dist/snapshot-signing-key.asc"

  local sums="$dist/terraform-provider-mcp_${version}_SHA256SUMS"
  [ -f "$sums" ] && [ -f "$sums.sig" ] || die "GoReleaser did not write $sums and its signature"
  (cd "$dist" && sha256sum --quiet -c "$(basename "$sums")") || die "the artifacts do not match $sums"
  gpg --batch --quiet --verify "$sums.sig" "$sums" 2>/dev/null || die "the signature of $sums does not verify"
  log "version $version in $dist:"
  find "$dist" -maxdepth 1 -type f \( -name 'terraform-provider-mcp_*' -o -name snapshot-signing-key.asc \) \
    -printf '    %f\n' | sort >&2
}

lint_workflows() {
  local actionlint; actionlint="$(actionlint_path)"
  log "actionlint .github/workflows (the workflows cannot run here; this checks their syntax, expressions and action inputs)"
  "$actionlint" -no-color || die "actionlint found problems in .github/workflows"
}

case "${1:-}" in
  snapshot) shift; snapshot "$@" ;;
  lint-workflows) lint_workflows ;;
  path)
    case "${2:-}" in
      goreleaser) goreleaser_path ;;
      actionlint) actionlint_path ;;
      *) die "usage: tools/release.sh path goreleaser|actionlint" ;;
    esac ;;
  *) die "usage: tools/release.sh snapshot [--host-only] [--dist DIR] | lint-workflows | path goreleaser|actionlint" ;;
esac
