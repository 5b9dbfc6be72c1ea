package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/mcp-oauth/terraform-provider-mcp/internal/oauth"
)

// Models and schema pieces shared by the three discovery data sources, so
// mcp_oauth_discovery's nested objects match the standalone data sources
// attribute for attribute.

// attemptModel is one element of an `attempts` list.
type attemptModel struct {
	URL     types.String `tfsdk:"url"`
	Status  types.Int64  `tfsdk:"status"`
	Outcome types.String `tfsdk:"outcome"`
	Detail  types.String `tfsdk:"detail"`
}

func attemptsAttribute() schema.ListNestedAttribute {
	return schema.ListNestedAttribute{
		MarkdownDescription: "Every URL discovery tried, in order, with what it answered. Read it when the result is not " +
			"what you expected: it shows which well-known URL served the document and why the others were skipped.",
		Computed: true,
		NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
			"url":    schema.StringAttribute{Computed: true, MarkdownDescription: "The URL discovery requested in this attempt."},
			"status": schema.Int64Attribute{Computed: true, MarkdownDescription: "The HTTP status, `0` when no response was received."},
			"outcome": schema.StringAttribute{Computed: true, MarkdownDescription: "`found` (the document used), `not_here` " +
				"(no document at this URL: 4xx, 502, an HTML page, not JSON), `rejected` (a document that failed a check, such as " +
				"a mismatched resource or issuer, or a refused redirect) or `failed` (an error that stopped discovery)."},
			"detail": schema.StringAttribute{Computed: true, MarkdownDescription: "A short explanation of the outcome."},
		}},
	}
}

func attemptsValue(ctx context.Context, attempts []oauth.Attempt, diags *diag.Diagnostics) types.List {
	models := make([]attemptModel, len(attempts))
	for i, a := range attempts {
		models[i] = attemptModel{
			URL:     types.StringValue(validUTF8(a.URL)),
			Status:  types.Int64Value(int64(a.Status)),
			Outcome: types.StringValue(string(a.Outcome)),
			Detail:  types.StringValue(validUTF8(a.Detail)),
		}
	}
	elemType := types.ObjectType{AttrTypes: attributeTypes(attemptsAttribute().NestedObject.Attributes)}
	v, d := types.ListValueFrom(ctx, elemType, models)
	diags.Append(d...)
	return v
}

// validUTF8 is oauth.ValidUTF8. Servers can send any bytes (in a header, a
// URL), and the plugin protocol cannot carry invalid UTF-8 in a string value
// or a diagnostic: every string built from server data goes through this
// before it reaches state or a diagnostic.
var validUTF8 = oauth.ValidUTF8

// discoveredURL is a URL discovery found, for state.
func discoveredURL(s string) types.String {
	return types.StringValue(validUTF8(s))
}

// attributeTypes derives an object's attribute types from its schema, so the
// two can never disagree.
func attributeTypes(attrs map[string]schema.Attribute) map[string]attr.Type {
	out := make(map[string]attr.Type, len(attrs))
	for name, a := range attrs {
		out[name] = a.GetType()
	}
	return out
}

// metadataString maps an absent (empty) document field to null.
func metadataString(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(validUTF8(s))
}

// metadataList maps an absent list to null and keeps the server's order.
func metadataList(items []string) types.List {
	if items == nil {
		return types.ListNull(types.StringType)
	}
	values := make([]attr.Value, len(items))
	for i, s := range items {
		values[i] = types.StringValue(validUTF8(s))
	}
	return types.ListValueMust(types.StringType, values)
}

func metadataJSON(raw []byte) types.String {
	return types.StringValue(validUTF8(string(raw)))
}

func computedString(desc string) schema.StringAttribute {
	return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
}

func computedList(desc string) schema.ListAttribute {
	return schema.ListAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: desc}
}

func computedBool(desc string) schema.BoolAttribute {
	return schema.BoolAttribute{Computed: true, MarkdownDescription: desc}
}

