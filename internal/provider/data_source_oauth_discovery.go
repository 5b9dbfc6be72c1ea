package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/mcp-oauth/terraform-provider-mcp/internal/oauth"
)

var _ datasource.DataSourceWithConfigure = (*oauthDiscoveryDataSource)(nil)

// NewOAuthDiscoveryDataSource is the mcp_oauth_discovery data source.
func NewOAuthDiscoveryDataSource() datasource.DataSource {
	return &oauthDiscoveryDataSource{}
}

type oauthDiscoveryDataSource struct {
	discoveryDataSource
}

type oauthDiscoveryModel struct {
	ServerURL                   types.String `tfsdk:"server_url"`
	ResourceMatch               types.String `tfsdk:"resource_match"`
	AuthorizationServer         types.String `tfsdk:"authorization_server"`
	IssuerMatch                 types.String `tfsdk:"issuer_match"`
	RequirePKCES256             types.Bool   `tfsdk:"require_pkce_s256"`
	Scope                       types.String `tfsdk:"scope"`
	Resource                    types.String `tfsdk:"resource"`
	ScopeWithOfflineAccess      types.String `tfsdk:"scope_with_offline_access"`
	OfflineAccessSupported      types.Bool   `tfsdk:"offline_access_supported"`
	RegistrationEndpoint        types.String `tfsdk:"registration_endpoint"`
	AuthorizationEndpoint       types.String `tfsdk:"authorization_endpoint"`
	TokenEndpoint               types.String `tfsdk:"token_endpoint"`
	PreRegistered               types.Bool   `tfsdk:"pre_registered"`
	RegistrationPaths           types.List   `tfsdk:"registration_paths"`
	RegistrationPath            types.String `tfsdk:"registration_path"`
	ResourceMetadata            types.Object `tfsdk:"resource_metadata"`
	AuthorizationServerMetadata types.Object `tfsdk:"authorization_server_metadata"`
}

// resourceMetadataObject is the resource_metadata nested object.
type resourceMetadataObject struct {
	MetadataURL types.String `tfsdk:"metadata_url"`
	resourceMetadataFields
}

func nestedResourceMetadataAttributes() map[string]schema.Attribute {
	attrs := resourceMetadataAttributes()
	attrs["metadata_url"] = computedString("The URL the protected resource metadata was found at; null when the server " +
		"publishes none and discovery followed MCP revision 2025-03-26 (see the data source's description).")
	return attrs
}

func (d *oauthDiscoveryDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_oauth_discovery"
}

