// Command benchscale measures what the provider costs at scale: N
// mcp_dynamic_client resources in one configuration against a real Keycloak
// behind a counting proxy, driven by Terraform. `make bench-scale` runs it.
//
// Four subjects go through the same phases (apply, plan with refresh, plan
// -refresh=false, update, destroy): the provider; the framework floor
// (internal/testenv/cmd/benchfloor: the real schema on the same framework
// server, none of the provider's work, no request), what Terraform and the
// framework cost for a resource of this schema; N terraform_data, what
// Terraform costs for N resources; and a plain Go HTTP loop doing the same
// requests at the same concurrency, the HTTP floor. Per phase it prints the
// wall time, the provider processes' CPU time and peak RSS (each provider
// process runs under a small wrapper that records its rusage), Terraform's
// own CPU, and the requests by kind. Repetitions are interleaved, each
// starting with another subject, and reported as medians.
//
//	go run ./internal/testenv/cmd/benchscale -n 200 -reps 3
//
// Flags -keep / -attach / -proxy-port reuse one Keycloak across runs while
// iterating; -profile DIR makes every provider process write CPU and heap
// profiles there (MCP_PROVIDER_PROFILE_DIR).
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
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
	if target := os.Getenv(envWrapProvider); target != "" {
		runWrapped(target)
		return
	}
	var c config
	flag.IntVar(&c.n, "n", 200, "number of mcp_dynamic_client (and terraform_data) resources")
	flag.IntVar(&c.reps, "reps", 3, "repetitions; medians are reported")
	flag.IntVar(&c.parallelism, "parallelism", 10, "terraform -parallelism and the raw loop's concurrency")
	flag.IntVar(&c.warmup, "warmup", 1, "raw-loop warm-up rounds against Keycloak before measuring")
	flag.StringVar(&c.terraform, "terraform", "", "Terraform CLI (default: terraform on PATH)")
	flag.StringVar(&c.providerBin, "provider-bin", "", "provider binary to measure (default: go build of the module; the framework floor is always built from the working tree)")
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
	subjects, err := c.subjectList()
	if err != nil {
		return err
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
	providerPath := c.providerBin
	if providerPath == "" {
		providerPath = filepath.Join(work, "provider", "terraform-provider-mcp")
		if err := goBuild(ctx, "the provider", ".", providerPath); err != nil {
			return err
		}
	}
	providerPath, _ = filepath.Abs(providerPath)
	floor := filepath.Join(work, "floor-bin", "terraform-provider-mcp-floor")
	if c.wants("floor") {
		if err := goBuild(ctx, "the framework floor provider", "./internal/testenv/cmd/benchfloor", floor); err != nil {
			return err
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

	b := &bench{c: c, work: work, rc: rc, providerPath: providerPath, floor: floor, proxy: proxy, proxyURL: proxyURL,
		issuer: issuer, admin: admin, raw: newRawLoop(endpoint, c.parallelism)}
	if err := b.writeConfigs(); err != nil {
		return err
	}
	tfVersion := firstLine(exec.CommandContext(ctx, c.terraform, "version").Output())

	for i := 0; i < c.warmup && c.wants("raw"); i++ {
		logf("warm-up %d: raw loop over %d clients", i+1, c.n)
		if _, err := b.measureRaw(ctx, 0); err != nil {
			return err
		}
	}

	var all []measurement
	for rep := 1; rep <= c.reps; rep++ {
		for _, subject := range rotate(subjects, rep-1) {
			ms, err := b.measure(ctx, subject, rep)
			if err != nil {
				return err
			}
			all = append(all, ms...)
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

// goBuild builds the module's package pkg into out.
func goBuild(ctx context.Context, what, pkg, out string) error {
	logf("building %s", what)
	b := exec.CommandContext(ctx, "go", "build", "-o", out, pkg)
	b.Dir = moduleRoot(ctx)
	b.Stdout, b.Stderr = os.Stderr, os.Stderr
	if err := b.Run(); err != nil {
		return fmt.Errorf("go build %s: %w", pkg, err)
	}
	return nil
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
