// Package testenv starts real OAuth servers for acceptance tests and the
// demo: Keycloak 26 (realm mcp-oauth), Ory Hydra v2, node-oidc-provider 9
// and the MCP resource server of internal/testenv/mcpserver. Every server
// runs in its own process group with its output in a log file; Stop kills
// the group. Slow things (the Keycloak distribution, the Hydra binary) are
// cached under CacheDir().
//
// Typical use in a test package:
//
//	var env *testenv.Env
//
//	func TestMain(m *testing.M) {
//		os.Exit(run(m))
//	}
//
//	func run(m *testing.M) int {
//		if os.Getenv("TF_ACC") == "" {
//			return m.Run()
//		}
//		defer testenv.StopOnSignal()()
//		var err error
//		env, err = testenv.StartAll(context.Background(), "")
//		if err != nil {
//			fmt.Fprintln(os.Stderr, err)
//			return 1
//		}
//		defer env.Stop()
//		return m.Run()
//	}
//
// On Linux the servers also die with the test binary (parent-death signal),
// so a panic or a `go test -timeout` kill leaves nothing running.
package testenv

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

// Env is the whole test environment.
type Env struct {
	Keycloak     *Keycloak
	Hydra        *Hydra
	OIDCProvider *OIDCProvider
	MCPServer    *MCPServer
	// DocumentHost serves Client ID Metadata Documents over https with a
	// certificate from a test CA that Keycloak and node-oidc-provider trust.
	DocumentHost *DocumentHost
	// LogDir holds every server's log.
	LogDir string
}

// StartAll starts Keycloak, Hydra and node-oidc-provider concurrently, then
// the MCP server with Keycloak's issuer as its authorization server and its
// resource URL as the audience Keycloak's mcp:* scopes put into tokens.
// logDir "" means a fresh directory under CacheDir()/logs. On error,
// whatever started is stopped again.
func StartAll(ctx context.Context, logDir string) (*Env, error) {
	if logDir == "" {
		base := filepath.Join(CacheDir(), "logs")
		if err := os.MkdirAll(base, 0o755); err != nil {
			return nil, err
		}
		d, err := os.MkdirTemp(base, time.Now().Format("20060102-150405-"))
		if err != nil {
			return nil, err
		}
		logDir = d
	}
	e := &Env{LogDir: logDir}
	// The MCP server's port is chosen first so that Keycloak's audience
	// mapper can name its resource URL from the start.
	mcpPort, err := FreePort(ctx)
	if err != nil {
		return nil, err
	}
	resource := fmt.Sprintf("http://127.0.0.1:%d/mcp", mcpPort)
	if e.DocumentHost, err = startDocumentHost(ctx, logDir); err != nil {
		return nil, err
	}

	// Each server writes only its own field of e, and wg.Wait orders those
	// writes before any read.
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []error
	goStart := func(start func() error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := start(); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		}()
	}
	goStart(func() error {
		k, err := StartKeycloak(ctx, KeycloakOptions{LogDir: logDir, Audience: resource, TruststorePaths: []string{e.DocumentHost.CA.CertFile}})
		if err != nil {
			return err
		}
		if err := k.EnableCIMD(ctx, CIMDHosts); err != nil {
			_ = k.Stop()
			return err
		}
		e.Keycloak = k
		return nil
	})
	goStart(func() (err error) {
		e.Hydra, err = StartHydra(ctx, HydraOptions{LogDir: logDir})
		return err
	})
	goStart(func() (err error) {
		e.OIDCProvider, err = StartOIDCProvider(ctx, OIDCProviderOptions{LogDir: logDir, ExtraCAFile: e.DocumentHost.CA.CertFile})
		return err
	})
	wg.Wait()
	if len(errs) > 0 {
		e.Stop()
		return nil, errors.Join(errs...)
	}
	m, err := StartMCPServer(ctx, MCPServerOptions{
		Port:                 mcpPort,
		Resource:             resource,
		AuthorizationServers: []string{e.Keycloak.Issuer()},
		LogDir:               logDir,
	})
	if err != nil {
		e.Stop()
		return nil, err
	}
	e.MCPServer = m
	return e, nil
}

// CIMDHosts are the hosts Keycloak accepts Client ID Metadata Documents and
// their redirect URIs from: the DocumentHost and loopback callbacks.
var CIMDHosts = []string{"localhost", "127.0.0.1"}

// startDocumentHost makes a test CA in logDir and starts the document host.
func startDocumentHost(ctx context.Context, logDir string) (*DocumentHost, error) {
	ca, err := NewTestCA(logDir)
	if err != nil {
		return nil, fmt.Errorf("test CA: %w", err)
	}
	h, err := StartDocumentHost(ctx, ca)
	if err != nil {
		return nil, fmt.Errorf("document host: %w", err)
	}
	return h, nil
}

// Stop stops every server that runs; safe on nil and more than once.
func (e *Env) Stop() {
	if e == nil {
		return
	}
	var wg sync.WaitGroup
	for _, s := range []interface{ Stop() error }{e.MCPServer, e.Keycloak, e.Hydra, e.OIDCProvider, e.DocumentHost} {
		if s == nil || isNilStopper(s) {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.Stop(); err != nil {
				fmt.Fprintln(os.Stderr, "testenv:", err)
			}
		}()
	}
	wg.Wait()
	KillAll()
}

func isNilStopper(s interface{ Stop() error }) bool {
	switch v := s.(type) {
	case *Keycloak:
		return v == nil
	case *Hydra:
		return v == nil
	case *OIDCProvider:
		return v == nil
	case *MCPServer:
		return v == nil
	case *DocumentHost:
		return v == nil
	}
	return false
}

// StopOnSignal installs a SIGINT/SIGTERM handler that kills every server
// this package started (KillAll) and exits with status 1. Call the returned
// function (usually deferred) to remove the handler.
func StopOnSignal() (cancel func()) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case sig := <-ch:
			fmt.Fprintf(os.Stderr, "testenv: %v: stopping the test servers\n", sig)
			KillAll()
			os.Exit(1)
		case <-done:
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			signal.Stop(ch)
			close(done)
		})
	}
}
