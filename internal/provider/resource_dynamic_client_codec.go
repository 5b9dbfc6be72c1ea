package provider

import (
	"context"
	"fmt"
	"reflect"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// The framework's Get and Set on plans, configurations and states go through
// its reflection package, which compiles a regular expression for every
// struct field on every call (internal/reflect.isValidFieldName) and walks
// the schema per attribute: at 200 clients that was an eighth of the
// provider's allocations. dynamicClientModel has only scalar, string-set and
// string-map fields, so it is converted here directly, with the field table
// built once. Values go through the same attr.Type conversions the framework
// uses, so the results are identical.

// codecField is one field of dynamicClientModel.
type codecField struct {
	index int
	name  string
	typ   attr.Type
}

var clientCodec = buildClientCodec()

func buildClientCodec() []codecField {
	t := reflect.TypeFor[dynamicClientModel]()
	fields := make([]codecField, 0, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		var typ attr.Type
		switch f.Type {
		case reflect.TypeFor[types.String]():
			typ = types.StringType
		case reflect.TypeFor[types.Int64]():
			typ = types.Int64Type
		case reflect.TypeFor[types.Bool]():
			typ = types.BoolType
		case reflect.TypeFor[types.Set]():
			typ = types.SetType{ElemType: types.StringType}
		case reflect.TypeFor[types.Map]():
			typ = types.MapType{ElemType: types.StringType}
		default:
			panic(fmt.Sprintf("dynamicClientModel.%s: type %s has no codec", f.Name, f.Type))
		}
		fields = append(fields, codecField{index: i, name: f.Tag.Get("tfsdk"), typ: typ})
	}
	return fields
}

// readClientModel fills m from a plan, configuration or state value.
func readClientModel(ctx context.Context, raw tftypes.Value, m *dynamicClientModel) diag.Diagnostics {
	var diags diag.Diagnostics
	var attrs map[string]tftypes.Value
	if err := raw.As(&attrs); err != nil {
		diags.AddError("Value Conversion Error", "Reading the resource's values failed: "+err.Error()+
			". This is a bug in the provider.")
		return diags
	}
	rv := reflect.ValueOf(m).Elem()
	for _, f := range clientCodec {
		tv, ok := attrs[f.name]
		if !ok {
			diags.AddError("Value Conversion Error", fmt.Sprintf("The resource's values lack attribute %q. This is a bug in the provider.", f.name))
			return diags
		}
		v, err := f.typ.ValueFromTerraform(ctx, tv)
		if err != nil {
			diags.AddError("Value Conversion Error", fmt.Sprintf("Reading attribute %q failed: %s. This is a bug in the provider.", f.name, err))
			return diags
		}
		rv.Field(f.index).Set(reflect.ValueOf(v))
	}
	return diags
}

// clientModelValue is m as a value of the schema's object type.
func clientModelValue(ctx context.Context, m *dynamicClientModel, typ tftypes.Type) (val tftypes.Value, diags diag.Diagnostics) {
	vals := make(map[string]tftypes.Value, len(clientCodec))
	rv := reflect.ValueOf(m).Elem()
	for _, f := range clientCodec {
		av, _ := rv.Field(f.index).Interface().(attr.Value)
		if av == nil || !av.Type(ctx).Equal(f.typ) {
			diags.AddError("Value Conversion Error", fmt.Sprintf("Attribute %q holds a value of the wrong type. This is a bug in the provider.", f.name))
			return val, diags
		}
		tv, err := av.ToTerraformValue(ctx)
		if err != nil {
			diags.AddError("Value Conversion Error", fmt.Sprintf("Converting attribute %q failed: %s. This is a bug in the provider.", f.name, err))
			return val, diags
		}
		vals[f.name] = tv
	}
	if err := tftypes.ValidateValue(typ, vals); err != nil {
		diags.AddError("Value Conversion Error", "The resource's values do not match its schema: "+err.Error()+". This is a bug in the provider.")
		return val, diags
	}
	return tftypes.NewValue(typ, vals), diags
}

// setClientState replaces s with m, like s.Set(ctx, m).
func setClientState(ctx context.Context, s *tfsdk.State, m *dynamicClientModel) diag.Diagnostics {
	v, diags := clientModelValue(ctx, m, s.Schema.Type().TerraformType(ctx))
	if !diags.HasError() {
		s.Raw = v
	}
	return diags
}

// setClientPlan replaces p with m, like p.Set(ctx, m).
func setClientPlan(ctx context.Context, p *tfsdk.Plan, m *dynamicClientModel) diag.Diagnostics {
	v, diags := clientModelValue(ctx, m, p.Schema.Type().TerraformType(ctx))
	if !diags.HasError() {
		p.Raw = v
	}
	return diags
}
