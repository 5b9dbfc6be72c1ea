// Command testenv runs the demo environment: Keycloak (realm mcp-oauth) on
// http://localhost:9000 and the MCP resource server on
// http://localhost:8000/mcp, detached, with pid files and logs under
// $MCP_CACHE_DIR/run (default ~/.cache/terraform-provider-mcp/run).
//
//	testenv up                start (or adopt) Keycloak and the MCP server, wait until ready
//	testenv down              stop what `up` started; nothing is left running
//	testenv status            what runs where
//	testenv mint-iat [--expiration 3600] [--count 10]
//	                          print a fresh Initial Access Token
//	testenv setup [--keycloak-url URL] [--audience URL]
//	                          apply the realm set-up (client scopes, audience mapper,
//	                          registration policy) to any Keycloak, e.g. docker compose's
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/mcp-oauth/terraform-provider-mcp/internal/testenv"
)

const (
	demoKeycloakURL = "http://localhost:9000"
	demoResource    = testenv.DefaultMCPResource // http://localhost:8000/mcp
)

// state is what `up` leaves in run/state.json for `down` and `status`.
type state struct {
	Keycloak *proc `json:"keycloak,omitempty"`
	MCP      *proc `json:"mcp_server,omitempty"`
}

type proc struct {
	Pid     int    `json:"pid"`
	URL     string `json:"url"`
	LogFile string `json:"log_file"`
	// Dir is Keycloak's per-instance distribution copy, removed by down.
	Dir string `json:"dir,omitempty"`
	// Match is a string the process's command line contains, so down never
	// signals a recycled pid.
	Match string `json:"match"`
}

func runDir() string { return filepath.Join(testenv.CacheDir(), "run") }

func main() {
	if len(os.Args) < 2 {
		usage(os.Stderr)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch os.Args[1] {
	case "up":
		err = up(ctx, os.Args[2:])
	case "down":
		err = down(os.Args[2:])
	case "status":
		err = status(ctx, os.Args[2:])
	case "mint-iat":
		err = mintIAT(ctx, os.Args[2:])
	case "setup":
		err = setup(ctx, os.Args[2:])
	case "-h", "--help", "help":
		usage(os.Stdout)
		return
	default:
		usage(os.Stderr)
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "testenv:", err)
		os.Exit(1)
	}
}

func usage(w io.Writer) {
	fmt.Fprint(w, `usage:
  testenv up [--keycloak-port 9000] [--management-port 9001] [--mcp-port 8000]
  testenv down
  testenv status
  testenv mint-iat [--expiration 3600] [--count 10] [--keycloak-url http://localhost:9000]
  testenv setup [--keycloak-url http://localhost:9000] [--audience http://localhost:8000/mcp]
`)
}

