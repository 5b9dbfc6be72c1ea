#!/usr/bin/env bash
# Generates docs/ with tfplugindocs from the provider's schema and examples/.
# tfplugindocs wants a `terraform` binary; we give it a schema file instead,
# read with tofu from the locally built provider.
#   tools/docs.sh           regenerate docs/
#   tools/docs.sh --check   fail when docs/ differs from what the code generates
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

check=false
[ "${1:-}" = "--check" ] && check=true

tofu="$("$REPO_ROOT/tools/tools.sh" tofu)"
tfplugindocs="$("$REPO_ROOT/tools/tools.sh" tfplugindocs)"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/plugins" "$work/config"

log "building the provider"
(cd "$REPO_ROOT" && go build -o "$work/plugins/terraform-provider-mcp" .)

cat > "$work/tofu.rc" <<RC
provider_installation {
  dev_overrides {
    "registry.opentofu.org/mcp-oauth/mcp" = "$work/plugins"
  }
  direct {}
}
RC
cat > "$work/config/main.tf" <<'TF'
terraform {
  required_providers {
    mcp = { source = "mcp-oauth/mcp" }
  }
}
TF

log "reading the provider schema with tofu"
(cd "$work/config" && TF_CLI_CONFIG_FILE="$work/tofu.rc" "$tofu" providers schema -json) > "$work/schema.raw.json" \
  || die "tofu could not read the provider schema"
# tfplugindocs looks the schema up by the provider's short name (or under the
# hashicorp namespace), so key it by "mcp".
sed 's#"registry.opentofu.org/mcp-oauth/mcp"#"mcp"#' "$work/schema.raw.json" > "$work/schema.json"

# tfplugindocs resolves the output folder against the provider folder.
out="docs"
if $check; then
  out=".docs-check"
  trap 'rm -rf "$work" "$REPO_ROOT/.docs-check"' EXIT
fi
log "running tfplugindocs"
(cd "$REPO_ROOT" && "$tfplugindocs" generate --provider-name mcp --rendered-provider-name MCP \
  --providers-schema "$work/schema.json" --rendered-website-dir "$out" >"$work/tfplugindocs.log" 2>&1) \
  || { cat "$work/tfplugindocs.log" >&2; die "tfplugindocs failed"; }

if $check; then
  if ! diff -ru "$REPO_ROOT/docs" "$REPO_ROOT/$out"; then
    die "docs/ is out of date: run 'make docs' and commit the result"
  fi
  log "docs/ is current"
else
  log "docs/ regenerated"
fi
