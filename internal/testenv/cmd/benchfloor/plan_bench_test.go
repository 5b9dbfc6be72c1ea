package main

import (
	"context"
	"math/big"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/mcp-oauth/terraform-provider-mcp/internal/pluginserve"
)

// These benchmarks put a number on the part of the framework floor a
// hand-written protocol-6 resource could avoid: a no-change
// PlanResourceChange (what a plan sends for each client whose configuration
// did not change) through the framework's server as the plugin runs it
// (pluginserve.NewServer) with mcp_dynamic_client's schema, against the
// work any implementation must do for the same call (decode the three
// values, compare them, encode the plan). Every attribute is set. They run
// with Go's default GOGC; the plugin process runs with pluginserve's.
//
//	go test -run '^$' -bench . -benchmem ./internal/testenv/cmd/benchfloor

// planFixture is a no-change plan request for one client with every
// attribute set (computed-only ones absent from the configuration).
type planFixture struct {
	server tfprotov6.ProviderServer
	typ    tftypes.Type
	req    *tfprotov6.PlanResourceChangeRequest
}

func newPlanFixture(tb testing.TB) planFixture {
	tb.Helper()
	ctx := context.Background()
	floor := floorProvider{res: newFloor(tb, nil)}
	server := pluginserve.NewServer(func() provider.Provider { return floor })
	schemas, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil || len(schemas.Diagnostics) > 0 {
		tb.Fatalf("schema: %v %v", err, schemas.Diagnostics)
	}
	if _, err := server.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{
		Config: mustDynamic(tb, tftypes.Object{AttributeTypes: map[string]tftypes.Type{}}, map[string]tftypes.Value{}),
	}); err != nil {
		tb.Fatal(err)
	}
	block := schemas.ResourceSchemas[resourceType].Block
	typ := block.ValueType()
	state, config := map[string]tftypes.Value{}, map[string]tftypes.Value{}
	for _, a := range block.Attributes {
		v := sampleValue(a.ValueType())
		if a.WriteOnly {
			v = tftypes.NewValue(a.ValueType(), nil)
		}
		state[a.Name] = v
		config[a.Name] = v
		if a.Computed && !a.Optional {
			config[a.Name] = tftypes.NewValue(a.ValueType(), nil)
		}
	}
	stateValue := mustDynamic(tb, typ, state)
	return planFixture{server: server, typ: typ, req: &tfprotov6.PlanResourceChangeRequest{
		TypeName:         resourceType,
		PriorState:       stateValue,
		ProposedNewState: stateValue,
		Config:           mustDynamic(tb, typ, config),
	}}
}

// sampleValue is a short known value of a primitive, set or map type.
func sampleValue(t tftypes.Type) tftypes.Value {
	switch {
	case t.Is(tftypes.String):
		return tftypes.NewValue(t, "http://127.0.0.1:8888/x")
	case t.Is(tftypes.Number):
		return tftypes.NewValue(t, big.NewFloat(60))
	case t.Is(tftypes.Bool):
		return tftypes.NewValue(t, false)
	case t.Is(tftypes.Set{}):
		elem := t.(tftypes.Set).ElementType
		return tftypes.NewValue(t, []tftypes.Value{sampleValue(elem)})
	case t.Is(tftypes.Map{}):
		elem := t.(tftypes.Map).ElementType
		return tftypes.NewValue(t, map[string]tftypes.Value{"k": sampleValue(elem)})
	}
	return tftypes.NewValue(t, nil)
}

func mustDynamic(tb testing.TB, t tftypes.Type, attrs map[string]tftypes.Value) *tfprotov6.DynamicValue {
	tb.Helper()
	dv, err := tfprotov6.NewDynamicValue(t, tftypes.NewValue(t, attrs))
	if err != nil {
		tb.Fatal(err)
	}
	return &dv
}

// TestPlanFixtureIsANoChangePlan keeps the benchmark honest: the framework
// must plan the fixture without errors, without replacement, and return the
// prior state.
func TestPlanFixtureIsANoChangePlan(t *testing.T) {
	f := newPlanFixture(t)
	resp, err := f.server.PlanResourceChange(context.Background(), f.req)
	if err != nil || len(resp.Diagnostics) > 0 {
		t.Fatalf("plan: %v %v", err, resp.Diagnostics)
	}
	if len(resp.RequiresReplace) > 0 {
		t.Errorf("fixture plans a replacement: %v", resp.RequiresReplace)
	}
	planned, err := resp.PlannedState.Unmarshal(f.typ)
	if err != nil {
		t.Fatal(err)
	}
	prior, _ := f.req.PriorState.Unmarshal(f.typ)
	if !planned.Equal(prior) {
		t.Errorf("planned state differs from the prior state:\n%s\n%s", planned, prior)
	}
}

func BenchmarkPlanNoChangeThroughFramework(b *testing.B) {
	f := newPlanFixture(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.server.PlanResourceChange(ctx, f.req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPlanNoChangeProtocolMinimum is what any implementation of the
// same call must do: decode configuration, prior and proposed state,
// compare, and encode the planned state.
func BenchmarkPlanNoChangeProtocolMinimum(b *testing.B) {
	f := newPlanFixture(b)
	b.ReportAllocs()
	for b.Loop() {
		config, err := f.req.Config.Unmarshal(f.typ)
		if err != nil {
			b.Fatal(err)
		}
		prior, err := f.req.PriorState.Unmarshal(f.typ)
		if err != nil {
			b.Fatal(err)
		}
		proposed, err := f.req.ProposedNewState.Unmarshal(f.typ)
		if err != nil {
			b.Fatal(err)
		}
		if !proposed.Equal(prior) || config.IsNull() {
			b.Fatal("fixture is not a no-change plan")
		}
		if _, err := tfprotov6.NewDynamicValue(f.typ, proposed); err != nil {
			b.Fatal(err)
		}
	}
}
