package provider

import (
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// testAccProtoV6ProviderFactories serves the provider in-process to the CLI
// that terraform-plugin-testing drives (tofu or terraform, TF_ACC_TERRAFORM_PATH).
var testAccProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"mcp": providerserver.NewProtocol6WithError(New("test")()),
}

// cliProblem says why no CLI could be found for the tests, or is "".
var cliProblem string

// setUpCLI finds the CLI the harness drives, as tools/test.sh does:
// TF_ACC_TERRAFORM_PATH when set, else terraform on PATH, else the OpenTofu
// that tools/tools.sh cached. It exports what the harness needs for it and
// points TF_CLI_CONFIG_FILE at an existing file (a missing one makes tofu
// print a warning that breaks the harness's version parsing). The returned
// function removes what it created.
func setUpCLI() (cleanup func()) {
	cleanup = func() {}
	if cfg := os.Getenv("TF_CLI_CONFIG_FILE"); cfg == "" || !fileExists(cfg) {
		f, err := os.CreateTemp("", "mcp-provider-test-*.tfrc")
		if err == nil {
			_ = f.Close()
			_ = os.Setenv("TF_CLI_CONFIG_FILE", f.Name())
			cleanup = func() { _ = os.Remove(f.Name()) }
		}
	}
	cli := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if cli == "" {
		cli = findCLI()
		if cli == "" {
			cliProblem = "no terraform or tofu CLI found: set TF_ACC_TERRAFORM_PATH, put terraform on PATH, or run `tools/tools.sh tofu` once"
			return cleanup
		}
		_ = os.Setenv("TF_ACC_TERRAFORM_PATH", cli)
	}
	if !fileExists(cli) {
		cliProblem = "TF_ACC_TERRAFORM_PATH=" + cli + " does not exist"
		return cleanup
	}
	if strings.HasPrefix(filepath.Base(cli), "tofu") {
		setDefaultEnv("TF_ACC_PROVIDER_HOST", "registry.opentofu.org")
		setDefaultEnv("TF_ACC_PROVIDER_NAMESPACE", "hashicorp")
	}
	return cleanup
}

func findCLI() string {
	if p, err := exec.LookPath("terraform"); err == nil {
		if abs, err := filepath.Abs(p); err == nil {
			return abs
		}
	}
	cache := os.Getenv("MCP_CACHE_DIR")
	if cache == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return ""
		}
		cache = filepath.Join(home, ".cache", "terraform-provider-mcp")
	}
	found, _ := filepath.Glob(filepath.Join(cache, "bin", "tofu-*"))
	var usable []string
	for _, f := range found {
		if !strings.HasSuffix(f, ".tmp") {
			usable = append(usable, f)
		}
	}
	if len(usable) == 0 {
		return ""
	}
	sort.Strings(usable)
	return usable[len(usable)-1]
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

func setDefaultEnv(k, v string) {
	if os.Getenv(k) == "" {
		_ = os.Setenv(k, v)
	}
}

// testAccPreCheck makes sure the CLI the harness needs is there. Without one
// it fails under TF_ACC and in CI: a test that silently skips has not passed.
// Elsewhere (a plain `go test` on a machine without a CLI) it skips, saying why.
func testAccPreCheck(t *testing.T) {
	t.Helper()
	if cliProblem == "" {
		return
	}
	if os.Getenv("TF_ACC") != "" || os.Getenv("CI") != "" {
		t.Fatal(cliProblem)
	}
	t.Skip(cliProblem)
}