func up(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("up", flag.ContinueOnError)
	kcPort := fs.Int("keycloak-port", 9000, "Keycloak HTTP port")
	mgmtPort := fs.Int("management-port", 9001, "Keycloak management port (health)")
	mcpPort := fs.Int("mcp-port", 8000, "MCP server port")
	if err := fs.Parse(args); err != nil {
		return err
	}
	kcURL := "http://localhost:" + strconv.Itoa(*kcPort)
	resource := "http://localhost:" + strconv.Itoa(*mcpPort) + "/mcp"
	if err := os.MkdirAll(runDir(), 0o755); err != nil {
		return err
	}
	st := loadState()
	defer saveState(st)

	// Keycloak: adopt one that answers (a previous `up`, docker compose),
	// else start one.
	var k *testenv.Keycloak
	if answers(ctx, kcURL+"/realms/"+testenv.KeycloakRealm+"/.well-known/openid-configuration") {
		fmt.Printf("keycloak: already running at %s; applying the realm set-up\n", kcURL)
		k = testenv.AttachKeycloak(kcURL)
		if err := k.ConfigureRealm(ctx, resource); err != nil {
			return fmt.Errorf("keycloak at %s: %w", kcURL, err)
		}
	} else {
		fmt.Printf("keycloak: starting on %s (management :%d); this takes 30 s to a few minutes, log in %s\n",
			kcURL, *mgmtPort, runDir())
		t0 := time.Now()
		var err error
		k, err = testenv.StartKeycloak(ctx, testenv.KeycloakOptions{
			Port:           *kcPort,
			ManagementPort: *mgmtPort,
			Hostname:       kcURL,
			LogDir:         runDir(),
			Audience:       resource,
			Detach:         true,
		})
		if err != nil {
			return err
		}
		st.Keycloak = &proc{Pid: k.Pid(), URL: kcURL, LogFile: k.LogFile, Dir: k.Dir, Match: "keycloak"}
		writePid("keycloak", k.Pid())
		saveState(st)
		fmt.Printf("keycloak: ready in %s\n", time.Since(t0).Round(time.Second))
	}

	if answers(ctx, "http://localhost:"+strconv.Itoa(*mcpPort)+"/.well-known/oauth-protected-resource/mcp") {
		fmt.Printf("mcp server: already running at %s\n", resource)
	} else {
		m, err := testenv.StartMCPServer(ctx, testenv.MCPServerOptions{
			Port:                 *mcpPort,
			Resource:             resource,
			AuthorizationServers: []string{k.Issuer()},
			LogDir:               runDir(),
			Detach:               true,
		})
		if err != nil {
			return fmt.Errorf("%w\n(keycloak keeps running; `testenv down` stops it)", err)
		}
		st.MCP = &proc{Pid: m.Pid(), URL: resource, LogFile: m.LogFile, Match: "mcpserver"}
		writePid("mcpserver", m.Pid())
		fmt.Printf("mcp server: ready\n")
	}

	fmt.Printf(`
Keycloak        %s  (admin console %s/admin, %s / %s)
  issuer        %s
  registration  %s
  realm user    %s / %s; client %s / %s
MCP server      %s  (metadata http://localhost:%d/.well-known/oauth-protected-resource/mcp)
Logs and pids   %s
Stop with       testenv down
`, kcURL, kcURL, testenv.KeycloakAdminUser, testenv.KeycloakAdminPassword,
		k.Issuer(), k.RegistrationEndpoint(),
		testenv.DemoUser, testenv.DemoPassword, testenv.DemoClientID, testenv.DemoClientSecret,
		resource, *mcpPort, runDir())
	// No token is printed here: a secret on the terminal ends up in scroll
	// back and CI logs. `testenv mint-iat` prints one for whoever asks.
	return nil
}

func down(args []string) error {
	fs := flag.NewFlagSet("down", flag.ContinueOnError)
	if err := fs.Parse(args); err != nil {
		return err
	}
	st := loadState()
	var errs []error
	for _, e := range []struct {
		name string
		p    **proc
	}{{"mcp server", &st.MCP}, {"keycloak", &st.Keycloak}} {
		p := *e.p
		if p == nil {
			continue
		}
		if err := killGroup(p); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", e.name, err))
			continue
		}
		if p.Dir != "" {
			os.RemoveAll(filepath.Dir(p.Dir))
		}
		fmt.Printf("%s: stopped (pid %d)\n", e.name, p.Pid)
		*e.p = nil
	}
	os.Remove(filepath.Join(runDir(), "keycloak.pid"))
	os.Remove(filepath.Join(runDir(), "mcpserver.pid"))
	saveState(st)
	if st.Keycloak == nil && st.MCP == nil {
		os.Remove(filepath.Join(runDir(), "state.json"))
	}
	return errors.Join(errs...)
}

