// Command benchfloor is the "framework floor" subject of the scale benchmark
// (internal/testenv/cmd/benchscale): a provider that serves
// mcp_dynamic_client with the real resource's schema (its attributes, plan
// modifiers, validators and defaults, taken from the provider package) on the
// same terraform-plugin-framework server, served alike (internal/pluginserve), but with none of the provider's own
// work: no discovery, no HTTP, no resource-level plan logic, no state codec.
// Create and Update store the plan with its unknowns set to null, Read keeps
// the state, Delete does nothing.
//
// What it costs per resource is what Terraform and the framework spend on a
// resource with this schema whatever the provider does; the real provider's
// CPU minus this one's is the provider's own.
package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/mcp-oauth/terraform-provider-mcp/internal/pluginserve"
	mcp "github.com/mcp-oauth/terraform-provider-mcp/internal/provider"
)

// resourceType is the one resource type the floor serves.
const resourceType = "mcp_dynamic_client"

// envKeepAttributes, a comma-separated list of attribute names, cuts the
// schema down to those attributes (the benchmark's -floor-keep), to show
// how the cost follows the schema's size.
const envKeepAttributes = "BENCHFLOOR_KEEP"

func main() {
	real, err := realResource(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	mcp.QuietSDKLogsUnlessWanted()
	err = pluginserve.Serve("registry.terraform.io/mcp-oauth/mcp", func() provider.Provider { return floorProvider{real: real} }, false)
	if err != nil {
		log.Fatal(err)
	}
}

// realResource finds mcp_dynamic_client among the real provider's resources,
// so the floor always carries the schema the provider ships.
func realResource(ctx context.Context) (resource.Resource, error) {
	p := mcp.New("floor")()
	for _, newResource := range p.Resources(ctx) {
		r := newResource()
		var md resource.MetadataResponse
		r.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: "mcp"}, &md)
		if md.TypeName == resourceType {
			return r, nil
		}
	}
	return nil, fmt.Errorf("the provider has no %s resource", resourceType)
}

// floorProvider has no settings and one resource.
type floorProvider struct{ real resource.Resource }

func (p floorProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "mcp"
}

func (p floorProvider) Schema(context.Context, provider.SchemaRequest, *provider.SchemaResponse) {}

func (p floorProvider) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}

func (p floorProvider) DataSources(context.Context) []func() datasource.DataSource { return nil }

func (p floorProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{func() resource.Resource { return floorResource(p) }}
}

// floorResource borrows the real resource's type name and schema only.
type floorResource struct{ real resource.Resource }

func (r floorResource) Metadata(ctx context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	r.real.Metadata(ctx, req, resp)
}

func (r floorResource) Schema(ctx context.Context, req resource.SchemaRequest, resp *resource.SchemaResponse) {
	r.real.Schema(ctx, req, resp)
	if keep := os.Getenv(envKeepAttributes); keep != "" {
		kept := map[string]bool{}
		for _, name := range strings.Split(keep, ",") {
			kept[strings.TrimSpace(name)] = true
		}
		for name := range resp.Schema.Attributes {
			if !kept[name] {
				delete(resp.Schema.Attributes, name)
			}
		}
	}
}

func (r floorResource) Create(_ context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	storePlan(req.Plan, &resp.State, &resp.Diagnostics)
}

func (r floorResource) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {}

func (r floorResource) Update(_ context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	storePlan(req.Plan, &resp.State, &resp.Diagnostics)
}

func (r floorResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}

// storePlan writes the plan to state with every unknown value set to null:
// a computed attribute the server would have filled stays empty.
func storePlan(plan tfsdk.Plan, state *tfsdk.State, diags *diag.Diagnostics) {
	known, err := tftypes.Transform(plan.Raw, func(_ *tftypes.AttributePath, v tftypes.Value) (tftypes.Value, error) {
		if !v.IsKnown() {
			return tftypes.NewValue(v.Type(), nil), nil
		}
		return v, nil
	})
	if err != nil {
		diags.AddError("floor: plan to state", err.Error())
		return
	}
	state.Raw = known
}
