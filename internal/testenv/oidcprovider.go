package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"
)

// OIDCProviderOptions configures StartOIDCProvider. The zero value is fine.
type OIDCProviderOptions struct {
	// Port; 0 picks a free one.
	Port int
	// InitialAccessToken is the static token registration requires;
	// default a random one.
	InitialAccessToken string
	// LogDir receives oidc-provider-PORT.log; default under the cache.
	LogDir string
	// Timeout bounds the wait for readiness (default 60 s; npm ci, when
	// node_modules is missing, is not counted).
	Timeout time.Duration
	// ExtraCAFile is a PEM file of CAs the server trusts besides the system
	// ones (NODE_EXTRA_CA_CERTS), e.g. the DocumentHost's TestCA.
	ExtraCAFile string
}

// OIDCProvider is a running node-oidc-provider (npm oidc-provider 9.x):
// registration behind a static Initial Access Token, RFC 7592 management
// with registration access token rotation on PUT, client_credentials, and
// scopes openid offline_access mcp:read mcp:write. State is in memory.
type OIDCProvider struct {
	// Issuer is http://127.0.0.1:PORT (no trailing slash).
	Issuer string
	// InitialAccessToken is the static registration token.
	InitialAccessToken string
	// LogFile is the server's log.
	LogFile string

	proc *process
}

// AuthorizationEndpoint is the authorization endpoint.
func (o *OIDCProvider) AuthorizationEndpoint() string { return o.Issuer + "/auth" }

// TokenEndpoint is the token endpoint.
func (o *OIDCProvider) TokenEndpoint() string { return o.Issuer + "/token" }

// RegistrationEndpoint is the RFC 7591 endpoint.
func (o *OIDCProvider) RegistrationEndpoint() string { return o.Issuer + "/reg" }

// Stop stops the server. Safe to call on nil and more than once.
func (o *OIDCProvider) Stop() error {
	if o == nil {
		return nil
	}
	return stopOnce(&o.proc, 5*time.Second)
}

// oidcProviderDir returns internal/testenv/oidcprovider with its
// node_modules installed (npm ci, once).
func oidcProviderDir(ctx context.Context) (string, error) {
	const server = "oidc-provider"
	src, err := SourceDir()
	if err != nil {
		return "", fmt.Errorf("%s: %w", server, err)
	}
	dir := filepath.Join(src, "oidcprovider")
	installed := func() bool {
		marker := filepath.Join(dir, "node_modules", ".package-lock.json")
		mst, err := os.Stat(marker)
		if err != nil || !fileExists(filepath.Join(dir, "node_modules", "oidc-provider", "package.json")) {
			return false
		}
		lst, err := os.Stat(filepath.Join(dir, "package-lock.json"))
		return err == nil && !lst.ModTime().After(mst.ModTime())
	}
	if installed() {
		return dir, nil
	}
	err = withLock(ctx, "oidc-provider-npm", func() error {
		if installed() {
			return nil
		}
		if _, err := exec.LookPath("npm"); err != nil {
			return fmt.Errorf("%s: npm is not on PATH; install Node.js 20+ with npm", server)
		}
		logFile := filepath.Join(CacheDir(), "logs", "oidc-provider-npm-ci.log")
		cmd := exec.CommandContext(ctx, "npm", "ci", "--no-audit", "--no-fund")
		cmd.Dir = dir
		if err := runLogged(cmd, logFile); err != nil {
			return startError(server, logFile, "check access to the npm registry and retry (cd "+dir+" && npm ci)", fmt.Errorf("npm ci: %w", err))
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	return dir, nil
}

// StartOIDCProvider installs (once) and starts the node-oidc-provider
// server script.
func StartOIDCProvider(ctx context.Context, opts OIDCProviderOptions) (*OIDCProvider, error) {
	const server = "oidc-provider"
	dir, err := oidcProviderDir(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := exec.LookPath("node"); err != nil {
		return nil, fmt.Errorf("%s: node is not on PATH; install Node.js 20+", server)
	}
	if err := choosePorts(ctx, []string{server}, &opts.Port); err != nil {
		return nil, err
	}
	if opts.InitialAccessToken == "" {
		b := make([]byte, 24)
		if _, err := rand.Read(b); err != nil {
			return nil, err
		}
		opts.InitialAccessToken = "iat-" + hex.EncodeToString(b)
	}
	opts.LogDir = logDirOrDefault(opts.LogDir)
	if opts.Timeout == 0 {
		opts.Timeout = 60 * time.Second
	}
	issuer := "http://127.0.0.1:" + strconv.Itoa(opts.Port)
	logFile := filepath.Join(opts.LogDir, fmt.Sprintf("oidc-provider-%d.log", opts.Port))
	// The server must outlive ctx, which only bounds start-up: its lifetime
	// ends with Stop (which kills the whole process group), so it is not
	// tied to a cancellable context.
	cmd := exec.CommandContext(context.Background(), "node", "server.mjs")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"PORT="+strconv.Itoa(opts.Port),
		"HOST=127.0.0.1",
		"ISSUER="+issuer,
		"INITIAL_ACCESS_TOKEN="+opts.InitialAccessToken,
		"NODE_ENV=development",
	)
	if opts.ExtraCAFile != "" {
		cmd.Env = append(cmd.Env, "NODE_EXTRA_CA_CERTS="+opts.ExtraCAFile)
	}
	proc, err := launch(ctx, launchSpec{
		server: server, cmd: cmd, logFile: logFile, startHint: "check `node --version` (20+)", timeout: opts.Timeout,
		ready: []readyCheck{{issuer + "/.well-known/openid-configuration",
			"read the log; the port must be free; reinstall with (cd " + dir + " && npm ci)"}},
	})
	if err != nil {
		return nil, err
	}
	return &OIDCProvider{Issuer: issuer, InitialAccessToken: opts.InitialAccessToken, LogFile: logFile, proc: proc}, nil
}
