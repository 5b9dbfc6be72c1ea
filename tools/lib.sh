# Shared shell settings for the project's scripts. Source it; do not run it.
# Everything slow to build or fetch is cached outside the repository, in
# MCP_CACHE_DIR (default ~/.cache/terraform-provider-mcp), and reused.

set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MCP_CACHE_DIR="${MCP_CACHE_DIR:-$HOME/.cache/terraform-provider-mcp}"
CACHE_BIN="$MCP_CACHE_DIR/bin"
mkdir -p "$CACHE_BIN"
export MCP_CACHE_DIR

TOFU_VERSION="1.12.6"

# The machines may set TF_CLI_CONFIG_FILE to a file that does not exist; tofu
# then prints a warning on stdout that breaks `tofu version -json` parsing.
if [ -z "${TF_CLI_CONFIG_FILE:-}" ] || [ ! -f "${TF_CLI_CONFIG_FILE}" ]; then
  export TF_CLI_CONFIG_FILE="$MCP_CACHE_DIR/empty.tfrc"
  : > "$TF_CLI_CONFIG_FILE"
fi

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