// resourceMetadataFields are the outputs of protected resource discovery.
type resourceMetadataFields struct {
	Resource                              types.String `tfsdk:"resource"`
	AuthorizationServers                  types.List   `tfsdk:"authorization_servers"`
	JWKSURI                               types.String `tfsdk:"jwks_uri"`
	ScopesSupported                       types.List   `tfsdk:"scopes_supported"`
	BearerMethodsSupported                types.List   `tfsdk:"bearer_methods_supported"`
	ResourceSigningAlgValuesSupported     types.List   `tfsdk:"resource_signing_alg_values_supported"`
	ResourceName                          types.String `tfsdk:"resource_name"`
	ResourceDocumentation                 types.String `tfsdk:"resource_documentation"`
	ResourcePolicyURI                     types.String `tfsdk:"resource_policy_uri"`
	ResourceTOSURI                        types.String `tfsdk:"resource_tos_uri"`
	TLSClientCertificateBoundAccessTokens types.Bool   `tfsdk:"tls_client_certificate_bound_access_tokens"`
	AuthorizationDetailsTypesSupported    types.List   `tfsdk:"authorization_details_types_supported"`
	DPoPSigningAlgValuesSupported         types.List   `tfsdk:"dpop_signing_alg_values_supported"`
	DPoPBoundAccessTokensRequired         types.Bool   `tfsdk:"dpop_bound_access_tokens_required"`
	SignedMetadata                        types.String `tfsdk:"signed_metadata"`
	ChallengeScope                        types.String `tfsdk:"challenge_scope"`
	ChallengeError                        types.String `tfsdk:"challenge_error"`
	ChallengeErrorDescription             types.String `tfsdk:"challenge_error_description"`
	Attempts                              types.List   `tfsdk:"attempts"`
	MetadataJSON                          types.String `tfsdk:"metadata_json"`
}

func resourceMetadataAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"resource": computedString("The `resource` the document names: the protected resource's identifier, to send as the " +
			"`resource` parameter (RFC 8707) in authorization and token requests."),
		"authorization_servers": computedList("Issuer identifiers of the authorization servers that can issue tokens for this " +
			"resource, in the server's order. Pass one to `mcp_authorization_server_metadata`, or use `mcp_oauth_discovery`."),
		"jwks_uri":         computedString("URL of the resource's JSON Web Key Set, or null."),
		"scopes_supported": computedList("Scopes the resource understands, or null when the document does not say."),
		"bearer_methods_supported": computedList("How the resource accepts bearer tokens (`header`, `body`, `query`), or " +
			"null when the document does not say."),
		"resource_signing_alg_values_supported": computedList("JWS algorithms the resource signs responses with, or null."),
		"resource_name":                         computedString("Human-readable name of the resource, or null."),
		"resource_documentation":                computedString("URL of the resource's developer documentation, or null."),
		"resource_policy_uri":                   computedString("URL of the resource's data usage policy, or null."),
		"resource_tos_uri":                      computedString("URL of the resource's terms of service, or null."),
		"tls_client_certificate_bound_access_tokens": computedBool("Whether the resource supports mutual-TLS " +
			"certificate-bound access tokens (RFC 8705); false when absent."),
		"authorization_details_types_supported": computedList("`authorization_details` types the resource supports " +
			"(RFC 9396), or null."),
		"dpop_signing_alg_values_supported": computedList("JWS algorithms the resource accepts for DPoP proofs (RFC 9449), or null."),
		"dpop_bound_access_tokens_required": computedBool("Whether the resource requires DPoP-bound access tokens; false when absent."),
		"signed_metadata":                   computedString("The signed metadata JWT, as served and not verified, or null."),
		"challenge_scope": computedString("The `scope` of the Bearer challenge the MCP endpoint answered with, or null " +
			"when there was none. MCP clients request this scope in preference to `scopes_supported`."),
		"challenge_error": computedString("The `error` of the Bearer challenge (for example `invalid_token` or " +
			"`insufficient_scope`), or null."),
		"challenge_error_description": computedString("The `error_description` of the Bearer challenge, or null."),
		"attempts":                    attemptsAttribute(),
		"metadata_json": computedString("The document exactly as served, including fields this provider does not model. " +
			"Read vendor fields with `jsondecode(...)`."),
	}
}

