package pluginserve

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// The framework's protocol server (terraform-plugin-framework v1.19,
// internal/proto6server registerContext) derives a cancellable context for
// every RPC and keeps its cancel function until StopProvider, which Terraform
// sends only on an interrupt. Each kept function holds its context and,
// through it, the whole chain of the request's contexts: the SDK's logger
// options, gRPC's stream context and metadata, some 10 KiB per call. A plan
// of N resources makes three such calls per resource, so the live heap grew
// with N (at N=500 the collector spent 45% of the plan's CPU re-scanning it).
//
// releasingServer hands the framework, for each per-resource RPC, a context
// that forwards to the request's context while the call runs and lets go of
// it when the call returns: what the framework keeps is then a few dozen
// bytes per call. Cancellation, deadlines and values behave as before while
// the call runs; streaming RPCs (list resources, actions) pass through as is,
// since their streams outlive the call.

// frameworkServer is everything the framework's server implements, so the
// wrapper hides none of the optional RPC sets from tf6server.
type frameworkServer interface {
	tfprotov6.ProviderServer
	tfprotov6.ListResourceServer
	tfprotov6.ActionServer
	tfprotov6.StateStoreServer
}

// releasingServer wraps the framework's server; see above.
type releasingServer struct{ frameworkServer }

// releaseContexts wraps s when it is the framework's full server, else
// returns it unchanged.
func releaseContexts(s tfprotov6.ProviderServer) tfprotov6.ProviderServer {
	if fs, ok := s.(frameworkServer); ok {
		return releasingServer{fs}
	}
	return s
}

// releasableContext forwards to a context until release; from then on it
// behaves as context.Background and holds nothing.
type releasableContext struct{ inner atomic.Pointer[ctxHolder] }

type ctxHolder struct{ context.Context }

var releasedHolder = &ctxHolder{context.Background()}

func newReleasableContext(ctx context.Context) *releasableContext {
	c := &releasableContext{}
	c.inner.Store(&ctxHolder{ctx})
	return c
}

func (c *releasableContext) release() { c.inner.Store(releasedHolder) }

func (c *releasableContext) Deadline() (time.Time, bool) { return c.inner.Load().Deadline() }
func (c *releasableContext) Done() <-chan struct{}       { return c.inner.Load().Done() }
func (c *releasableContext) Err() error                  { return c.inner.Load().Err() }
func (c *releasableContext) Value(key any) any           { return c.inner.Load().Value(key) }

// during runs call with a context that is released when it returns.
func during[Req, Resp any](ctx context.Context, req Req, call func(context.Context, Req) (Resp, error)) (Resp, error) {
	rc := newReleasableContext(ctx)
	defer rc.release()
	return call(rc, req)
}

func (s releasingServer) ValidateResourceConfig(ctx context.Context, req *tfprotov6.ValidateResourceConfigRequest) (*tfprotov6.ValidateResourceConfigResponse, error) {
	return during(ctx, req, s.frameworkServer.ValidateResourceConfig)
}

func (s releasingServer) UpgradeResourceState(ctx context.Context, req *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, error) {
	return during(ctx, req, s.frameworkServer.UpgradeResourceState)
}

func (s releasingServer) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	return during(ctx, req, s.frameworkServer.ReadResource)
}

func (s releasingServer) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	return during(ctx, req, s.frameworkServer.PlanResourceChange)
}

func (s releasingServer) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	return during(ctx, req, s.frameworkServer.ApplyResourceChange)
}

func (s releasingServer) ImportResourceState(ctx context.Context, req *tfprotov6.ImportResourceStateRequest) (*tfprotov6.ImportResourceStateResponse, error) {
	return during(ctx, req, s.frameworkServer.ImportResourceState)
}

func (s releasingServer) UpgradeResourceIdentity(ctx context.Context, req *tfprotov6.UpgradeResourceIdentityRequest) (*tfprotov6.UpgradeResourceIdentityResponse, error) {
	return during(ctx, req, s.frameworkServer.UpgradeResourceIdentity)
}

func (s releasingServer) ValidateDataResourceConfig(ctx context.Context, req *tfprotov6.ValidateDataResourceConfigRequest) (*tfprotov6.ValidateDataResourceConfigResponse, error) {
	return during(ctx, req, s.frameworkServer.ValidateDataResourceConfig)
}

func (s releasingServer) ReadDataSource(ctx context.Context, req *tfprotov6.ReadDataSourceRequest) (*tfprotov6.ReadDataSourceResponse, error) {
	return during(ctx, req, s.frameworkServer.ReadDataSource)
}

func (s releasingServer) ValidateEphemeralResourceConfig(ctx context.Context, req *tfprotov6.ValidateEphemeralResourceConfigRequest) (*tfprotov6.ValidateEphemeralResourceConfigResponse, error) {
	return during(ctx, req, s.frameworkServer.ValidateEphemeralResourceConfig)
}

func (s releasingServer) OpenEphemeralResource(ctx context.Context, req *tfprotov6.OpenEphemeralResourceRequest) (*tfprotov6.OpenEphemeralResourceResponse, error) {
	return during(ctx, req, s.frameworkServer.OpenEphemeralResource)
}

func (s releasingServer) RenewEphemeralResource(ctx context.Context, req *tfprotov6.RenewEphemeralResourceRequest) (*tfprotov6.RenewEphemeralResourceResponse, error) {
	return during(ctx, req, s.frameworkServer.RenewEphemeralResource)
}

func (s releasingServer) CloseEphemeralResource(ctx context.Context, req *tfprotov6.CloseEphemeralResourceRequest) (*tfprotov6.CloseEphemeralResourceResponse, error) {
	return during(ctx, req, s.frameworkServer.CloseEphemeralResource)
}

func (s releasingServer) CallFunction(ctx context.Context, req *tfprotov6.CallFunctionRequest) (*tfprotov6.CallFunctionResponse, error) {
	return during(ctx, req, s.frameworkServer.CallFunction)
}
