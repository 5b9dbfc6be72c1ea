package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/mcp-oauth/terraform-provider-mcp/internal/oauth"
)

var _ datasource.DataSourceWithConfigure = (*authorizationServerMetadataDataSource)(nil)

// NewAuthorizationServerMetadataDataSource is the mcp_authorization_server_metadata data source.
func NewAuthorizationServerMetadataDataSource() datasource.DataSource {
	return &authorizationServerMetadataDataSource{}
}

type authorizationServerMetadataDataSource struct {
	discoveryDataSource
}

type authorizationServerMetadataModel struct {
	Issuer      types.String `tfsdk:"issuer"`
	IssuerMatch types.String `tfsdk:"issuer_match"`
	serverMetadataFields
}

func (d *authorizationServerMetadataDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_authorization_server_metadata"
}

// issuerMatchAttribute is shared with mcp_oauth_discovery.
func issuerMatchAttribute() schema.StringAttribute {
	return schema.StringAttribute{
		MarkdownDescription: "How the document's `issuer` must match the issuer used to find it. `exact` (the default) " +
			"requires the identical string, as RFC 8414, OpenID Connect Discovery and MCP require. `allow_trailing_slash` " +
			"also accepts the same issuer with or without one trailing slash, which some large providers publish (Auth0, " +
			"for example); nothing else is tolerated.",
		Optional:   true,
		Validators: []validator.String{stringvalidator.OneOf(oauth.IssuerMatchModes...)},
	}
}

func (d *authorizationServerMetadataDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attrs := serverMetadataAttributes()
	attrs["issuer"] = schema.StringAttribute{
		MarkdownDescription: "The authorization server's issuer identifier, such as `https://auth.example.com/realms/mcp` " +
			"(one of a protected resource's `authorization_servers`). Discovery tries, in order, the RFC 8414 and OpenID " +
			"Connect well-known URLs with the well-known part inserted before the issuer's path, the OpenID Connect URL " +
			"appended to it, and the RFC 8414 URL appended to it (Keycloak, Okta); an issuer without a path has only the " +
			"first two. Plain `http` is accepted for loopback hosts, and for other hosts only with the provider's " +
			"`allow_insecure_http`.",
		Required:   true,
		Validators: []validator.String{httpURLValidator{}},
	}
	attrs["issuer_match"] = issuerMatchAttribute()
	resp.Schema = schema.Schema{
		MarkdownDescription: "Discovers an OAuth 2.0 authorization server's metadata (RFC 8414 or OpenID Connect Discovery): " +
			"its endpoints (including `registration_endpoint` for dynamic client registration), what it supports, and " +
			"whether it advertises PKCE `S256` as MCP requires. Every URL tried is listed in `attempts`.",
		Attributes: attrs,
	}
}

func (d *authorizationServerMetadataDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg authorizationServerMetadataModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, client := d.beginRead(ctx, &resp.Diagnostics,
		urlAttribute{path.Root("issuer"), cfg.Issuer.ValueString()},
	)
	if client == nil {
		return
	}

	res, err := client.DiscoverServerMetadata(ctx, oauth.ServerMetadataRequest{
		Issuer: cfg.Issuer.ValueString(),
		Match:  oauth.IssuerMatch(cfg.IssuerMatch.ValueString()),
	})
	if err != nil {
		addDiscoveryError(&resp.Diagnostics, err, "authorization server", path.Root("issuer"), path.Root("issuer_match"))
		return
	}
	state := cfg
	state.serverMetadataFields = newServerMetadataFields(ctx, res, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}