func newResourceMetadataFields(ctx context.Context, res *oauth.ResourceMetadataResult, diags *diag.Diagnostics) resourceMetadataFields {
	m := res.Metadata
	f := resourceMetadataFields{
		Resource:                              types.StringValue(validUTF8(m.Resource)),
		AuthorizationServers:                  metadataList(m.AuthorizationServers),
		JWKSURI:                               metadataString(m.JWKSURI),
		ScopesSupported:                       metadataList(m.ScopesSupported),
		BearerMethodsSupported:                metadataList(m.BearerMethodsSupported),
		ResourceSigningAlgValuesSupported:     metadataList(m.ResourceSigningAlgValuesSupported),
		ResourceName:                          metadataString(m.ResourceName),
		ResourceDocumentation:                 metadataString(m.ResourceDocumentation),
		ResourcePolicyURI:                     metadataString(m.ResourcePolicyURI),
		ResourceTOSURI:                        metadataString(m.ResourceTOSURI),
		TLSClientCertificateBoundAccessTokens: types.BoolValue(m.TLSClientCertificateBoundAccessTokens),
		AuthorizationDetailsTypesSupported:    metadataList(m.AuthorizationDetailsTypesSupported),
		DPoPSigningAlgValuesSupported:         metadataList(m.DPoPSigningAlgValuesSupported),
		DPoPBoundAccessTokensRequired:         types.BoolValue(m.DPoPBoundAccessTokensRequired),
		SignedMetadata:                        metadataString(m.SignedMetadata),
		ChallengeScope:                        types.StringNull(),
		ChallengeError:                        types.StringNull(),
		ChallengeErrorDescription:             types.StringNull(),
		Attempts:                              attemptsValue(ctx, res.Attempts, diags),
		MetadataJSON:                          metadataJSON(m.Raw),
	}
	if c := res.Challenge; c != nil {
		f.ChallengeScope = metadataString(c.Scope)
		f.ChallengeError = metadataString(c.Error)
		f.ChallengeErrorDescription = metadataString(c.ErrorDescription)
	}
	return f
}

