// Command benchfloor is the "framework floor" subject of the scale benchmark
// (internal/testenv/cmd/benchscale): a provider that serves
// mcp_dynamic_client with the real resource's schema and identity schema
// (its attributes, validators, plan modifiers and defaults, taken from the
// provider package) on the same terraform-plugin-framework server, served
// alike (internal/pluginserve), but with none of the provider's own work: no
// discovery, no HTTP, no resource-level plan logic, no state codec. Create
// fills what the server would have answered from a recorded Keycloak answer
// (keycloak_answer.json, secrets replaced by strings of the same length), so
// states have the real size; Update stores the plan, Read keeps the state,
// Delete does nothing.
//
// What it costs per resource is what Terraform and the framework spend on a
// resource with this schema, plus the schema's own validators and plan
// modifiers; the real provider's CPU minus this one's is the rest of the
// provider's work (discovery, HTTP, plan logic, state mapping).
package main

import (
	"context"
	_ "embed"
	"encoding/json"
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
	"github.com/mcp-oauth/terraform-provider-mcp/internal/testenv"
)

// resourceType is the one resource type the floor serves.
const resourceType = "mcp_dynamic_client"

// keycloakAnswer is what Keycloak registered for one of the benchmark's
// clients, by attribute: the values Create puts where the plan is unknown.
//
//go:embed keycloak_answer.json
var keycloakAnswer []byte

func main() {
	clientResource, err := realResource(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	keep, err := keptAttributes(clientResource, os.Getenv(testenv.EnvBenchFloorKeep))
	if err != nil {
		log.Fatal(err)
	}
	answer, err := parseAnswer(keycloakAnswer)
	if err != nil {
		log.Fatal(err)
	}
	floor := floorProvider{res: floorResource{real: clientResource, keep: keep, answer: answer}}
	if err := pluginserve.Serve("registry.terraform.io/mcp-oauth/mcp", func() provider.Provider { return floor }, false); err != nil {
		log.Fatal(err)
	}
}

// realResource finds mcp_dynamic_client among the real provider's resources,
// so the floor always carries the schema the provider ships.
func realResource(ctx context.Context) (resource.ResourceWithIdentity, error) {
	p := mcp.New("floor")()
	for _, newResource := range p.Resources(ctx) {
		r := newResource()
		var md resource.MetadataResponse
		r.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: "mcp"}, &md)
		if md.TypeName != resourceType {
			continue
		}
		withIdentity, ok := r.(resource.ResourceWithIdentity)
		if !ok {
			return nil, fmt.Errorf("%s has no identity schema any more: update the floor", resourceType)
		}
		return withIdentity, nil
	}
	return nil, fmt.Errorf("the provider has no %s resource", resourceType)
}

// keptAttributes parses the benchmark's -floor-keep list (empty: keep all)
// and refuses names the schema does not have, so a report's count is true.
func keptAttributes(r resource.Resource, list string) (map[string]bool, error) {
	if strings.TrimSpace(list) == "" {
		return nil, nil
	}
	var schema resource.SchemaResponse
	r.Schema(context.Background(), resource.SchemaRequest{}, &schema)
	keep := map[string]bool{}
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		if _, ok := schema.Schema.Attributes[name]; !ok {
			return nil, fmt.Errorf("%s has no attribute %q to keep", resourceType, name)
		}
		keep[name] = true
	}
	return keep, nil
}

// parseAnswer reads keycloak_answer.json: attribute name to its JSON value.
func parseAnswer(b []byte) (map[string]json.RawMessage, error) {
	var answer map[string]json.RawMessage
	if err := json.Unmarshal(b, &answer); err != nil {
		return nil, fmt.Errorf("keycloak_answer.json: %w", err)
	}
	return answer, nil
}

// floorProvider has no settings and one resource.
type floorProvider struct{ res floorResource }

func (p floorProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "mcp"
}

func (p floorProvider) Schema(context.Context, provider.SchemaRequest, *provider.SchemaResponse) {}

func (p floorProvider) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}

func (p floorProvider) DataSources(context.Context) []func() datasource.DataSource { return nil }

func (p floorProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{func() resource.Resource { return p.res }}
}

// floorResource borrows the real resource's type name, schema and identity
// schema, nothing else.
type floorResource struct {
	real   resource.ResourceWithIdentity
	keep   map[string]bool // nil: every attribute
	answer map[string]json.RawMessage
}

var _ resource.ResourceWithIdentity = floorResource{}

func (r floorResource) Metadata(ctx context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	r.real.Metadata(ctx, req, resp)
}

func (r floorResource) Schema(ctx context.Context, req resource.SchemaRequest, resp *resource.SchemaResponse) {
	r.real.Schema(ctx, req, resp)
	if r.keep == nil {
		return
	}
	for name := range resp.Schema.Attributes {
		if !r.keep[name] {
			delete(resp.Schema.Attributes, name)
		}
	}
}

func (r floorResource) IdentitySchema(ctx context.Context, req resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	r.real.IdentitySchema(ctx, req, resp)
}

func (r floorResource) Create(_ context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	r.storePlan(req.Plan, &resp.State, resp.Identity, &resp.Diagnostics)
}

// Read keeps the state (the framework has already copied the request's
// state into the response) and records the identity, as the real resource
// does on every read: CLIs before 1.12 keep none.
func (r floorResource) Read(_ context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	setIdentity(req.State.Raw, resp.Identity, &resp.Diagnostics)
}

func (r floorResource) Update(_ context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	r.storePlan(req.Plan, &resp.State, resp.Identity, &resp.Diagnostics)
}

// storePlan is what Create and Update do: the plan, its unknowns filled
// from the recorded answer, becomes the state, with its identity.
func (r floorResource) storePlan(plan tfsdk.Plan, state *tfsdk.State, identity *tfsdk.ResourceIdentity, diags *diag.Diagnostics) {
	known, err := fillUnknowns(plan.Raw, r.answer)
	if err != nil {
		diags.AddError("floor: plan to state", err.Error())
		return
	}
	state.Raw = known
	setIdentity(known, identity, diags)
}

func (r floorResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}

// fillUnknowns returns the plan with each unknown top-level attribute set to
// the recorded answer's value, or to null where the answer has none.
func fillUnknowns(plan tftypes.Value, answer map[string]json.RawMessage) (tftypes.Value, error) {
	return tftypes.Transform(plan, func(p *tftypes.AttributePath, v tftypes.Value) (tftypes.Value, error) {
		if v.IsKnown() {
			return v, nil
		}
		steps := p.Steps()
		if len(steps) == 1 {
			if name, ok := steps[0].(tftypes.AttributeName); ok {
				if raw, ok := answer[string(name)]; ok {
					return tftypes.ValueFromJSONWithOpts(raw, v.Type(), tftypes.ValueFromJSONOpts{})
				}
			}
		}
		return tftypes.NewValue(v.Type(), nil), nil
	})
}

// setIdentity records the identity the real resource would: the
// registration client URI and client_id from the state.
func setIdentity(state tftypes.Value, identity *tfsdk.ResourceIdentity, diags *diag.Diagnostics) {
	if identity == nil {
		return
	}
	var attrs map[string]tftypes.Value
	if err := state.As(&attrs); err != nil {
		diags.AddError("floor: identity", err.Error())
		return
	}
	id := map[string]tftypes.Value{}
	for _, name := range []string{"registration_client_uri", "client_id"} {
		v, ok := attrs[name]
		if !ok {
			v = tftypes.NewValue(tftypes.String, nil)
		}
		id[name] = v
	}
	identity.Raw = tftypes.NewValue(identity.Raw.Type(), id)
}
