// Command mcpserver is a small MCP resource server protected by OAuth 2.x
// bearer tokens, used by terraform-provider-mcp's acceptance tests and demo.
// It serves RFC 9728 protected resource metadata, answers unauthenticated
// requests with an RFC 9728 WWW-Authenticate challenge, validates JWT access
// tokens against the authorization servers' JWKS, and serves MCP over the
// streamable HTTP transport of the official Go SDK.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

// listFlag is a flag that may be repeated and/or hold a comma-separated
// list. The first explicit use replaces the default.
type listFlag struct {
	values []string
	set    bool
}

func (l *listFlag) String() string { return strings.Join(l.values, ",") }

func (l *listFlag) Set(v string) error {
	if !l.set {
		l.values = nil
		l.set = true
	}
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			l.values = append(l.values, p)
		}
	}
	return nil
}

type options struct {
	addr string
	cfg  Config
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	fs := flag.NewFlagSet("mcpserver", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8000", "host:port to listen on")
	resource := fs.String("resource", "http://localhost:8000/mcp", "public resource URL; the MCP endpoint is served at its path")
	issuers := &listFlag{values: []string{"http://localhost:9000/realms/mcp-oauth"}}
	fs.Var(issuers, "authorization-server", "trusted authorization server issuer URL (repeatable or comma-separated)")
	scopes := &listFlag{values: []string{"mcp:read", "mcp:write"}}
	fs.Var(scopes, "scopes", "comma-separated scopes advertised in metadata and challenges")
	required := &listFlag{}
	fs.Var(required, "required-scopes", "comma-separated scopes every token must carry (default: the --scopes list)")
	audiences := &listFlag{}
	fs.Var(audiences, "audience", "accepted token audience (repeatable or comma-separated; default: the --resource URL)")
	name := fs.String("resource-name", "", "display name published as resource_name")
	leeway := fs.Duration("leeway", defaultLeeway, "clock skew tolerated when checking exp/nbf/iat")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	o := &options{addr: *addr, cfg: Config{
		Resource:             *resource,
		AuthorizationServers: issuers.values,
		Scopes:               scopes.values,
		Audiences:            audiences.values,
		ResourceName:         *name,
		Leeway:               *leeway,
	}}
	if o.cfg.Scopes == nil {
		o.cfg.Scopes = []string{}
	}
	if required.set {
		o.cfg.RequiredScopes = required.values
		if o.cfg.RequiredScopes == nil {
			o.cfg.RequiredScopes = []string{}
		}
	}
	return o, nil
}

func main() {
	logger := log.New(os.Stderr, "mcpserver: ", log.LstdFlags|log.LUTC)
	opts, err := parseFlags(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		logger.Print(err)
		os.Exit(2)
	}
	opts.cfg.Log = logger
	handler, err := NewHandler(opts.cfg)
	if err != nil {
		logger.Print(err)
		os.Exit(2)
	}

	srv := &http.Server{
		Addr:              opts.addr,
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shutdownCtx)
	}()

	logger.Printf("listening on %s; resource %s; authorization servers %s; scopes %q",
		opts.addr, opts.cfg.Resource, strings.Join(opts.cfg.AuthorizationServers, ","), strings.Join(opts.cfg.Scopes, " "))
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		logger.Print(err)
		os.Exit(1)
	}
}