// serverMetadataFields are the outputs of authorization server discovery.
type serverMetadataFields struct {
	MetadataIssuer                             types.String `tfsdk:"metadata_issuer"`
	AuthorizationEndpoint                      types.String `tfsdk:"authorization_endpoint"`
	TokenEndpoint                              types.String `tfsdk:"token_endpoint"`
	RegistrationEndpoint                       types.String `tfsdk:"registration_endpoint"`
	JWKSURI                                    types.String `tfsdk:"jwks_uri"`
	IntrospectionEndpoint                      types.String `tfsdk:"introspection_endpoint"`
	RevocationEndpoint                         types.String `tfsdk:"revocation_endpoint"`
	UserinfoEndpoint                           types.String `tfsdk:"userinfo_endpoint"`
	EndSessionEndpoint                         types.String `tfsdk:"end_session_endpoint"`
	DeviceAuthorizationEndpoint                types.String `tfsdk:"device_authorization_endpoint"`
	PushedAuthorizationRequestEndpoint         types.String `tfsdk:"pushed_authorization_request_endpoint"`
	ServiceDocumentation                       types.String `tfsdk:"service_documentation"`
	OPPolicyURI                                types.String `tfsdk:"op_policy_uri"`
	OPTOSURI                                   types.String `tfsdk:"op_tos_uri"`
	ScopesSupported                            types.List   `tfsdk:"scopes_supported"`
	ResponseTypesSupported                     types.List   `tfsdk:"response_types_supported"`
	ResponseModesSupported                     types.List   `tfsdk:"response_modes_supported"`
	GrantTypesSupported                        types.List   `tfsdk:"grant_types_supported"`
	TokenEndpointAuthMethodsSupported          types.List   `tfsdk:"token_endpoint_auth_methods_supported"`
	TokenEndpointAuthSigningAlgValuesSupported types.List   `tfsdk:"token_endpoint_auth_signing_alg_values_supported"`
	RevocationEndpointAuthMethodsSupported     types.List   `tfsdk:"revocation_endpoint_auth_methods_supported"`
	IntrospectionEndpointAuthMethodsSupported  types.List   `tfsdk:"introspection_endpoint_auth_methods_supported"`
	CodeChallengeMethodsSupported              types.List   `tfsdk:"code_challenge_methods_supported"`
	UILocalesSupported                         types.List   `tfsdk:"ui_locales_supported"`
	DPoPSigningAlgValuesSupported              types.List   `tfsdk:"dpop_signing_alg_values_supported"`
	ProtectedResources                         types.List   `tfsdk:"protected_resources"`
	SubjectTypesSupported                      types.List   `tfsdk:"subject_types_supported"`
	IDTokenSigningAlgValuesSupported           types.List   `tfsdk:"id_token_signing_alg_values_supported"`
	ClaimsSupported                            types.List   `tfsdk:"claims_supported"`
	ClientIDMetadataDocumentSupported          types.Bool   `tfsdk:"client_id_metadata_document_supported"`
	RequirePushedAuthorizationRequests         types.Bool   `tfsdk:"require_pushed_authorization_requests"`
	AuthorizationResponseISSParameterSupported types.Bool   `tfsdk:"authorization_response_iss_parameter_supported"`
	PKCES256Supported                          types.Bool   `tfsdk:"pkce_s256_supported"`
	MetadataURL                                types.String `tfsdk:"metadata_url"`
	MetadataSource                             types.String `tfsdk:"metadata_source"`
	Attempts                                   types.List   `tfsdk:"attempts"`
	MetadataJSON                               types.String `tfsdk:"metadata_json"`
}

func serverMetadataAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"metadata_issuer": computedString("The `issuer` the document names. It equals the configured issuer, except for a " +
			"trailing slash when `issuer_match = \"allow_trailing_slash\"`; it is the `iss` value tokens carry."),
		"authorization_endpoint": computedString("The authorization endpoint, or null (servers without browser flows omit it)."),
		"token_endpoint":         computedString("The token endpoint, or null."),
		"registration_endpoint": computedString("The dynamic client registration endpoint (RFC 7591), or null when the server " +
			"does not advertise one. Pass it to `mcp_dynamic_client`."),
		"jwks_uri":                              computedString("URL of the server's JSON Web Key Set, or null."),
		"introspection_endpoint":                computedString("The token introspection endpoint (RFC 7662), or null."),
		"revocation_endpoint":                   computedString("The token revocation endpoint (RFC 7009), or null."),
		"userinfo_endpoint":                     computedString("The OpenID Connect UserInfo endpoint, or null."),
		"end_session_endpoint":                  computedString("The OpenID Connect RP-initiated logout endpoint, or null."),
		"device_authorization_endpoint":         computedString("The device authorization endpoint (RFC 8628), or null."),
		"pushed_authorization_request_endpoint": computedString("The pushed authorization request endpoint (RFC 9126), or null."),
		"service_documentation":                 computedString("URL of the server's developer documentation, or null."),
		"op_policy_uri":                         computedString("URL of the server's data usage policy, or null."),
		"op_tos_uri":                            computedString("URL of the server's terms of service, or null."),
		"scopes_supported":                      computedList("Scopes the server supports, or null when it does not say."),
		"response_types_supported":              computedList("`response_type` values the server supports, or null."),
		"response_modes_supported":              computedList("`response_mode` values the server supports, or null."),
		"grant_types_supported": computedList("Grant types the server supports, or null (RFC 8414 then means " +
			"`authorization_code` and `implicit`)."),
		"token_endpoint_auth_methods_supported": computedList("Client authentication methods the token endpoint accepts " +
			"(for example `client_secret_basic`, `none`), or null (RFC 8414 then means `client_secret_basic`)."),
		"token_endpoint_auth_signing_alg_values_supported": computedList("JWS algorithms for `private_key_jwt` and " +
			"`client_secret_jwt` at the token endpoint, or null."),
		"revocation_endpoint_auth_methods_supported":    computedList("Client authentication methods the revocation endpoint accepts, or null."),
		"introspection_endpoint_auth_methods_supported": computedList("Client authentication methods the introspection endpoint accepts, or null."),
		"code_challenge_methods_supported": computedList("PKCE code challenge methods the server advertises, or null. MCP " +
			"clients require `S256`; see `pkce_s256_supported`."),
		"ui_locales_supported":                  computedList("Languages the server's pages support, or null."),
		"dpop_signing_alg_values_supported":     computedList("JWS algorithms the server accepts for DPoP proofs (RFC 9449), or null."),
		"protected_resources":                   computedList("Resources the server issues tokens for (RFC 9728 section 4), or null."),
		"subject_types_supported":               computedList("OpenID Connect subject identifier types, or null."),
		"id_token_signing_alg_values_supported": computedList("OpenID Connect ID token signing algorithms, or null."),
		"claims_supported":                      computedList("OpenID Connect claims the server can supply, or null."),
		"client_id_metadata_document_supported": computedBool("Whether the server accepts an HTTPS URL as `client_id` " +
			"(client ID metadata documents). When true, MCP clients prefer it to dynamic registration."),
		"require_pushed_authorization_requests":          computedBool("Whether the server requires pushed authorization requests (RFC 9126)."),
		"authorization_response_iss_parameter_supported": computedBool("Whether authorization responses carry `iss` (RFC 9207)."),
		"pkce_s256_supported": computedBool("Whether `code_challenge_methods_supported` lists `S256`. MCP clients must refuse " +
			"a server that does not advertise it; some servers (Entra ID, Cognito) support S256 without saying so."),
		"metadata_url": computedString("The URL the document was fetched from; null in `mcp_oauth_discovery` when no " +
			"document was served and the MCP 2025-03-26 default endpoints were used."),
		"metadata_source": computedString("Which kind of document answered: `oauth` (RFC 8414 " +
			"`oauth-authorization-server`) or `oidc` (OpenID Connect `openid-configuration`); in `mcp_oauth_discovery`, " +
			"`default` when none did and the MCP 2025-03-26 default endpoints (`/authorize`, `/token`, `/register` on " +
			"the MCP server's origin) were used."),
		"attempts": attemptsAttribute(),
		"metadata_json": computedString("The document exactly as served, including fields this provider does not model " +
			"(for example `mtls_endpoint_aliases`). Read them with `jsondecode(...)`."),
	}
}

