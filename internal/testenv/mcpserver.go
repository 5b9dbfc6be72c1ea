package testenv

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// DefaultMCPResource is the demo MCP server's resource URL.
const DefaultMCPResource = "http://localhost:8000/mcp"

// MCPServerOptions configures StartMCPServer.
type MCPServerOptions struct {
	// Port; 0 picks a free one.
	Port int
	// Host is the address to bind; default 127.0.0.1.
	Host string
	// Resource is the public resource URL; default http://127.0.0.1:PORT/mcp.
	Resource string
	// AuthorizationServers are the trusted issuers (at least one needed).
	AuthorizationServers []string
	// Scopes advertised and required; default mcp:read, mcp:write.
	Scopes []string
	// Audiences accepted in tokens; default the resource URL.
	Audiences []string
	// ExtraArgs are appended to the command line (e.g. "--required-scopes=").
	ExtraArgs []string
	// Detach lets the server outlive this program (for the CLI's `up`).
	Detach bool
	// LogDir receives mcpserver-PORT.log; default under the cache.
	LogDir string
	// Timeout bounds the wait for readiness (default 30 s, build excluded).
	Timeout time.Duration
}

// MCPServer is a running MCP resource server (internal/testenv/mcpserver).
type MCPServer struct {
	// URL is the MCP endpoint, equal to the resource URL, e.g.
	// http://127.0.0.1:PORT/mcp.
	URL string
	// LogFile is the server's log.
	LogFile string
	// MetadataURL is its RFC 9728 metadata (path-inserted form).
	MetadataURL string

	proc *process
}

// Pid is the process (group) id.
func (m *MCPServer) Pid() int {
	if m == nil || m.proc == nil {
		return 0
	}
	return m.proc.Pid()
}

// Stop stops the server. Safe to call on nil and more than once.
func (m *MCPServer) Stop() error {
	if m == nil {
		return nil
	}
	return stopOnce(&m.proc, 5*time.Second)
}

// MCPServerBinary builds internal/testenv/mcpserver (its own Go module) into
// CACHE/bin/mcpserver. It always runs go build, which is quick when nothing
// changed.
func MCPServerBinary(ctx context.Context) (string, error) {
	const server = "mcp server"
	src, err := SourceDir()
	if err != nil {
		return "", fmt.Errorf("%s: %w", server, err)
	}
	dir := filepath.Join(src, "mcpserver")
	if !fileExists(filepath.Join(dir, "go.mod")) {
		return "", fmt.Errorf("%s: %s/go.mod not found; the MCP server module is missing from this checkout", server, dir)
	}
	bin := filepath.Join(CacheDir(), "bin", "mcpserver")
	err = withLock(ctx, "mcpserver-build", func() error {
		logFile := filepath.Join(CacheDir(), "logs", "mcpserver-build.log")
		os.Remove(logFile)
		tmp := bin + ".tmp"
		if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
			return err
		}
		cmd := exec.CommandContext(ctx, "go", "build", "-o", tmp, ".")
		cmd.Dir = dir
		if err := runLogged(cmd, logFile); err != nil {
			os.Remove(tmp)
			return startError(server, logFile, "fix the build error: (cd "+dir+" && go build .)", fmt.Errorf("build: %w", err))
		}
		return os.Rename(tmp, bin)
	})
	if err != nil {
		return "", err
	}
	return bin, nil
}

// StartMCPServer builds and starts the MCP resource server; ready when its
// RFC 9728 metadata answers 200.
func StartMCPServer(ctx context.Context, opts MCPServerOptions) (*MCPServer, error) {
	const server = "mcp server"
	if len(opts.AuthorizationServers) == 0 {
		return nil, fmt.Errorf("%s: at least one authorization server issuer is needed", server)
	}
	bin, err := MCPServerBinary(ctx)
	if err != nil {
		return nil, err
	}
	if err := choosePorts(ctx, []string{server}, &opts.Port); err != nil {
		return nil, err
	}
	if opts.Host == "" {
		opts.Host = "127.0.0.1"
	}
	if opts.Resource == "" {
		opts.Resource = "http://127.0.0.1:" + strconv.Itoa(opts.Port) + "/mcp"
	}
	ru, err := url.Parse(opts.Resource)
	if err != nil || ru.Host == "" {
		return nil, fmt.Errorf("%s: bad resource URL %q", server, opts.Resource)
	}
	opts.LogDir = logDirOrDefault(opts.LogDir)
	if opts.Timeout == 0 {
		opts.Timeout = 30 * time.Second
	}
	args := []string{
		"--addr=" + net.JoinHostPort(opts.Host, strconv.Itoa(opts.Port)),
		"--resource=" + opts.Resource,
	}
	for _, as := range opts.AuthorizationServers {
		args = append(args, "--authorization-server="+as)
	}
	if len(opts.Scopes) > 0 {
		args = append(args, "--scopes="+strings.Join(opts.Scopes, ","))
	}
	for _, a := range opts.Audiences {
		args = append(args, "--audience="+a)
	}
	args = append(args, opts.ExtraArgs...)
	logFile := filepath.Join(opts.LogDir, fmt.Sprintf("mcpserver-%d.log", opts.Port))
	// The server must outlive ctx, which only bounds start-up: its lifetime
	// ends with Stop (or, detached, with `testenv down`), so it is not
	// tied to a cancellable context.
	cmd := exec.CommandContext(context.Background(), bin, args...)
	// Readiness is checked on the local address, whatever host the public
	// resource URL names.
	local := "http://" + net.JoinHostPort(dialHost(opts.Host), strconv.Itoa(opts.Port))
	path := strings.TrimRight(ru.EscapedPath(), "/")
	proc, err := launch(ctx, launchSpec{
		server: server, cmd: cmd, logFile: logFile, detach: opts.Detach, timeout: opts.Timeout,
		ready: []readyCheck{{local + "/.well-known/oauth-protected-resource" + path, "read the log; the port must be free"}},
	})
	if err != nil {
		return nil, err
	}
	return &MCPServer{
		URL:         opts.Resource,
		LogFile:     logFile,
		MetadataURL: ru.Scheme + "://" + ru.Host + "/.well-known/oauth-protected-resource" + path,
		proc:        proc,
	}, nil
}

func dialHost(bind string) string {
	switch bind {
	case "", "0.0.0.0", "::", "[::]":
		return "127.0.0.1"
	}
	return bind
}
