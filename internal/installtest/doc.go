// Package installtest installs the provider the way users do: from the
// release artifacts GoReleaser builds (tools/release.sh), through a
// filesystem mirror, with `terraform init` and `tofu init`, the dependency
// lock file and no dev_overrides; then it plans a configuration that runs
// discovery against real servers from internal/testenv.
//
// It has only tests; tools/install-test.sh (part of `make test`) builds the
// artifacts and runs them.
package installtest
