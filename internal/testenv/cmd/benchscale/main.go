// Command benchscale measures what the provider costs at scale: N
// mcp_dynamic_client resources in one configuration against a real Keycloak
// behind a counting proxy, driven by Terraform. `make bench-scale` runs it.
//
// Per phase (apply, plan with refresh, plan -refresh=false, update, destroy)
// it prints the wall time, the provider processes' CPU time and peak RSS
// (each provider process runs under a small wrapper that records its
// rusage), Terraform's own CPU, and the requests by kind. In the same run a
// plain Go HTTP loop does the same requests at the same concurrency (the
// HTTP floor), and N terraform_data resources go through the same phases (what
// Terraform itself costs for N resources). A third subject, the framework
// floor (internal/testenv/cmd/benchfloor), serves mcp_dynamic_client with the
// real schema on the same framework server but does none of the provider's
// work and sends no request: what Terraform and the framework cost for a
// resource of this schema, whatever the provider does. Repetitions are
// interleaved and reported as medians.
//
//	go run ./internal/testenv/cmd/benchscale -n 200 -reps 3
//
// Flags -keep / -attach / -proxy-port reuse one Keycloak across runs while
// iterating; -profile DIR makes every provider process write CPU and heap
// profiles there (MCP_PROVIDER_PROFILE_DIR).
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/mcp-oauth/terraform-provider-mcp/internal/testenv"
)

type config struct {
	n, reps, parallelism, warmup int
	terraform, attach, workDir   string
	profileDir, providerBin      string
	proxyPort                    int
	keep                         bool
	jsonOut, subjects, phases    string
	floorKeep                    string
}

// wantsPhase reports whether a phase runs; destroy always does (it cleans up).
func (c config) wantsPhase(name string) bool {
	if name == "destroy" || c.phases == "" {
		return true
	}
	for _, s := range strings.Split(c.phases, ",") {
		if strings.TrimSpace(s) == name {
			return true
		}
	}
	return false
}

func (c config) wants(subject string) bool {
	for _, s := range strings.Split(c.subjects, ",") {
		if strings.TrimSpace(s) == subject {
			return true
		}
	}
	return false
}

func main() {
	if real := os.Getenv(envWrapProvider); real != "" {
		runWrapped(real)
		return
	}
	var c config
	flag.IntVar(&c.n, "n", 200, "number of mcp_dynamic_client (and terraform_data) resources")
	flag.IntVar(&c.reps, "reps", 3, "repetitions; medians are reported")
	flag.IntVar(&c.parallelism, "parallelism", 10, "terraform -parallelism and the raw loop's concurrency")
	flag.IntVar(&c.warmup, "warmup", 1, "raw-loop warm-up rounds against Keycloak before measuring")
	flag.StringVar(&c.terraform, "terraform", "", "Terraform CLI (default: terraform on PATH)")
	flag.StringVar(&c.providerBin, "provider-bin", "", "provider binary to measure (default: go build of the module)")
	flag.StringVar(&c.attach, "attach", "", "use the Keycloak at this URL (started by an earlier -keep run) instead of starting one")
	flag.IntVar(&c.proxyPort, "proxy-port", 0, "counting proxy port; with -attach, the one Keycloak's hostname names")
	flag.BoolVar(&c.keep, "keep", false, "leave the started Keycloak running and print how to -attach to it")
	flag.StringVar(&c.workDir, "work", "", "work directory (default: a temporary one, removed at the end)")
	flag.StringVar(&c.profileDir, "profile", "", "directory where each provider process writes cpu-PID.pprof and heap-PID.pprof")
	flag.StringVar(&c.subjects, "subjects", "provider,floor,noop,raw", "what to measure: provider, floor (the real schema, no provider work), noop (terraform_data), raw (the Go loop)")
	flag.StringVar(&c.phases, "phases", "", "comma-separated phases to run (default all: apply,plan,plan-norefresh,update; destroy always runs)")
	flag.StringVar(&c.floorKeep, "floor-keep", "", "comma-separated attributes: the floor serves a schema cut down to these (how cost follows schema size)")
	flag.StringVar(&c.jsonOut, "json", "", "also write every measurement to this JSON file")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, c); err != nil {
		fmt.Fprintln(os.Stderr, "benchscale:", err)
		os.Exit(1)
	}
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "==> "+format+"\n", args...)
}

