package main

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

func TestFloorCarriesTheRealSchema(t *testing.T) {
	ctx := context.Background()
	real, err := realResource(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var want, got resource.SchemaResponse
	real.Schema(ctx, resource.SchemaRequest{}, &want)
	floorResource{real: real}.Schema(ctx, resource.SchemaRequest{}, &got)
	if len(want.Schema.Attributes) < 20 || len(got.Schema.Attributes) != len(want.Schema.Attributes) {
		t.Fatalf("floor schema has %d attributes, the provider's %d", len(got.Schema.Attributes), len(want.Schema.Attributes))
	}
	for name := range want.Schema.Attributes {
		if _, ok := got.Schema.Attributes[name]; !ok {
			t.Errorf("floor schema lacks %q", name)
		}
	}
}

func TestFloorSchemaCutDown(t *testing.T) {
	ctx := context.Background()
	real, err := realResource(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(envKeepAttributes, "client_id, client_name")
	var got resource.SchemaResponse
	floorResource{real: real}.Schema(ctx, resource.SchemaRequest{}, &got)
	if len(got.Schema.Attributes) != 2 || got.Schema.Attributes["client_id"] == nil || got.Schema.Attributes["client_name"] == nil {
		t.Fatalf("cut-down schema: %v", got.Schema.Attributes)
	}
}

func TestStorePlanNullsUnknowns(t *testing.T) {
	objType := tftypes.Object{AttributeTypes: map[string]tftypes.Type{
		"client_name": tftypes.String, "client_id": tftypes.String, "grant_types": tftypes.Set{ElementType: tftypes.String},
	}}
	plan := tfsdk.Plan{Raw: tftypes.NewValue(objType, map[string]tftypes.Value{
		"client_name": tftypes.NewValue(tftypes.String, "a"),
		"client_id":   tftypes.NewValue(tftypes.String, tftypes.UnknownValue),
		"grant_types": tftypes.NewValue(tftypes.Set{ElementType: tftypes.String}, tftypes.UnknownValue),
	})}
	var state tfsdk.State
	var diags diag.Diagnostics
	storePlan(plan, &state, &diags)
	if diags.HasError() {
		t.Fatal(diags)
	}
	if !state.Raw.IsFullyKnown() {
		t.Fatalf("state still has unknowns: %s", state.Raw)
	}
	var attrs map[string]tftypes.Value
	if err := state.Raw.As(&attrs); err != nil {
		t.Fatal(err)
	}
	if !attrs["client_id"].IsNull() || !attrs["grant_types"].IsNull() {
		t.Errorf("unknowns not nulled: %s", state.Raw)
	}
	var name string
	if err := attrs["client_name"].As(&name); err != nil || name != "a" {
		t.Errorf("known value changed: %q (%v)", name, err)
	}
}
