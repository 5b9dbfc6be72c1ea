package provider

import (
	"context"
	"reflect"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// The direct codec must give exactly what the framework's reflection gives,
// both ways, for null, unknown and known values of every field type.
func TestClientCodecMatchesFramework(t *testing.T) {
	ctx := context.Background()
	var sresp resource.SchemaResponse
	(&dynamicClientResource{}).Schema(ctx, resource.SchemaRequest{}, &sresp)
	sch := sresp.Schema

	models := map[string]dynamicClientModel{}
	var known, unknown, null dynamicClientModel
	rv := [3]reflect.Value{reflect.ValueOf(&known).Elem(), reflect.ValueOf(&unknown).Elem(), reflect.ValueOf(&null).Elem()}
	for _, f := range clientCodec {
		var k, u, n attr.Value
		switch f.typ.(type) {
		case types.SetType:
			k = types.SetValueMust(types.StringType, []attr.Value{types.StringValue("a"), types.StringValue("b")})
			u, n = types.SetUnknown(types.StringType), types.SetNull(types.StringType)
		case types.MapType:
			k = types.MapValueMust(types.StringType, map[string]attr.Value{"k": types.StringValue("v")})
			u, n = types.MapUnknown(types.StringType), types.MapNull(types.StringType)
		default:
			switch f.typ {
			case types.StringType:
				k, u, n = types.StringValue(f.name+" value"), types.StringUnknown(), types.StringNull()
			case types.Int64Type:
				k, u, n = types.Int64Value(42), types.Int64Unknown(), types.Int64Null()
			case types.BoolType:
				k, u, n = types.BoolValue(true), types.BoolUnknown(), types.BoolNull()
			default:
				t.Fatalf("field %s: type %s not covered by the test", f.name, f.typ)
			}
		}
		rv[0].Field(f.index).Set(reflect.ValueOf(k))
		rv[1].Field(f.index).Set(reflect.ValueOf(u))
		rv[2].Field(f.index).Set(reflect.ValueOf(n))
	}
	models["known"], models["unknown"], models["null"] = known, unknown, null
	// A mixed model: every third field known, the others null or unknown.
	mixed := known
	mv := reflect.ValueOf(&mixed).Elem()
	for i, f := range clientCodec {
		switch i % 3 {
		case 1:
			mv.Field(f.index).Set(rv[1].Field(f.index))
		case 2:
			mv.Field(f.index).Set(rv[2].Field(f.index))
		}
	}
	models["mixed"] = mixed

	for name, m := range models {
		t.Run(name, func(t *testing.T) {
			fw := tfsdk.State{Schema: sch}
			if d := fw.Set(ctx, &m); d.HasError() {
				t.Fatalf("framework Set: %v", d)
			}
			ours := tfsdk.State{Schema: sch}
			if d := setClientState(ctx, &ours, &m); d.HasError() {
				t.Fatalf("setClientState: %v", d)
			}
			if !fw.Raw.Equal(ours.Raw) {
				t.Fatalf("values differ:\nframework %s\nours      %s", fw.Raw, ours.Raw)
			}
			plan := tfsdk.Plan{Schema: sch}
			if d := setClientPlan(ctx, &plan, &m); d.HasError() || !plan.Raw.Equal(fw.Raw) {
				t.Fatalf("setClientPlan differs: %v", d)
			}
			var viaFramework, viaCodec dynamicClientModel
			if d := fw.Get(ctx, &viaFramework); d.HasError() {
				t.Fatalf("framework Get: %v", d)
			}
			if d := readClientModel(ctx, fw.Raw, &viaCodec); d.HasError() {
				t.Fatalf("readClientModel: %v", d)
			}
			if !reflect.DeepEqual(viaFramework, viaCodec) {
				t.Fatalf("read models differ:\nframework %+v\nours      %+v", viaFramework, viaCodec)
			}
			if !reflect.DeepEqual(viaCodec, m) {
				t.Fatalf("round trip changed the model:\nin  %+v\nout %+v", m, viaCodec)
			}
		})
	}
}

// A value of the wrong type is a diagnostic, not a panic.
func TestClientCodecRejectsWrongTypes(t *testing.T) {
	ctx := context.Background()
	var sresp resource.SchemaResponse
	(&dynamicClientResource{}).Schema(ctx, resource.SchemaRequest{}, &sresp)
	var m dynamicClientModel // zero values: sets without an element type
	m.RedirectURIs = types.SetNull(types.Int64Type)
	s := tfsdk.State{Schema: sresp.Schema}
	if d := setClientState(ctx, &s, &m); !d.HasError() {
		t.Fatal("a set of numbers for redirect_uris was accepted")
	}
}
