package provider

import (
	"context"
	"errors"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/mcp-oauth/terraform-provider-mcp/internal/oauth"
)

var (
	_ datasource.DataSourceWithConfigure        = (*protectedResourceMetadataDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*protectedResourceMetadataDataSource)(nil)
)

// NewProtectedResourceMetadataDataSource is the mcp_protected_resource_metadata data source.
func NewProtectedResourceMetadataDataSource() datasource.DataSource {
	return &protectedResourceMetadataDataSource{}
}

type protectedResourceMetadataDataSource struct {
	discoveryDataSource
}

type protectedResourceMetadataModel struct {
	ServerURL     types.String `tfsdk:"server_url"`
	MetadataURL   types.String `tfsdk:"metadata_url"`
	ResourceMatch types.String `tfsdk:"resource_match"`
	resourceMetadataFields
}

func (d *protectedResourceMetadataDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_protected_resource_metadata"
}

// serverURLAttribute, resourceMatchAttribute: shared with mcp_oauth_discovery.
func serverURLAttribute(required bool) schema.StringAttribute {
	return schema.StringAttribute{
		MarkdownDescription: "URL of the MCP server endpoint, such as `https://mcp.example.com/mcp`. It is the protected " +
			"resource's identifier: discovery sends it an unauthenticated MCP `initialize` to read the `WWW-Authenticate` " +
			"challenge, then tries the challenge's `resource_metadata` URL and the RFC 9728 well-known URLs built from it. " +
			"Plain `http` is accepted for loopback hosts, and for other hosts only with the provider's `allow_insecure_http`.",
		Required:   required,
		Optional:   !required,
		Validators: []validator.String{httpURLValidator{}},
	}
}

func resourceMatchAttribute() schema.StringAttribute {
	return schema.StringAttribute{
		MarkdownDescription: "How the document's `resource` must match `server_url`. `exact` (the default) requires the " +
			"identical string, as RFC 9728 section 3.3 says. `same_origin_prefix` also accepts a resource with the same scheme, " +
			"host and port whose path is a prefix of the server URL's path, ignoring a trailing slash: for servers that " +
			"publish their root (`https://mcp.example.com/`) or `https://mcp.example.com/mcp/` for `https://mcp.example.com/mcp`.",
		Optional:   true,
		Validators: []validator.String{stringvalidator.OneOf(oauth.ResourceMatchModes...)},
	}
}

func (d *protectedResourceMetadataDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attrs := resourceMetadataAttributes()
	attrs["server_url"] = serverURLAttribute(false)
	attrs["metadata_url"] = schema.StringAttribute{
		MarkdownDescription: "URL of the protected resource metadata document. Set it to skip the probe and the well-known " +
			"URLs and fetch this document directly (with `server_url` also set, the document's `resource` is still checked; " +
			"without it, it cannot be). When not set, it is the URL where discovery found the document.",
		Optional:   true,
		Computed:   true,
		Validators: []validator.String{httpURLValidator{}},
	}
	attrs["resource_match"] = resourceMatchAttribute()
	resp.Schema = schema.Schema{
		MarkdownDescription: "Discovers an MCP server's OAuth 2.0 protected resource metadata (RFC 9728): which " +
			"authorization servers issue its tokens, which scopes it understands, and what its `WWW-Authenticate` challenge " +
			"asked for. Set `server_url`, `metadata_url`, or both. Every URL tried is listed in `attempts`.",
		Attributes: attrs,
	}
}

func (d *protectedResourceMetadataDataSource) ConfigValidators(_ context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.AtLeastOneOf(path.MatchRoot("server_url"), path.MatchRoot("metadata_url")),
	}
}

func (d *protectedResourceMetadataDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg protectedResourceMetadataModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, client := d.beginRead(ctx, &resp.Diagnostics,
		urlAttribute{path.Root("server_url"), cfg.ServerURL.ValueString()},
		urlAttribute{path.Root("metadata_url"), cfg.MetadataURL.ValueString()},
	)
	if client == nil {
		return
	}

	res, err := client.DiscoverResourceMetadata(ctx, oauth.ResourceMetadataRequest{
		ResourceURL: cfg.ServerURL.ValueString(),
		MetadataURL: cfg.MetadataURL.ValueString(),
		Match:       oauth.ResourceMatch(cfg.ResourceMatch.ValueString()),
	})
	if err != nil {
		addDiscoveryError(&resp.Diagnostics, err, "protected resource", resourceErrorAttribute(cfg, err), path.Root("resource_match"))
		return
	}

	state := cfg
	state.MetadataURL = discoveredURL(res.MetadataURL)
	state.resourceMetadataFields = newResourceMetadataFields(ctx, res, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// resourceErrorAttribute is the attribute a discovery error belongs to: the
// URL that was fetched (metadata_url when set), except that a resource
// mismatch is about server_url, the value the document was compared with.
func resourceErrorAttribute(cfg protectedResourceMetadataModel, err error) path.Path {
	var mismatch *oauth.MismatchError
	switch {
	case cfg.MetadataURL.ValueString() == "":
		return path.Root("server_url")
	case cfg.ServerURL.ValueString() != "" && errors.As(err, &mismatch):
		return path.Root("server_url")
	default:
		return path.Root("metadata_url")
	}
}
