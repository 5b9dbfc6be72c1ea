package testenv

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"
)

// HydraVersion is the Ory Hydra release built from the Go module proxy
// through the tools/hydra module.
const HydraVersion = "v2.3.0"

// HydraOptions configures StartHydra. The zero value is fine for tests.
type HydraOptions struct {
	// PublicPort and AdminPort; 0 picks free ones.
	PublicPort, AdminPort int
	// LogDir receives hydra-PORT.log; default a directory under the cache.
	LogDir string
	// Timeout bounds the wait for readiness (default 60 s; the build, when
	// the binary is missing, is not counted).
	Timeout time.Duration
}

// Hydra is a running Ory Hydra with in-memory storage, open dynamic client
// registration (RFC 7591) and RFC 7592 management at /oauth2/register/{id}.
type Hydra struct {
	// PublicURL is the public API, also the issuer (no trailing slash).
	PublicURL string
	// AdminURL is the admin API.
	AdminURL string
	// LogFile is Hydra's log.
	LogFile string

	proc *process
}

// Issuer is the public URL.
func (h *Hydra) Issuer() string { return h.PublicURL }

// RegistrationEndpoint is the RFC 7591 endpoint.
func (h *Hydra) RegistrationEndpoint() string { return h.PublicURL + "/oauth2/register" }

// Stop stops Hydra. Safe to call on nil and more than once.
func (h *Hydra) Stop() error {
	if h == nil {
		return nil
	}
	return stopOnce(&h.proc, 5*time.Second)
}

// HydraBinary returns the cached Hydra binary, building it with the
// tools/hydra module (CGO, sqlite tags) when it is missing. The build takes
// several minutes on two cores; its output goes to CACHE/bin/hydra-build.log.
func HydraBinary(ctx context.Context) (string, error) {
	const server = "hydra"
	bin := filepath.Join(CacheDir(), "bin", "hydra-"+HydraVersion)
	if fileExists(bin) {
		return bin, nil
	}
	err := withLock(ctx, "hydra-build", func() error {
		if fileExists(bin) {
			return nil
		}
		src, err := SourceDir()
		if err != nil {
			return fmt.Errorf("%s: build: %w", server, err)
		}
		toolsDir := filepath.Join(src, "..", "..", "tools", "hydra")
		if !fileExists(filepath.Join(toolsDir, "go.mod")) {
			return fmt.Errorf("%s: build: %s/go.mod not found; run from the repository checkout", server, toolsDir)
		}
		if _, err := exec.LookPath("gcc"); err != nil {
			if _, err2 := exec.LookPath("cc"); err2 != nil {
				return fmt.Errorf("%s: build needs a C compiler for sqlite (CGO_ENABLED=1); install gcc (apt-get install gcc)", server)
			}
		}
		logFile := filepath.Join(CacheDir(), "bin", "hydra-build.log")
		tmp := bin + ".tmp"
		cmd := exec.CommandContext(ctx, "go", "build",
			"-tags", "sqlite,sqlite_omit_load_extension",
			"-o", tmp, "github.com/ory/hydra/v2")
		cmd.Dir = toolsDir
		cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
		if err := runLogged(cmd, logFile); err != nil {
			os.Remove(tmp)
			return startError(server, logFile, "fix the build error (Go module proxy reachable? gcc installed?) and retry; the binary is cached at "+bin, fmt.Errorf("build %s: %w", HydraVersion, err))
		}
		return os.Rename(tmp, bin)
	})
	if err != nil {
		return "", err
	}
	return bin, nil
}

// StartHydra builds (once) and starts `hydra serve all --dev` with DSN=memory
// and dynamic client registration on.
func StartHydra(ctx context.Context, opts HydraOptions) (*Hydra, error) {
	const server = "hydra"
	bin, err := HydraBinary(ctx)
	if err != nil {
		return nil, err
	}
	if opts.PublicPort != 0 && opts.PublicPort == opts.AdminPort {
		return nil, errors.New("hydra: public and admin ports must differ")
	}
	if err := choosePorts(ctx, []string{server, server + " admin API"}, &opts.PublicPort, &opts.AdminPort); err != nil {
		return nil, err
	}
	opts.LogDir = logDirOrDefault(opts.LogDir)
	if opts.Timeout == 0 {
		opts.Timeout = 60 * time.Second
	}
	public := "http://127.0.0.1:" + strconv.Itoa(opts.PublicPort)
	logFile := filepath.Join(opts.LogDir, fmt.Sprintf("hydra-%d.log", opts.PublicPort))
	// The server must outlive ctx, which only bounds start-up: its lifetime
	// ends with Stop (which kills the whole process group), so it is not
	// tied to a cancellable context.
	cmd := exec.CommandContext(context.Background(), bin, "serve", "all", "--dev")
	cmd.Env = append(os.Environ(),
		"DSN=memory",
		"URLS_SELF_ISSUER="+public,
		"URLS_SELF_PUBLIC="+public,
		"OIDC_DYNAMIC_CLIENT_REGISTRATION_ENABLED=true",
		"WEBFINGER_OIDC_DISCOVERY_CLIENT_REGISTRATION_URL="+public+"/oauth2/register",
		// Test-only system secret; nothing here protects real data.
		"SECRETS_SYSTEM=mcp-testenv-hydra-system-secret-0123456789",
		"SERVE_PUBLIC_HOST=127.0.0.1",
		"SERVE_PUBLIC_PORT="+strconv.Itoa(opts.PublicPort),
		"SERVE_ADMIN_HOST=127.0.0.1",
		"SERVE_ADMIN_PORT="+strconv.Itoa(opts.AdminPort),
		"LOG_LEVEL=info",
	)
	proc, err := launch(ctx, launchSpec{
		server: server, cmd: cmd, logFile: logFile, startHint: "delete " + bin + " to rebuild it", timeout: opts.Timeout,
		ready: []readyCheck{
			{public + "/health/ready", "read the log; the ports must be free; delete " + bin + " to rebuild it"},
			{public + "/.well-known/openid-configuration", "read the log"},
		},
	})
	if err != nil {
		return nil, err
	}
	return &Hydra{
		PublicURL: public,
		AdminURL:  "http://127.0.0.1:" + strconv.Itoa(opts.AdminPort),
		LogFile:   logFile,
		proc:      proc,
	}, nil
}