func (d *oauthDiscoveryDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Runs MCP authorization discovery end to end from an MCP server URL: the protected resource " +
			"metadata (RFC 9728), the choice of one of its authorization servers, and that server's metadata (RFC 8414 / " +
			"OpenID Connect Discovery). Use it when a configuration needs, say, only the registration endpoint: " +
			"`data.mcp_oauth_discovery.this.registration_endpoint`. Everything else the two documents hold is in " +
			"`resource_metadata` and `authorization_server_metadata`.\n\n" +
			"A server of MCP revision 2025-03-26 publishes no protected resource metadata. When none is found, the MCP " +
			"endpoint answered the probe with 401 and `authorization_server` is not set, discovery follows that revision, " +
			"with a warning: the server's origin is the authorization server, its metadata is read from the origin's " +
			"RFC 8414 well-known URL, and without it the default endpoints `/authorize`, `/token` and `/register` on the " +
			"origin are used (`authorization_server_metadata.metadata_source = \"default\"`). `resource_metadata` then " +
			"holds no document: its `resource` is `server_url`, its `authorization_servers` the origin, and its " +
			"`attempts` every URL tried.",
		Attributes: map[string]schema.Attribute{
			"server_url":     serverURLAttribute(true),
			"resource_match": resourceMatchAttribute(),
			"authorization_server": schema.StringAttribute{
				MarkdownDescription: "Which of the resource's `authorization_servers` to use, by issuer identifier. It must be " +
					"one the resource lists, exactly: that list is what makes an authorization server trusted for the resource. " +
					"When not set, the first listed is used, and this attribute reports it.",
				Optional:   true,
				Computed:   true,
				Validators: []validator.String{httpURLValidator{}},
			},
			"issuer_match": issuerMatchAttribute(),
			"require_pkce_s256": schema.BoolAttribute{
				MarkdownDescription: "Whether an authorization server that does not list `S256` in " +
					"`code_challenge_methods_supported` (or omits the field) fails discovery. Default `true`: the MCP " +
					"authorization specification (since revision 2025-11-25) tells clients to refuse such a server, since " +
					"they cannot know it protects the authorization code with PKCE. Set `false` for a server that supports " +
					"S256 without advertising it (Microsoft Entra ID and Amazon Cognito omit the field): discovery then " +
					"succeeds with a warning, and MCP clients that follow the specification may still refuse the server. " +
					"Not checked when a 2025-03-26 server serves no metadata at all (its default endpoints are used).",
				Optional: true,
			},
			"scope": computedString("The scope an MCP client should request: the `scope` of the server's `WWW-Authenticate` " +
				"challenge when it sent one (the MCP specification makes it authoritative), otherwise the resource's " +
				"`scopes_supported` joined by spaces; null when neither is available. The challenge is read from a 401 or a " +
				"403 `insufficient_scope` to an unauthenticated `initialize`; a server that lets `initialize` through (and " +
				"challenges only later requests) is probed further with `tools/list` in the session `initialize` opened."),
			"scope_with_offline_access": computedString("`scope` with `offline_access` added, for a client that wants " +
				"refresh tokens, when the chosen authorization server lists `offline_access` in its `scopes_supported` " +
				"(MCP 2026-07-28 lets clients add it then, and only then); otherwise the same as `scope`. Such a client " +
				"should also register the `refresh_token` grant type (`mcp_dynamic_client.grant_types`)."),
			"offline_access_supported": computedBool("Whether the chosen authorization server lists `offline_access` in " +
				"its `scopes_supported`."),
			"resource": computedString("The resource identifier an MCP client sends in the RFC 8707 `resource` parameter of " +
				"its authorization and token requests: the `resource` the protected resource metadata names, exactly as " +
				"published. It is `server_url` itself, except when the metadata was found at the root well-known URL " +
				"(`/.well-known/oauth-protected-resource`) and names the server's origin (RFC 9728 section 3.3 accepts that), " +
				"or when `resource_match` accepted another value."),
			"registration_endpoint": computedString("The chosen authorization server's RFC 7591 registration endpoint, " +
				"ready for `mcp_dynamic_client.registration_endpoint`; null when the server does not advertise one (it " +
				"then does not offer dynamic client registration, or hides it from discovery)."),
			"authorization_endpoint": computedString("The chosen authorization server's authorization endpoint."),
			"token_endpoint":         computedString("The chosen authorization server's token endpoint."),
			"pre_registered":         preRegisteredAttribute(),
			"registration_paths":     registrationPathsAttribute(),
			"registration_path":      registrationPathAttribute(),
			"resource_metadata": schema.SingleNestedAttribute{
				MarkdownDescription: "The protected resource metadata, with the same attributes as the " +
					"`mcp_protected_resource_metadata` data source.",
				Computed:   true,
				Attributes: nestedResourceMetadataAttributes(),
			},
			"authorization_server_metadata": schema.SingleNestedAttribute{
				MarkdownDescription: "The chosen authorization server's metadata, with the same attributes as the " +
					"`mcp_authorization_server_metadata` data source.",
				Computed:   true,
				Attributes: serverMetadataAttributes(),
			},
		},
	}
}

