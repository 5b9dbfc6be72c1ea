package provider

// Placeholders so the package builds while the real types are written.
// Each is replaced by its own file; delete the matching line when you add it.

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	rschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
)

type placeholderDataSource struct{ name string }

func (p placeholderDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + p.name
}
func (placeholderDataSource) Schema(context.Context, datasource.SchemaRequest, *datasource.SchemaResponse) {
	_ = dschema.Schema{}
}
func (placeholderDataSource) Read(context.Context, datasource.ReadRequest, *datasource.ReadResponse) {}

type placeholderResource struct{ name string }

func (p placeholderResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + p.name
}
func (placeholderResource) Schema(context.Context, resource.SchemaRequest, *resource.SchemaResponse) {
	_ = rschema.Schema{}
}
func (placeholderResource) Create(context.Context, resource.CreateRequest, *resource.CreateResponse) {}
func (placeholderResource) Read(context.Context, resource.ReadRequest, *resource.ReadResponse)       {}
func (placeholderResource) Update(context.Context, resource.UpdateRequest, *resource.UpdateResponse) {}
func (placeholderResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}

func NewProtectedResourceMetadataDataSource() datasource.DataSource {
	return placeholderDataSource{"_protected_resource_metadata"}
}
func NewAuthorizationServerMetadataDataSource() datasource.DataSource {
	return placeholderDataSource{"_authorization_server_metadata"}
}
func NewOAuthDiscoveryDataSource() datasource.DataSource {
	return placeholderDataSource{"_oauth_discovery"}
}
func NewDynamicClientResource() resource.Resource { return placeholderResource{"_dynamic_client"} }