// killGroup stops a process group started by `up`: SIGTERM, up to 20 s,
// then SIGKILL.
func killGroup(p *proc) error {
	if !ours(p) {
		return nil // already gone (or the pid now belongs to someone else)
	}
	_ = syscall.Kill(-p.Pid, syscall.SIGTERM)
	for i := 0; i < 200; i++ {
		if !groupAlive(p.Pid) {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	_ = syscall.Kill(-p.Pid, syscall.SIGKILL)
	for i := 0; i < 50; i++ {
		if !groupAlive(p.Pid) {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("process group %d still alive after SIGKILL", p.Pid)
}

// groupAlive reports whether any process of group pgid still exists.
// ESRCH means the group is gone; EPERM means it exists but is not ours to
// signal, which still counts as alive.
func groupAlive(pgid int) bool {
	err := syscall.Kill(-pgid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// ours reports whether pid still runs the process `up` started.
func ours(p *proc) bool {
	if p.Pid <= 0 || syscall.Kill(p.Pid, 0) != nil {
		return false
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", p.Pid))
	if err != nil {
		return true // no /proc (macOS): trust the pid file
	}
	return strings.Contains(string(b), p.Match)
}

func status(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("status", flag.ContinueOnError)
	if err := fs.Parse(args); err != nil {
		return err
	}
	st := loadState()
	show := func(name string, p *proc, probe string, fallbackURL string) {
		switch {
		case p != nil && ours(p):
			fmt.Printf("%-11s running  pid %d  %s  ready=%v  log %s\n", name, p.Pid, p.URL, answers(ctx, probe), p.LogFile)
		case answers(ctx, probe):
			fmt.Printf("%-11s running  (not started by testenv)  %s\n", name, fallbackURL)
		default:
			fmt.Printf("%-11s stopped\n", name)
		}
	}
	show("keycloak", st.Keycloak, demoKeycloakURL+"/realms/"+testenv.KeycloakRealm+"/.well-known/openid-configuration", demoKeycloakURL)
	show("mcp server", st.MCP, "http://localhost:8000/.well-known/oauth-protected-resource/mcp", demoResource)
	return nil
}

func mintIAT(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("mint-iat", flag.ContinueOnError)
	exp := fs.Int("expiration", 3600, "lifetime in seconds (0 = no expiry)")
	count := fs.Int("count", 10, "how many registrations it allows")
	kcURL := fs.String("keycloak-url", keycloakURL(), "Keycloak base URL")
	if err := fs.Parse(args); err != nil {
		return err
	}
	tok, err := testenv.AttachKeycloak(*kcURL).MintInitialAccessToken(ctx, time.Duration(*exp)*time.Second, *count)
	if err != nil {
		return fmt.Errorf("%w (is Keycloak running? `testenv up`)", err)
	}
	fmt.Println(tok)
	return nil
}

func setup(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("setup", flag.ContinueOnError)
	kcURL := fs.String("keycloak-url", keycloakURL(), "Keycloak base URL (as reachable from here)")
	audience := fs.String("audience", demoResource, "MCP resource URL put into access tokens' aud")
	wait := fs.Duration("wait", 5*time.Minute, "how long to wait for Keycloak to answer")
	if err := fs.Parse(args); err != nil {
		return err
	}
	k := testenv.AttachKeycloak(*kcURL)
	deadline := time.Now().Add(*wait)
	for !answers(ctx, k.Issuer()+"/.well-known/openid-configuration") {
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("keycloak at %s did not answer within %s", *kcURL, *wait)
		}
		time.Sleep(2 * time.Second)
	}
	if err := k.ConfigureRealm(ctx, *audience); err != nil {
		return err
	}
	fmt.Printf("realm %s at %s configured; audience %s\n", k.Realm, *kcURL, *audience)
	return nil
}

func keycloakURL() string {
	if u := os.Getenv("MCP_KEYCLOAK_URL"); u != "" {
		return u
	}
	return demoKeycloakURL
}

func answers(ctx context.Context, url string) bool {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return false
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

func loadState() *state {
	st := &state{}
	b, err := os.ReadFile(filepath.Join(runDir(), "state.json"))
	if err == nil {
		_ = json.Unmarshal(b, st)
	}
	return st
}

func saveState(st *state) {
	if st.Keycloak == nil && st.MCP == nil {
		return
	}
	b, _ := json.MarshalIndent(st, "", "  ")
	_ = os.WriteFile(filepath.Join(runDir(), "state.json"), append(b, '\n'), 0o644)
}

func writePid(name string, pid int) {
	_ = os.WriteFile(filepath.Join(runDir(), name+".pid"), []byte(strconv.Itoa(pid)+"\n"), 0o644)
}