func (d *oauthDiscoveryDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg oauthDiscoveryModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, client := d.beginRead(ctx, &resp.Diagnostics,
		urlAttribute{path.Root("server_url"), cfg.ServerURL.ValueString()},
		urlAttribute{path.Root("authorization_server"), cfg.AuthorizationServer.ValueString()},
	)
	if client == nil {
		return
	}

	res, err := client.Discover(ctx, oauth.DiscoveryRequest{
		ResourceURL:         cfg.ServerURL.ValueString(),
		ResourceMatch:       oauth.ResourceMatch(cfg.ResourceMatch.ValueString()),
		AuthorizationServer: cfg.AuthorizationServer.ValueString(),
		IssuerMatch:         oauth.IssuerMatch(cfg.IssuerMatch.ValueString()),
	})
	if err != nil {
		switch {
		case errors.Is(err, oauth.ErrNoAuthorizationServer):
			// The resource's list is at fault unless the user picked a server it lacks.
			attr := path.Root("server_url")
			if cfg.AuthorizationServer.ValueString() != "" {
				attr = path.Root("authorization_server")
			}
			resp.Diagnostics.AddAttributeError(attr, "No usable authorization server",
				validUTF8(err.Error()+"\n\nProtected resource metadata URLs tried:\n"+oauth.FormatAttempts(res.Resource.Attempts)))
		case res == nil: // the resource step failed
			addDiscoveryError(&resp.Diagnostics, err, "protected resource", path.Root("server_url"), path.Root("resource_match"))
		default:
			addDiscoveryError(&resp.Diagnostics, err, "authorization server", path.Root("authorization_server"), path.Root("issuer_match"))
		}
		return
	}

	state := cfg
	state.AuthorizationServer = types.StringValue(validUTF8(res.AuthorizationServer))
	state.Scope = discoveredScope(res.Resource)
	state.Resource = types.StringValue(validUTF8(res.Resource.Metadata.Resource))
	state.OfflineAccessSupported = types.BoolValue(res.Server.Metadata.SupportsOfflineAccess())
	state.ScopeWithOfflineAccess = state.Scope
	if withOffline := oauth.WithOfflineAccess(state.Scope.ValueString(), res.Server.Metadata); withOffline != "" {
		state.ScopeWithOfflineAccess = types.StringValue(validUTF8(withOffline))
	}
	state.RegistrationEndpoint = metadataString(res.Server.Metadata.RegistrationEndpoint)
	state.AuthorizationEndpoint = metadataString(res.Server.Metadata.AuthorizationEndpoint)
	state.TokenEndpoint = metadataString(res.Server.Metadata.TokenEndpoint)
	state.RegistrationPaths, state.RegistrationPath = registrationPathValues(res.Server.Metadata, cfg.PreRegistered.ValueBool())

	resourceObj := resourceMetadataObject{
		MetadataURL:            discoveredURL(res.Resource.MetadataURL),
		resourceMetadataFields: newResourceMetadataFields(ctx, res.Resource, &resp.Diagnostics),
	}
	if res.Legacy { // no document was served
		resourceObj.MetadataURL, resourceObj.MetadataJSON = types.StringNull(), types.StringNull()
	}
	obj, diags := types.ObjectValueFrom(ctx, attributeTypes(nestedResourceMetadataAttributes()), resourceObj)
	resp.Diagnostics.Append(diags...)
	state.ResourceMetadata = obj

	serverFields := newServerMetadataFields(ctx, res.Server, &resp.Diagnostics)
	if res.DefaultEndpoints {
		serverFields.MetadataURL, serverFields.MetadataJSON = types.StringNull(), types.StringNull()
	}
	obj, diags = types.ObjectValueFrom(ctx, attributeTypes(serverMetadataAttributes()), serverFields)
	resp.Diagnostics.Append(diags...)
	state.AuthorizationServerMetadata = obj
	if !res.DefaultEndpoints {
		addPKCEDiagnostic(&resp.Diagnostics, res.AuthorizationServer, res.Server.Metadata, cfg.RequirePKCES256.IsNull() || cfg.RequirePKCES256.ValueBool())
	}
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	if res.Legacy {
		addLegacyDiscoveryWarning(&resp.Diagnostics, cfg.ServerURL.ValueString(), res)
	}
}

