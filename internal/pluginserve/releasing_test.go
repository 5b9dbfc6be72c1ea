package pluginserve

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/mcp-oauth/terraform-provider-mcp/internal/provider"
)

func frameworkProviderServer() tfprotov6.ProviderServer {
	return providerserver.NewProtocol6(provider.New("test")())()
}

func TestReleaseContextsWrapsTheFrameworkServer(t *testing.T) {
	s := releaseContexts(frameworkProviderServer())
	if _, ok := s.(releasingServer); !ok {
		t.Fatalf("the framework's server was not wrapped (%T): it no longer implements every optional RPC set?", s)
	}
	for name, ok := range map[string]bool{
		"list resources": func() bool { _, ok := s.(tfprotov6.ListResourceServer); return ok }(),
		"actions":        func() bool { _, ok := s.(tfprotov6.ActionServer); return ok }(),
		"state stores":   func() bool { _, ok := s.(tfprotov6.StateStoreServer); return ok }(),
	} {
		if !ok {
			t.Errorf("the wrapped server hides the %s RPCs", name)
		}
	}
}

type ctxKey struct{}

func TestReleasableContextForwardsUntilReleased(t *testing.T) {
	parent, cancel := context.WithCancel(context.WithValue(context.Background(), ctxKey{}, "v"))
	rc := newReleasableContext(parent)
	child, stop := context.WithCancel(rc)
	defer stop()
	if child.Value(ctxKey{}) != "v" {
		t.Fatal("value not forwarded")
	}
	cancel()
	select {
	case <-child.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("cancelling the request's context did not reach a context derived from the wrapper")
	}
	if !errors.Is(child.Err(), context.Canceled) {
		t.Fatalf("child error %v", child.Err())
	}
	rc.release()
	if rc.Value(ctxKey{}) != nil || rc.Done() != nil || rc.Err() != nil {
		t.Fatal("a released context still forwards to the request's context")
	}
}

// The framework keeps a cancel function per call until StopProvider; through
// the wrapper that must not keep the request's context reachable.
func TestReleasingServerLetsGoOfRequestContexts(t *testing.T) {
	for _, tc := range []struct {
		name    string
		server  tfprotov6.ProviderServer
		wantGCd bool
	}{
		{"framework server as is", frameworkProviderServer(), false},
		{"wrapped", releaseContexts(frameworkProviderServer()), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			collected := make(chan struct{}, 1)
			func() {
				payload := new([1 << 16]byte)
				runtime.SetFinalizer(payload, func(*[1 << 16]byte) { collected <- struct{}{} })
				ctx := context.WithValue(context.Background(), ctxKey{}, payload)
				_, err := tc.server.ValidateResourceConfig(ctx, &tfprotov6.ValidateResourceConfigRequest{TypeName: "mcp_dynamic_client"})
				if err != nil {
					t.Fatal(err)
				}
			}()
			gotGCd := false
			for i := 0; i < 10 && !gotGCd; i++ {
				runtime.GC()
				select {
				case <-collected:
					gotGCd = true
				case <-time.After(20 * time.Millisecond):
				}
			}
			if gotGCd != tc.wantGCd {
				t.Fatalf("request context collected after the call: %v, want %v", gotGCd, tc.wantGCd)
			}
			runtime.KeepAlive(tc.server)
		})
	}
}
