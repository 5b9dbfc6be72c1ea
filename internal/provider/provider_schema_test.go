package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	rschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
)

// describedAttribute is what every schema attribute offers for this check.
type describedAttribute interface {
	GetMarkdownDescription() string
}

// TestEverySchemaIsDescribed keeps the promise that a user can read what
// every type and attribute does, in docs/ and in the CLI's schema.
func TestEverySchemaIsDescribed(t *testing.T) {
	ctx := context.Background()
	p := New("test")()

	var provResp provider.SchemaResponse
	p.Schema(ctx, provider.SchemaRequest{}, &provResp)
	if provResp.Schema.MarkdownDescription == "" {
		t.Error("the provider has no description")
	}
	for name, attr := range provResp.Schema.Attributes {
		if attr.GetMarkdownDescription() == "" {
			t.Errorf("provider attribute %s has no description", name)
		}
	}

	for _, newDS := range p.DataSources(ctx) {
		ds := newDS()
		var meta datasource.MetadataResponse
		ds.Metadata(ctx, datasource.MetadataRequest{ProviderTypeName: "mcp"}, &meta)
		var resp datasource.SchemaResponse
		ds.Schema(ctx, datasource.SchemaRequest{}, &resp)
		if resp.Schema.MarkdownDescription == "" {
			t.Errorf("%s has no description", meta.TypeName)
		}
		checkDataSourceAttributes(t, meta.TypeName, resp.Schema.Attributes)
	}

	for _, newRes := range p.Resources(ctx) {
		r := newRes()
		var meta resource.MetadataResponse
		r.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: "mcp"}, &meta)
		var resp resource.SchemaResponse
		r.Schema(ctx, resource.SchemaRequest{}, &resp)
		if resp.Schema.MarkdownDescription == "" {
			t.Errorf("%s has no description", meta.TypeName)
		}
		checkResourceAttributes(t, meta.TypeName, resp.Schema.Attributes)
	}
}

func checkDataSourceAttributes(t *testing.T, prefix string, attrs map[string]dschema.Attribute) {
	t.Helper()
	for name, attr := range attrs {
		checkDescribed(t, prefix+"."+name, attr)
		switch nested := attr.(type) {
		case dschema.SingleNestedAttribute:
			checkDataSourceAttributes(t, prefix+"."+name, nested.Attributes)
		case dschema.ListNestedAttribute:
			checkDataSourceAttributes(t, prefix+"."+name, nested.NestedObject.Attributes)
		}
	}
}

func checkResourceAttributes(t *testing.T, prefix string, attrs map[string]rschema.Attribute) {
	t.Helper()
	for name, attr := range attrs {
		checkDescribed(t, prefix+"."+name, attr)
		if nested, ok := attr.(rschema.SingleNestedAttribute); ok {
			checkResourceAttributes(t, prefix+"."+name, nested.Attributes)
		}
	}
}

func checkDescribed(t *testing.T, name string, attr describedAttribute) {
	t.Helper()
	if len(attr.GetMarkdownDescription()) < 20 {
		t.Errorf("%s has no useful description: %q", name, attr.GetMarkdownDescription())
	}
}