// measurement is one phase of one repetition.
type measurement struct {
	Rep       int            `json:"rep"`
	Subject   string         `json:"subject"` // provider, floor, noop, raw
	Phase     string         `json:"phase"`
	WallMs    float64        `json:"wall_ms"`
	CLICPUms  float64        `json:"cli_cpu_ms,omitempty"` // the CLI process alone
	ProvCPUms float64        `json:"provider_cpu_ms,omitempty"`
	ProvRSSk  int64          `json:"provider_peak_rss_kib,omitempty"`
	ProvProcs int            `json:"provider_processes,omitempty"`
	Requests  map[string]int `json:"requests"`
}

func run(ctx context.Context, c config) error {
	if c.n < 1 || c.reps < 1 || c.parallelism < 1 {
		return errors.New("-n, -reps and -parallelism must be positive")
	}
	if c.terraform == "" {
		p, err := exec.LookPath("terraform")
		if err != nil {
			return errors.New("no terraform on PATH; pass -terraform")
		}
		c.terraform = p
	}
	work := c.workDir
	if work == "" {
		d, err := os.MkdirTemp("", "benchscale-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		work = d
	}
	work, _ = filepath.Abs(work)
	if c.profileDir != "" {
		c.profileDir, _ = filepath.Abs(c.profileDir)
		if err := os.MkdirAll(c.profileDir, 0o755); err != nil {
			return err
		}
	}

	// The provider under test and the wrapper Terraform starts in its place.
	pluginDir := filepath.Join(work, "plugins")
	if err := os.MkdirAll(pluginDir, 0o755); err != nil {
		return err
	}
	real := c.providerBin
	if real == "" {
		real = filepath.Join(work, "provider", "terraform-provider-mcp")
		logf("building the provider")
		b := exec.CommandContext(ctx, "go", "build", "-o", real, ".")
		b.Dir = moduleRoot(ctx)
		b.Stdout, b.Stderr = os.Stderr, os.Stderr
		if err := b.Run(); err != nil {
			return fmt.Errorf("go build: %w", err)
		}
	}
	real, _ = filepath.Abs(real)
	floor := filepath.Join(work, "floor-bin", "terraform-provider-mcp-floor")
	if c.wants("floor") {
		logf("building the framework floor provider")
		b := exec.CommandContext(ctx, "go", "build", "-o", floor, "./internal/testenv/cmd/benchfloor")
		b.Dir = moduleRoot(ctx)
		b.Stdout, b.Stderr = os.Stderr, os.Stderr
		if err := b.Run(); err != nil {
			return fmt.Errorf("go build benchfloor: %w", err)
		}
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	if err := copyFile(self, filepath.Join(pluginDir, "terraform-provider-mcp")); err != nil {
		return err
	}
	host := "registry.terraform.io"
	if strings.Contains(filepath.Base(c.terraform), "tofu") {
		host = "registry.opentofu.org"
	}
	rc := filepath.Join(work, "cli.tfrc")
	if err := os.WriteFile(rc, []byte(fmt.Sprintf("provider_installation {\n  dev_overrides {\n    %q = %q\n  }\n  direct {}\n}\n",
		host+"/mcp-oauth/mcp", pluginDir)), 0o644); err != nil {
		return err
	}

	// The counting proxy, then Keycloak with its hostname pinned to the
	// proxy: every URL it hands out (metadata, registration client URIs)
	// leads back through the proxy.
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", "127.0.0.1:"+strconv.Itoa(c.proxyPort))
	if err != nil {
		return fmt.Errorf("proxy listen: %w", err)
	}
	proxyURL := "http://" + ln.Addr().String()
	var kcURL string
	var kc *testenv.Keycloak
	var proxy *countingProxy
	if c.attach != "" {
		if c.proxyPort == 0 {
			return errors.New("-attach needs the -proxy-port the Keycloak's hostname names")
		}
		kcURL = strings.TrimRight(c.attach, "/")
		proxy = startProxy(ln, kcURL)
	} else {
		port, err := freePort(ctx)
		if err != nil {
			return err
		}
		kcURL = "http://127.0.0.1:" + strconv.Itoa(port)
		defer func() {
			if kc != nil && !c.keep {
				_ = kc.Stop()
			}
		}()
		// Keycloak's start calls its admin API through the proxy: serve first.
		proxy = startProxy(ln, kcURL)
		logf("starting Keycloak on %s behind the proxy %s (30 s to a few minutes)", kcURL, proxyURL)
		t0 := time.Now()
		kc, err = testenv.StartKeycloak(ctx, testenv.KeycloakOptions{Port: port, Hostname: proxyURL, Detach: c.keep})
		if err != nil {
			return err
		}
		logf("Keycloak ready in %s", time.Since(t0).Round(time.Second))
		if c.keep {
			logf("Keycloak stays up (pid %d); reuse it with -attach %s -proxy-port %d; stop it with kill -- -%d",
				kc.Pid(), kcURL, ln.Addr().(*net.TCPAddr).Port, kc.Pid())
		}
	}
	admin := testenv.AttachKeycloak(proxyURL)
	issuer := admin.Issuer()
	endpoint := admin.RegistrationEndpoint()

	b := &bench{c: c, work: work, rc: rc, real: real, floor: floor, proxy: proxy, issuer: issuer}
	if err := b.writeConfigs(); err != nil {
		return err
	}
	tfVersion := firstLine(exec.CommandContext(ctx, c.terraform, "version").Output())

	raw := newRawLoop(endpoint, c.parallelism)
	for i := 0; i < c.warmup && c.wants("raw"); i++ {
		logf("warm-up %d: raw loop over %d clients", i+1, c.n)
		iat, err := admin.MintInitialAccessToken(ctx, time.Hour, c.n+5)
		if err != nil {
			return err
		}
		for _, f := range []func() error{
			func() error { return raw.register(ctx, c.n, iat) }, func() error { return raw.read(ctx) },
			func() error { return raw.update(ctx) }, func() error { return raw.remove(ctx) },
		} {
			if err := f(); err != nil {
				return err
			}
		}
	}

	var all []measurement
	for rep := 1; rep <= c.reps; rep++ {
		iat, err := admin.MintInitialAccessToken(ctx, time.Hour, c.n+5)
		if err != nil {
			return err
		}
		proxy.take()
		for _, ph := range providerPhases {
			if !c.wants("provider") {
				break
			}
			if !c.wantsPhase(ph.name) {
				continue
			}
			logf("rep %d/%d: provider %s", rep, c.reps, ph.name)
			m, err := b.cli(ctx, "provider", ph, iat)
			if err != nil {
				return err
			}
			m.Rep = rep
			all = append(all, m)
		}
		for _, ph := range floorPhases {
			if !c.wants("floor") {
				break
			}
			if !c.wantsPhase(ph.name) {
				continue
			}
			logf("rep %d/%d: framework floor %s", rep, c.reps, ph.name)
			m, err := b.cli(ctx, "floor", ph, "unused")
			if err != nil {
				return err
			}
			m.Rep = rep
			all = append(all, m)
		}
		for _, ph := range noopPhases {
			if !c.wants("noop") {
				break
			}
			if !c.wantsPhase(ph.name) {
				continue
			}
			logf("rep %d/%d: terraform_data %s", rep, c.reps, ph.name)
			m, err := b.cli(ctx, "noop", ph, "")
			if err != nil {
				return err
			}
			m.Rep = rep
			all = append(all, m)
		}
		if !c.wants("raw") {
			continue
		}
		iat, err = admin.MintInitialAccessToken(ctx, time.Hour, c.n+5)
		if err != nil {
			return err
		}
		proxy.take()
		for _, rp := range []struct {
			name string
			fn   func() error
		}{
			{"apply", func() error { return raw.register(ctx, c.n, iat) }},
			{"plan", func() error { return raw.read(ctx) }},
			{"update", func() error { return raw.update(ctx) }},
			{"destroy", func() error { return raw.remove(ctx) }},
		} {
			t0 := time.Now()
			if err := rp.fn(); err != nil {
				return fmt.Errorf("raw %s: %w", rp.name, err)
			}
			all = append(all, measurement{Rep: rep, Subject: "raw", Phase: rp.name,
				WallMs: float64(time.Since(t0)) / 1e6, Requests: proxy.take()})
		}
	}
	report(os.Stdout, c, tfVersion, all)
	if c.jsonOut != "" {
		out, _ := json.MarshalIndent(all, "", "  ")
		if err := os.WriteFile(c.jsonOut, out, 0o644); err != nil {
			return err
		}
	}
	return nil
}

type phase struct {
	name string
	args []string
	vars map[string]string
	// want is the minimum set of requests the phase needs for n clients;
	// the benchmark fails when the provider sends anything else.
	want func(n int) map[string]int
}

var providerPhases = []phase{
	{"apply", []string{"apply", "-auto-approve"}, map[string]string{"name": "bench"},
		func(n int) map[string]int { return map[string]int{"discovery": 1, "register": n} }},
	{"plan", []string{"plan"}, map[string]string{"name": "bench"},
		func(n int) map[string]int { return map[string]int{"discovery": 1, "read": n} }},
	{"plan-norefresh", []string{"plan", "-refresh=false"}, map[string]string{"name": "bench"},
		func(n int) map[string]int { return map[string]int{"discovery": 1} }},
	{"update", []string{"apply", "-auto-approve"}, map[string]string{"name": "bench updated"},
		func(n int) map[string]int { return map[string]int{"discovery": 1, "read": n, "update": n} }},
	{"destroy", []string{"destroy", "-auto-approve"}, map[string]string{"name": "bench updated"},
		func(n int) map[string]int { return map[string]int{"discovery": 1, "read": n, "delete": n} }},
}

// floorPhases are the provider's phases for the framework floor, which
// sends no request at all.
var floorPhases = func() []phase {
	none := func(int) map[string]int { return map[string]int{} }
	out := make([]phase, len(providerPhases))
	for i, ph := range providerPhases {
		ph.want = none
		out[i] = ph
	}
	return out
}()

var noopPhases = []phase{
	{"apply", []string{"apply", "-auto-approve"}, map[string]string{"name": "bench"}, nil},
	{"plan", []string{"plan"}, map[string]string{"name": "bench"}, nil},
	{"plan-norefresh", []string{"plan", "-refresh=false"}, map[string]string{"name": "bench"}, nil},
	{"update", []string{"apply", "-auto-approve"}, map[string]string{"name": "bench updated"}, nil},
	{"destroy", []string{"destroy", "-auto-approve"}, map[string]string{"name": "bench updated"}, nil},
}

type bench struct {
	c      config
	work   string
	rc     string
	real   string
	floor  string
	issuer string
	proxy  *countingProxy
}

const providerConfig = `terraform {
  required_providers {
    mcp = { source = "mcp-oauth/mcp" }
  }
}

provider "mcp" {}

variable "n" { type = number }
variable "name" { type = string }
variable "issuer" { type = string }
variable "initial_access_token" {
  type      = string
  sensitive = true
  ephemeral = true
}

# One discovery per run.
data "mcp_authorization_server_metadata" "kc" {
  issuer = var.issuer
}

resource "mcp_dynamic_client" "c" {
  count                      = var.n
  registration_endpoint      = data.mcp_authorization_server_metadata.kc.registration_endpoint
  initial_access_token_wo    = var.initial_access_token
  client_name                = "${var.name} ${count.index}"
  redirect_uris              = ["http://127.0.0.1:8888/callback"]
  grant_types                = ["authorization_code", "client_credentials"]
  response_types             = ["code"]
  scope                      = "mcp:read mcp:write"
  token_endpoint_auth_method = "client_secret_post"
}
`

// floorConfig is providerConfig without discovery: the endpoint is never
// called, since the floor provider sends nothing.
const floorConfig = `terraform {
  required_providers {
    mcp = { source = "mcp-oauth/mcp" }
  }
}

provider "mcp" {}

variable "n" { type = number }
variable "name" { type = string }
variable "initial_access_token" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "mcp_dynamic_client" "c" {
  count                      = var.n
  registration_endpoint      = "http://127.0.0.1:9/register"
  initial_access_token_wo    = var.initial_access_token
  client_name                = "${var.name} ${count.index}"
  redirect_uris              = ["http://127.0.0.1:8888/callback"]
  grant_types                = ["authorization_code", "client_credentials"]
  response_types             = ["code"]
  scope                      = "mcp:read mcp:write"
  token_endpoint_auth_method = "client_secret_post"
}
`

const noopConfig = `variable "n" { type = number }
variable "name" { type = string }

resource "terraform_data" "c" {
  count = var.n
  input = "${var.name} ${count.index}"
}
`

func (b *bench) writeConfigs() error {
	for dir, body := range map[string]string{"provider": providerConfig, "floor": floorConfig, "noop": noopConfig} {
		d := filepath.Join(b.work, dir)
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(d, "main.tf"), []byte(body), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// providerBinary is what the wrapper runs for a subject.
func (b *bench) providerBinary(subject string) string {
	if subject == "floor" {
		return b.floor
	}
	return b.real
}

// cli runs one Terraform command in the subject's directory and measures it.
func (b *bench) cli(ctx context.Context, subject string, ph phase, iat string) (measurement, error) {
	dir := filepath.Join(b.work, subject)
	usageFile := filepath.Join(b.work, "rusage-"+subject+"-"+ph.name+".jsonl")
	_ = os.Remove(usageFile)
	args := append(append([]string{}, ph.args...), "-input=false", "-no-color", "-parallelism="+strconv.Itoa(b.c.parallelism))
	cmd := exec.CommandContext(ctx, b.c.terraform, args...)
	cmd.Dir = dir
	env := append(os.Environ(),
		"TF_CLI_CONFIG_FILE="+b.rc, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1",
		envWrapProvider+"="+b.providerBinary(subject), envRusageFile+"="+usageFile,
		"TF_VAR_n="+strconv.Itoa(b.c.n))
	for k, v := range ph.vars {
		env = append(env, "TF_VAR_"+k+"="+v)
	}
	if subject == "provider" {
		env = append(env, "TF_VAR_issuer="+b.issuer)
	}
	if subject == "floor" && b.c.floorKeep != "" {
		env = append(env, envFloorKeep+"="+b.c.floorKeep)
	}
	if subject == "provider" || subject == "floor" {
		env = append(env, "TF_VAR_initial_access_token="+iat)
		if b.c.profileDir != "" {
			dir := filepath.Join(b.c.profileDir, ph.name)
			if subject == "floor" {
				dir = filepath.Join(b.c.profileDir, "floor-"+ph.name)
			}
			env = append(env, "MCP_PROVIDER_PROFILE_DIR="+dir)
			_ = os.MkdirAll(dir, 0o755)
		}
	}
	cmd.Env = env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	b.proxy.take()
	t0 := time.Now()
	err := cmd.Run()
	wall := time.Since(t0)
	reqs := b.proxy.take()
	logPath := filepath.Join(b.work, subject+"-"+ph.name+".log")
	_ = os.WriteFile(logPath, out.Bytes(), 0o644)
	if err != nil {
		return measurement{}, fmt.Errorf("%s %s: %w\n%s", subject, strings.Join(ph.args, " "), err, tail(out.String(), 40))
	}
	m := measurement{Subject: subject, Phase: ph.name, WallMs: float64(wall) / 1e6, Requests: reqs}
	if ph.want != nil {
		if want := ph.want(b.c.n); formatCounts(want) != formatCounts(reqs) {
			return m, fmt.Errorf("%s %s sent %s; the minimum is %s", subject, ph.name, formatCounts(reqs), formatCounts(want))
		}
	}
	var total float64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		// wait4 reports the CLI together with the children it reaped:
		// the provider processes are subtracted below.
		total = float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e6
	}
	us, err := readUsages(usageFile)
	if err != nil {
		return m, err
	}
	for _, u := range us {
		m.ProvCPUms += u.CPUms
		m.ProvRSSk = max(m.ProvRSSk, u.MaxRSSk)
		m.ProvProcs++
	}
	m.CLICPUms = total - m.ProvCPUms
	return m, nil
}

func readUsages(path string) ([]usage, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var us []usage
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var u usage
		if err := json.Unmarshal(sc.Bytes(), &u); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		us = append(us, u)
	}
	return us, sc.Err()
}

func startProxy(ln net.Listener, target string) *countingProxy {
	u, _ := url.Parse(target)
	p := newCountingProxy(u)
	srv := &http.Server{Handler: p, ReadHeaderTimeout: 30 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return p
}

func freePort(ctx context.Context) (int, error) {
	var lc net.ListenConfig
	l, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func moduleRoot(ctx context.Context) string {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "."
	}
	return filepath.Dir(strings.TrimSpace(string(out)))
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	_ = os.Remove(dst)
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func firstLine(b []byte, err error) string {
	if err != nil {
		return "?"
	}
	s, _, _ := strings.Cut(string(b), "\n")
	return s
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func itoa(i int) string { return strconv.Itoa(i) }

// floorCut says how the floor's schema was cut down, if it was.
func floorCut(keep string) string {
	if keep == "" {
		return ""
	}
	return fmt.Sprintf(" cut to %d attributes", len(strings.Split(keep, ",")))
}

// report prints the medians per subject and phase, then the ratios.
func report(w io.Writer, c config, tfVersion string, all []measurement) {
	med := func(subject, ph string, f func(measurement) float64) float64 {
		var xs []float64
		for _, m := range all {
			if m.Subject == subject && m.Phase == ph {
				xs = append(xs, f(m))
			}
		}
		return median(xs)
	}
	reqs := func(subject, ph string) string {
		for i := len(all) - 1; i >= 0; i-- {
			if all[i].Subject == subject && all[i].Phase == ph {
				return formatCounts(all[i].Requests)
			}
		}
		return ""
	}
	wall := func(m measurement) float64 { return m.WallMs }
	n := float64(c.n)
	fmt.Fprintf(w, "\nbenchscale: N=%d, parallelism %d, %d repetition(s), medians; %s, Keycloak %s\n",
		c.n, c.parallelism, c.reps, tfVersion, testenv.KeycloakVersion)

	cpu := func(m measurement) float64 { return m.ProvCPUms }
	for _, subject := range []struct{ name, title string }{
		{"provider", fmt.Sprintf("provider (mcp_dynamic_client x %d)", c.n)},
		{"floor", fmt.Sprintf("framework floor (mcp_dynamic_client's schema%s x %d, no provider work, no requests)", floorCut(c.floorKeep), c.n)},
	} {
		if !c.wants(subject.name) {
			continue
		}
		fmt.Fprintf(w, "\n%s:\n", subject.title)
		tw := tabwriter.NewWriter(w, 2, 8, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "phase\twall s\tprovider CPU s\tCPU ms/resource\tpeak RSS MiB\tprocesses\tterraform CPU s\t requests (last repetition)")
		for _, ph := range providerPhases {
			fmt.Fprintf(tw, "%s\t%.2f\t%.2f\t%.2f\t%.0f\t%.0f\t%.2f\t %s\n", ph.name,
				med(subject.name, ph.name, wall)/1e3,
				med(subject.name, ph.name, cpu)/1e3,
				med(subject.name, ph.name, cpu)/n,
				med(subject.name, ph.name, func(m measurement) float64 { return float64(m.ProvRSSk) })/1024,
				med(subject.name, ph.name, func(m measurement) float64 { return float64(m.ProvProcs) }),
				med(subject.name, ph.name, func(m measurement) float64 { return m.CLICPUms })/1e3,
				reqs(subject.name, ph.name))
		}
		tw.Flush()
	}

	fmt.Fprintf(w, "\nno-op baseline (terraform_data x %d, built into Terraform):\n", c.n)
	tw := tabwriter.NewWriter(w, 2, 8, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "phase\twall s\tterraform CPU s\t")
	for _, ph := range noopPhases {
		fmt.Fprintf(tw, "%s\t%.2f\t%.2f\t\n", ph.name, med("noop", ph.name, wall)/1e3,
			med("noop", ph.name, func(m measurement) float64 { return m.CLICPUms })/1e3)
	}
	tw.Flush()

	fmt.Fprintf(w, "\nraw Go loop (net/http, concurrency %d, the same requests):\n", c.parallelism)
	tw = tabwriter.NewWriter(w, 2, 8, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "phase\twall s\t requests")
	for _, ph := range []string{"apply", "plan", "update", "destroy"} {
		fmt.Fprintf(tw, "%s\t%.2f\t %s\n", ph, med("raw", ph, wall)/1e3, reqs("raw", ph))
	}
	tw.Flush()

	fmt.Fprintln(w, "\nratios (medians):")
	tw = tabwriter.NewWriter(w, 2, 8, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "phase\tprovider wall / raw\t(provider - no-op) wall / raw\tprovider CPU ms/resource\tof which the floor's\tthe provider's own\t")
	for _, ph := range []string{"apply", "plan", "plan-norefresh", "update", "destroy"} {
		pw, nw, rw := med("provider", ph, wall), med("noop", ph, wall), med("raw", ph, wall)
		if rw == 0 {
			rw = math.NaN()
		}
		pc, fc := med("provider", ph, cpu)/n, med("floor", ph, cpu)/n
		if !c.wants("floor") {
			fc = math.NaN()
		}
		fmt.Fprintf(tw, "%s\t%.1fx\t%.1fx\t%.2f\t%.2f\t%.2f\t\n", ph, pw/rw, (pw-nw)/rw, pc, fc, pc-fc)
	}
	tw.Flush()
}