// addLegacyDiscoveryWarning says that discovery fell back to the rules of
// MCP revision 2025-03-26, which newer clients no longer apply.
func addLegacyDiscoveryWarning(diags *diag.Diagnostics, serverURL string, res *oauth.DiscoveryResult) {
	how := fmt.Sprintf("its authorization server metadata was found at %s", res.Server.MetadataURL)
	if res.DefaultEndpoints {
		how = "it serves no authorization server metadata either, so the revision's default endpoints " +
			"/authorize, /token and /register on that origin are used, unverified"
	}
	diags.AddAttributeWarning(path.Root("server_url"), "MCP server follows the 2025-03-26 authorization rules",
		fmt.Sprintf("%s requires authorization but publishes no protected resource metadata (RFC 9728), which MCP "+
			"authorization requires since revision 2025-06-18. Following revision 2025-03-26, the server's origin %s is "+
			"taken as its authorization server: %s. Clients that follow only the current revision will not find it; "+
			"ask the server's operator to publish protected resource metadata. resource_metadata.attempts and "+
			"authorization_server_metadata.attempts list every URL tried.",
			validUTF8(serverURL), validUTF8(res.AuthorizationServer), validUTF8(how)))
}

// addPKCEDiagnostic says when the authorization server does not advertise
// PKCE S256. The MCP specification tells clients to refuse such a server, so
// it is an error unless required is false (require_pkce_s256 = false, for
// servers such as Entra ID and Cognito that support S256 without saying so):
// then a warning for the person to weigh.
func addPKCEDiagnostic(diags *diag.Diagnostics, issuer string, m oauth.AuthorizationServerMetadata, required bool) {
	if m.SupportsPKCES256() {
		return
	}
	advertised := "nothing"
	if len(m.CodeChallengeMethodsSupported) > 0 {
		advertised = strings.Join(m.CodeChallengeMethodsSupported, ", ")
	}
	detail := fmt.Sprintf("%s lists %s in code_challenge_methods_supported. The MCP authorization specification (since revision 2025-11-25; "+
		"this provider follows "+oauth.MCPProtocolVersion+") tells MCP clients to refuse an authorization server that does not advertise S256, "+
		"since they cannot tell that it protects authorization codes with PKCE.", validUTF8(issuer), validUTF8(advertised))
	if required {
		diags.AddAttributeError(path.Root("require_pkce_s256"), "Authorization server does not advertise PKCE S256",
			detail+" If the server supports S256 without advertising it (Microsoft Entra ID and Amazon Cognito do), set "+
				"`require_pkce_s256 = false` on this data source to go on with a warning, and ask the server's operator to "+
				"publish it; otherwise choose another authorization server.")
		return
	}
	diags.AddAttributeWarning(path.Root("authorization_server"), "Authorization server does not advertise PKCE S256",
		detail+" require_pkce_s256 = false lets discovery go on, but MCP clients may refuse this server. If it supports S256 "+
			"without advertising it (Entra ID and Cognito do), ask its operator to publish it; pkce_s256_supported in "+
			"authorization_server_metadata reports the same.")
}

// discoveredScope follows MCP scope selection: the challenge's scope, else
// the resource's scopes_supported.
func discoveredScope(res *oauth.ResourceMetadataResult) types.String {
	if res.Challenge != nil && strings.TrimSpace(res.Challenge.Scope) != "" {
		return types.StringValue(validUTF8(res.Challenge.Scope)) // a header value: any bytes
	}
	if len(res.Metadata.ScopesSupported) > 0 {
		return types.StringValue(validUTF8(strings.Join(res.Metadata.ScopesSupported, " ")))
	}
	return types.StringNull()
}
