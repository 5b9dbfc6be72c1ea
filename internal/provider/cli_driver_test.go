package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"
)

// cliDriver runs the Terraform or OpenTofu CLI by hand against the provider
// served in-process, for scenarios terraform-plugin-testing cannot express
// (a phase that may fail and is run again). Every command's output is kept
// for searching, and TF_LOG=trace goes to one file per driver.
type cliDriver struct {
	t        *testing.T
	cli      string
	dir      string
	reattach string
	env      []string
	// CoreLog is the CLI's TF_LOG=trace file; the provider's own trace log
	// is ProviderLog (TF_ACC_LOG_PATH, read by the in-process provider).
	CoreLog     string
	ProviderLog string
	outputs     bytes.Buffer
}

// newCLIDriver serves the provider for the test's lifetime and prepares a
// working directory. env is added to every command's environment.
func newCLIDriver(t *testing.T, env ...string) *cliDriver {
	t.Helper()
	cli := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if cli == "" {
		t.Fatal("TF_ACC_TERRAFORM_PATH is not set")
	}
	dir := t.TempDir()
	d := &cliDriver{t: t, cli: cli, dir: dir, CoreLog: filepath.Join(dir, "core-trace.log"), ProviderLog: filepath.Join(dir, "provider-trace.log")}
	// The in-process provider logs through the test sink, which reads these.
	t.Setenv("TF_ACC_LOG_PATH", d.ProviderLog)
	t.Setenv("TF_LOG", "TRACE")

	ctx, cancel := context.WithCancel(context.Background())
	cfgCh := make(chan *plugin.ReattachConfig, 1)
	closeCh := make(chan struct{})
	factory := testAccProtoV6ProviderFactories["mcp"]
	server, err := factory()
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	go func() {
		_ = tf6server.Serve("registry.terraform.io/hashicorp/mcp", func() tfprotov6.ProviderServer { return server },
			tf6server.WithDebug(ctx, cfgCh, closeCh),
			tf6server.WithGoPluginLogger(hclog.New(&hclog.LoggerOptions{Output: io.Discard, Level: hclog.Trace})),
			tf6server.WithLoggingSink(t),
			tf6server.WithoutLogStderrOverride(),
		)
	}()
	var rc *plugin.ReattachConfig
	select {
	case rc = <-cfgCh:
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatal("the provider did not start serving")
	}
	t.Cleanup(func() {
		cancel()
		select {
		case <-closeCh:
		case <-time.After(10 * time.Second):
		}
	})
	entry := map[string]any{
		"Protocol": string(rc.Protocol), "ProtocolVersion": rc.ProtocolVersion, "Pid": rc.Pid, "Test": true,
		"Addr": map[string]string{"Network": rc.Addr.Network(), "String": rc.Addr.String()},
	}
	re, _ := json.Marshal(map[string]any{
		"registry.terraform.io/hashicorp/mcp": entry,
		"registry.opentofu.org/hashicorp/mcp": entry,
	})
	d.reattach = string(re)
	d.env = env
	return d
}

// WriteConfig replaces main.tf.
func (d *cliDriver) WriteConfig(hcl string) {
	d.t.Helper()
	if err := os.WriteFile(filepath.Join(d.dir, "main.tf"), []byte(hcl), 0o600); err != nil {
		d.t.Fatal(err)
	}
}

// cliResult is one command's outcome.
type cliResult struct {
	Args     []string
	ExitCode int
	Output   string // stdout and stderr
	Took     time.Duration
}

// Run runs the CLI with args (with -no-color and -input=false added where
// they apply) under a deadline; a non-zero exit is not a test failure.
func (d *cliDriver) Run(timeout time.Duration, args ...string) cliResult {
	d.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	full := append([]string{args[0], "-no-color"}, args[1:]...)
	switch args[0] {
	case "apply", "destroy", "plan", "init", "import", "refresh":
		full = append(full, "-input=false")
	}
	cmd := exec.CommandContext(ctx, d.cli, full...)
	cmd.Dir = d.dir
	cmd.Env = append(os.Environ(),
		"TF_REATTACH_PROVIDERS="+d.reattach,
		"TF_LOG=TRACE",
		"TF_LOG_PATH="+d.CoreLog,
		"TF_IN_AUTOMATION=1",
		"CHECKPOINT_DISABLE=1",
	)
	cmd.Env = append(cmd.Env, d.env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	res := cliResult{Args: full, Output: out.String(), Took: time.Since(start)}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		res.ExitCode = ee.ExitCode()
	default:
		res.ExitCode = -1
		res.Output += "\n(driver) " + err.Error()
	}
	if ctx.Err() != nil {
		res.Output += fmt.Sprintf("\n(driver) killed after %s", timeout)
		res.ExitCode = -1
	}
	if args[0] != "show" { // show -json prints the state, secrets included, by design
		fmt.Fprintf(&d.outputs, "$ %s (exit %d, %s)\n%s\n", strings.Join(full, " "), res.ExitCode, res.Took.Round(time.Millisecond), res.Output)
	}
	return res
}

// Outputs is everything every command printed.
func (d *cliDriver) Outputs() string { return d.outputs.String() }

// Logs is both trace logs.
func (d *cliDriver) Logs() string {
	var b strings.Builder
	for _, p := range []string{d.CoreLog, d.ProviderLog} {
		raw, err := os.ReadFile(p)
		if err != nil {
			d.t.Errorf("reading %s: %v", p, err)
			continue
		}
		b.Write(raw)
	}
	return b.String()
}

// stateClients maps the client_id of every mcp_dynamic_client in state to
// its client_name (read from the state file: no provider call).
func (d *cliDriver) stateClients() map[string]string {
	d.t.Helper()
	res := d.Run(2*time.Minute, "show", "-json")
	if res.ExitCode != 0 {
		d.t.Fatalf("show -json failed: %s", res.Output)
	}
	var doc struct {
		Values *struct {
			RootModule struct {
				Resources []struct {
					Type   string         `json:"type"`
					Values map[string]any `json:"values"`
				} `json:"resources"`
			} `json:"root_module"`
		} `json:"values"`
	}
	// show prints the JSON as the last line of its output.
	lines := strings.Split(strings.TrimSpace(res.Output), "\n")
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &doc); err != nil {
		d.t.Fatalf("show -json: %v", err)
	}
	out := map[string]string{}
	if doc.Values == nil {
		return out
	}
	for _, r := range doc.Values.RootModule.Resources {
		if r.Type != "mcp_dynamic_client" {
			continue
		}
		id, _ := r.Values["client_id"].(string)
		name, _ := r.Values["client_name"].(string)
		out[id] = name
	}
	return out
}
