#!/usr/bin/env bash
# Runs every fuzz target in internal/oauth for FUZZTIME each (default 30s).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"
fuzztime="${FUZZTIME:-30s}"
for target in $(go test -list 'Fuzz.*' ./internal/oauth | grep '^Fuzz'); do
  log "fuzzing $target for $fuzztime"
  go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" ./internal/oauth
done
