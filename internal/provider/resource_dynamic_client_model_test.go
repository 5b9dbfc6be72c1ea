package provider

import (
	"context"
	"reflect"
	"slices"
	"sort"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/mcp-oauth/terraform-provider-mcp/internal/oauth"
)

var clientNameAttr = attrNamed("client_name")

// attrNamed finds a table entry by attribute name, for tests.
func attrNamed(name string) clientAttr {
	for _, at := range allClientAttrs() {
		if at.name == name {
			return at
		}
	}
	panic("no attribute " + name + " in the table")
}

func allClientAttrs() []clientAttr {
	all := append(append([]clientAttr{}, serverRelevantAttrs...), issuedAttrs...)
	return append(all, localAttrs...)
}

func sortedNames(attrs []clientAttr) []string {
	var names []string
	for _, at := range attrs {
		names = append(names, at.name)
	}
	sort.Strings(names)
	return names
}

// TestClientAttrTable ties the schema, the model, the attribute table and the
// protocol's list of metadata members together: adding a field to one of them
// without the others fails here.
func TestClientAttrTable(t *testing.T) {
	var resp resource.SchemaResponse
	(&dynamicClientResource{}).Schema(context.Background(), resource.SchemaRequest{}, &resp)
	var schemaNames []string
	for name := range resp.Schema.Attributes {
		schemaNames = append(schemaNames, name)
	}
	sort.Strings(schemaNames)

	modelType := reflect.TypeOf(dynamicClientModel{})
	var modelNames []string
	fieldByTag := map[string]int{}
	for i := range modelType.NumField() {
		tag := modelType.Field(i).Tag.Get("tfsdk")
		modelNames = append(modelNames, tag)
		fieldByTag[tag] = i
	}
	sort.Strings(modelNames)

	tableNames := sortedNames(allClientAttrs())
	if !slices.Equal(schemaNames, modelNames) {
		t.Errorf("schema attributes %v\ndiffer from model fields %v", schemaNames, modelNames)
	}
	if !slices.Equal(schemaNames, tableNames) {
		t.Errorf("schema attributes %v\ndiffer from the attribute table %v", schemaNames, tableNames)
	}

	// Every member the protocol models has an argument of the same name.
	members := sortedNames(append(append([]clientAttr{}, metadataAttrs...), softwareStatementAttr))
	protocol := oauth.MetadataFieldNames()
	sort.Strings(protocol)
	if !slices.Equal(members, protocol) {
		t.Errorf("metadata arguments %v\ndiffer from oauth.MetadataFieldNames() %v", members, protocol)
	}

	// Each entry reaches the model field tagged with its name.
	for _, at := range allClientAttrs() {
		var m dynamicClientModel
		i, ok := fieldByTag[at.name]
		if !ok {
			continue // reported above
		}
		f := reflect.ValueOf(&m).Elem().Field(i)
		_, unknown := nullAndUnknown(f.Interface().(attr.Value))
		f.Set(reflect.ValueOf(unknown))
		if !at.get(&m).IsUnknown() {
			t.Errorf("%s: the table reaches another field than the one tagged %q", at.name, at.name)
		}
		var dst dynamicClientModel
		at.copy(&dst, &m)
		if !reflect.DeepEqual(dst, m) {
			t.Errorf("%s: copy does not copy exactly that field", at.name)
		}
	}
}

// nullAndUnknown returns the null and the unknown value of v's type.
func nullAndUnknown(v attr.Value) (null, unknown attr.Value) {
	switch v.(type) {
	case types.String:
		return types.StringNull(), types.StringUnknown()
	case types.Set:
		return types.SetNull(types.StringType), types.SetUnknown(types.StringType)
	case types.Int64:
		return types.Int64Null(), types.Int64Unknown()
	case types.Bool:
		return types.BoolNull(), types.BoolUnknown()
	case types.Map:
		return types.MapNull(types.StringType), types.MapUnknown(types.StringType)
	}
	panic("unexpected attribute type")
}

// Each metadata entry maps its argument to the protocol member of the same
// name and back.
func TestClientAttrMetadataRoundTrip(t *testing.T) {
	ctx := context.Background()
	for _, at := range append(append([]clientAttr{}, metadataAttrs...), softwareStatementAttr) {
		var m dynamicClientModel
		for _, other := range allClientAttrs() {
			// every other argument null, so only this one is sent
			f := reflect.ValueOf(&m).Elem().FieldByIndex(fieldIndex(t, other.name))
			null, _ := nullAndUnknown(f.Interface().(attr.Value))
			f.Set(reflect.ValueOf(null))
		}
		f := reflect.ValueOf(&m).Elem().FieldByIndex(fieldIndex(t, at.name))
		want := sampleLike(f.Interface().(attr.Value))
		f.Set(reflect.ValueOf(want))
		md, diags := m.toMetadata(ctx)
		fields, err := md.Fields()
		if diags.HasError() || err != nil {
			t.Fatalf("%s: %v %v", at.name, diags, err)
		}
		if len(fields) != 1 || fields[at.name] == nil {
			t.Errorf("%s: sent as %v, want only member %q", at.name, fields, at.name)
		}
		if at.name == "software_statement" {
			continue // never read back
		}
		var back dynamicClientModel
		var d diag.Diagnostics
		back.fromMetadata(ctx, md, &d)
		if got := at.get(&back); !got.Equal(want) {
			t.Errorf("%s: read back as %v, want %v", at.name, got, want)
		}
	}
}

func fieldIndex(t *testing.T, name string) []int {
	t.Helper()
	rt := reflect.TypeOf(dynamicClientModel{})
	for i := range rt.NumField() {
		if rt.Field(i).Tag.Get("tfsdk") == name {
			return []int{i}
		}
	}
	t.Fatalf("no model field tagged %q", name)
	return nil
}

func sampleLike(v attr.Value) attr.Value {
	switch v.(type) {
	case types.String:
		return types.StringValue(`{"keys":[]}`) // valid for jwks, any text elsewhere
	case types.Set:
		return types.SetValueMust(types.StringType, []attr.Value{types.StringValue("a"), types.StringValue("b")})
	case types.Int64:
		return types.Int64Value(7)
	case types.Bool:
		return types.BoolValue(true)
	}
	panic("unexpected attribute type")
}
