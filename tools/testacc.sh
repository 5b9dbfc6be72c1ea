#!/usr/bin/env bash
# Acceptance tests with OpenTofu against real servers, for development.
# Arguments go to `go test`, e.g. tools/testacc.sh -run TestAccDynamicClient.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"
tofu="$(tools/tools.sh tofu)"
exec env TF_ACC=1 TF_ACC_TERRAFORM_PATH="$tofu" TF_ACC_PROVIDER_HOST=registry.opentofu.org \
  TF_ACC_PROVIDER_NAMESPACE=hashicorp go test -count=1 -timeout 45m "$@" ./internal/provider/...
