package main

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// newFloor is the floor resource main serves (keep: nil for the whole schema).
func newFloor(t testing.TB, keep map[string]bool) floorResource {
	t.Helper()
	clientResource, err := realResource(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	answer, err := parseAnswer(keycloakAnswer)
	if err != nil {
		t.Fatal(err)
	}
	return floorResource{real: clientResource, keep: keep, answer: answer}
}

func TestFloorCarriesTheRealSchema(t *testing.T) {
	ctx := context.Background()
	floor := newFloor(t, nil)
	var want, got resource.SchemaResponse
	floor.real.Schema(ctx, resource.SchemaRequest{}, &want)
	floor.Schema(ctx, resource.SchemaRequest{}, &got)
	if len(want.Schema.Attributes) < 20 || len(got.Schema.Attributes) != len(want.Schema.Attributes) {
		t.Fatalf("floor schema has %d attributes, the provider's %d", len(got.Schema.Attributes), len(want.Schema.Attributes))
	}
	for name := range want.Schema.Attributes {
		if _, ok := got.Schema.Attributes[name]; !ok {
			t.Errorf("floor schema lacks %q", name)
		}
	}
	var wantID, gotID resource.IdentitySchemaResponse
	floor.real.IdentitySchema(ctx, resource.IdentitySchemaRequest{}, &wantID)
	floor.IdentitySchema(ctx, resource.IdentitySchemaRequest{}, &gotID)
	if len(gotID.IdentitySchema.Attributes) == 0 || len(gotID.IdentitySchema.Attributes) != len(wantID.IdentitySchema.Attributes) {
		t.Errorf("floor identity schema has %d attributes, the provider's %d",
			len(gotID.IdentitySchema.Attributes), len(wantID.IdentitySchema.Attributes))
	}
}

func TestFloorSchemaCutDown(t *testing.T) {
	floor := newFloor(t, nil)
	keep, err := keptAttributes(floor.real, "client_id, client_name")
	if err != nil {
		t.Fatal(err)
	}
	floor.keep = keep
	var got resource.SchemaResponse
	floor.Schema(context.Background(), resource.SchemaRequest{}, &got)
	if len(got.Schema.Attributes) != 2 || got.Schema.Attributes["client_id"] == nil || got.Schema.Attributes["client_name"] == nil {
		t.Fatalf("cut-down schema: %v", got.Schema.Attributes)
	}
	if _, err := keptAttributes(floor.real, "client_id,no_such_attribute"); err == nil {
		t.Error("a name the schema does not have was accepted")
	}
}

// TestAnswerFitsTheSchema: every recorded value decodes to its attribute's
// type, so Create fills them in (and a renamed attribute is noticed here).
func TestAnswerFitsTheSchema(t *testing.T) {
	floor := newFloor(t, nil)
	var schema resource.SchemaResponse
	floor.Schema(context.Background(), resource.SchemaRequest{}, &schema)
	if len(floor.answer) < 5 {
		t.Fatalf("answer has %d values", len(floor.answer))
	}
	for name, raw := range floor.answer {
		attr, ok := schema.Schema.Attributes[name]
		if !ok {
			t.Errorf("answer names %q, which the schema does not have", name)
			continue
		}
		if _, err := tftypes.ValueFromJSONWithOpts(raw, attr.GetType().TerraformType(context.Background()), tftypes.ValueFromJSONOpts{}); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestFillUnknowns(t *testing.T) {
	setType := tftypes.Set{ElementType: tftypes.String}
	objType := tftypes.Object{AttributeTypes: map[string]tftypes.Type{
		"client_name": tftypes.String, "client_secret": tftypes.String, "subject_type": tftypes.String,
		"post_logout_redirect_uris": setType, "contacts": setType,
	}}
	plan := tftypes.NewValue(objType, map[string]tftypes.Value{
		"client_name":               tftypes.NewValue(tftypes.String, "a"),
		"client_secret":             tftypes.NewValue(tftypes.String, tftypes.UnknownValue),
		"subject_type":              tftypes.NewValue(tftypes.String, tftypes.UnknownValue),
		"post_logout_redirect_uris": tftypes.NewValue(setType, tftypes.UnknownValue),
		"contacts":                  tftypes.NewValue(setType, tftypes.UnknownValue),
	})
	answer, err := parseAnswer([]byte(`{"client_secret":"s3","post_logout_redirect_uris":["http://x/cb"],"client_name":"ignored"}`))
	if err != nil {
		t.Fatal(err)
	}
	state, err := fillUnknowns(plan, answer)
	if err != nil {
		t.Fatal(err)
	}
	if !state.IsFullyKnown() {
		t.Fatalf("state still has unknowns: %s", state)
	}
	var attrs map[string]tftypes.Value
	if err := state.As(&attrs); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]tftypes.Value{
		"client_name":               tftypes.NewValue(tftypes.String, "a"),
		"client_secret":             tftypes.NewValue(tftypes.String, "s3"),
		"subject_type":              tftypes.NewValue(tftypes.String, nil),
		"post_logout_redirect_uris": tftypes.NewValue(setType, []tftypes.Value{tftypes.NewValue(tftypes.String, "http://x/cb")}),
		"contacts":                  tftypes.NewValue(setType, nil),
	} {
		if !attrs[name].Equal(want) {
			t.Errorf("%s = %s, want %s", name, attrs[name], want)
		}
	}
}