func newServerMetadataFields(ctx context.Context, res *oauth.ServerMetadataResult, diags *diag.Diagnostics) serverMetadataFields {
	m := res.Metadata
	return serverMetadataFields{
		MetadataIssuer:                             types.StringValue(validUTF8(m.Issuer)),
		AuthorizationEndpoint:                      metadataString(m.AuthorizationEndpoint),
		TokenEndpoint:                              metadataString(m.TokenEndpoint),
		RegistrationEndpoint:                       metadataString(m.RegistrationEndpoint),
		JWKSURI:                                    metadataString(m.JWKSURI),
		IntrospectionEndpoint:                      metadataString(m.IntrospectionEndpoint),
		RevocationEndpoint:                         metadataString(m.RevocationEndpoint),
		UserinfoEndpoint:                           metadataString(m.UserinfoEndpoint),
		EndSessionEndpoint:                         metadataString(m.EndSessionEndpoint),
		DeviceAuthorizationEndpoint:                metadataString(m.DeviceAuthorizationEndpoint),
		PushedAuthorizationRequestEndpoint:         metadataString(m.PushedAuthorizationRequestEndpoint),
		ServiceDocumentation:                       metadataString(m.ServiceDocumentation),
		OPPolicyURI:                                metadataString(m.OPPolicyURI),
		OPTOSURI:                                   metadataString(m.OPTOSURI),
		ScopesSupported:                            metadataList(m.ScopesSupported),
		ResponseTypesSupported:                     metadataList(m.ResponseTypesSupported),
		ResponseModesSupported:                     metadataList(m.ResponseModesSupported),
		GrantTypesSupported:                        metadataList(m.GrantTypesSupported),
		TokenEndpointAuthMethodsSupported:          metadataList(m.TokenEndpointAuthMethodsSupported),
		TokenEndpointAuthSigningAlgValuesSupported: metadataList(m.TokenEndpointAuthSigningAlgValuesSupported),
		RevocationEndpointAuthMethodsSupported:     metadataList(m.RevocationEndpointAuthMethodsSupported),
		IntrospectionEndpointAuthMethodsSupported:  metadataList(m.IntrospectionEndpointAuthMethodsSupported),
		CodeChallengeMethodsSupported:              metadataList(m.CodeChallengeMethodsSupported),
		UILocalesSupported:                         metadataList(m.UILocalesSupported),
		DPoPSigningAlgValuesSupported:              metadataList(m.DPoPSigningAlgValuesSupported),
		ProtectedResources:                         metadataList(m.ProtectedResources),
		SubjectTypesSupported:                      metadataList(m.SubjectTypesSupported),
		IDTokenSigningAlgValuesSupported:           metadataList(m.IDTokenSigningAlgValuesSupported),
		ClaimsSupported:                            metadataList(m.ClaimsSupported),
		ClientIDMetadataDocumentSupported:          types.BoolValue(m.ClientIDMetadataDocumentSupported),
		RequirePushedAuthorizationRequests:         types.BoolValue(m.RequirePushedAuthorizationRequests),
		AuthorizationResponseISSParameterSupported: types.BoolValue(m.AuthorizationResponseISSParameterSupported),
		PKCES256Supported:                          types.BoolValue(m.SupportsPKCES256()),
		MetadataURL:                                discoveredURL(res.MetadataURL),
		MetadataSource:                             types.StringValue(res.Source),
		Attempts:                                   attemptsValue(ctx, res.Attempts, diags),
		MetadataJSON:                               metadataJSON(m.Raw),
	}
}

// discoveryDataSource is embedded by the discovery data sources: it keeps
// the provider data and opens each Read the same way.
type discoveryDataSource struct {
	data *providerData
}

// Configure stores the provider data a data source receives.
func (d *discoveryDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

// urlAttribute is one configured URL and the attribute it came from.
type urlAttribute struct {
	path  path.Path
	value string
}

// beginRead checks every configured URL against the transport rule and
// returns the client with a context that masks the provider's secrets, or
// nil after adding diagnostics.
func (d *discoveryDataSource) beginRead(ctx context.Context, diags *diag.Diagnostics, urls ...urlAttribute) (context.Context, *oauth.Client) {
	if d.data == nil || d.data.Client == nil {
		diags.AddError("Provider not configured",
			"The mcp provider was not configured before this data source was read. This is a bug in the provider; please report it.")
		return ctx, nil
	}
	if len(d.data.UnknownSettings) > 0 {
		diags.AddError("Provider configuration not known yet",
			fmt.Sprintf("The provider's %s depend(s) on values known only after apply, and this data source is read "+
				"during plan: reading it with defaults in their place could use the wrong TLS or transport settings. "+
				"Set those provider arguments from values known at plan time (variables, locals, files), or apply the "+
				"resources they come from first (terraform apply -target=...).", strings.Join(d.data.UnknownSettings, ", ")))
		return ctx, nil
	}
	for _, u := range urls {
		checkTransport(u.path, u.value, d.data, diags)
	}
	if diags.HasError() {
		return ctx, nil
	}
	return withSecretMasking(ctx, d.data.secrets()...), d.data.Client
}
