package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/mcp-oauth/terraform-provider-mcp/internal/oauth"
)

var _ datasource.DataSourceWithValidateConfig = (*clientMetadataDocumentDataSource)(nil)

// NewClientMetadataDocumentDataSource is the mcp_client_metadata_document data source.
func NewClientMetadataDocumentDataSource() datasource.DataSource {
	return &clientMetadataDocumentDataSource{}
}

type clientMetadataDocumentDataSource struct{}

type clientMetadataDocumentModel struct {
	ClientID                    types.String `tfsdk:"client_id"`
	ClientName                  types.String `tfsdk:"client_name"`
	RedirectURIs                types.List   `tfsdk:"redirect_uris"`
	TokenEndpointAuthMethod     types.String `tfsdk:"token_endpoint_auth_method"`
	GrantTypes                  types.List   `tfsdk:"grant_types"`
	ResponseTypes               types.List   `tfsdk:"response_types"`
	Scope                       types.String `tfsdk:"scope"`
	ClientURI                   types.String `tfsdk:"client_uri"`
	LogoURI                     types.String `tfsdk:"logo_uri"`
	TOSURI                      types.String `tfsdk:"tos_uri"`
	PolicyURI                   types.String `tfsdk:"policy_uri"`
	Contacts                    types.List   `tfsdk:"contacts"`
	JWKSURI                     types.String `tfsdk:"jwks_uri"`
	JWKS                        types.String `tfsdk:"jwks"`
	SoftwareID                  types.String `tfsdk:"software_id"`
	SoftwareVersion             types.String `tfsdk:"software_version"`
	SoftwareStatement           types.String `tfsdk:"software_statement"`
	ApplicationType             types.String `tfsdk:"application_type"`
	PostLogoutRedirectURIs      types.List   `tfsdk:"post_logout_redirect_uris"`
	TokenEndpointAuthSigningAlg types.String `tfsdk:"token_endpoint_auth_signing_alg"`
	ExtraMetadata               types.String `tfsdk:"extra_metadata"`
	MaxBytes                    types.Int64  `tfsdk:"max_bytes"`

	JSON     types.String `tfsdk:"json"`
	SHA256   types.String `tfsdk:"sha256"`
	Size     types.Int64  `tfsdk:"size"`
	Warnings types.List   `tfsdk:"warnings"`
}

func (d *clientMetadataDocumentDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_client_metadata_document"
}

func cimdString(desc string, validators ...validator.String) schema.StringAttribute {
	return schema.StringAttribute{MarkdownDescription: desc, Optional: true, Validators: validators}
}

func cimdList(desc string) schema.ListAttribute {
	return schema.ListAttribute{MarkdownDescription: desc, ElementType: types.StringType, Optional: true,
		Validators: []validator.List{listvalidator.ValueStringsAre(stringvalidator.LengthAtLeast(1))}}
}

func (d *clientMetadataDocumentDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Renders an OAuth Client ID Metadata Document (CIMD, draft-ietf-oauth-client-id-metadata-document): " +
			"the JSON an MCP client publishes at an https URL that is then its `client_id`, so that authorization servers " +
			"advertising `client_id_metadata_document_supported` can fetch it instead of a registration. Nothing is sent " +
			"anywhere: the data source checks every rule of the draft and of the MCP authorization specification " +
			"(2025-11-25) at plan time, with an error naming the rule and its section, and outputs canonical JSON " +
			"(`json`) ready for any hosting resource, its `size` and `sha256`.\n\n" +
			"The metadata arguments are those of `mcp_dynamic_client`, minus what a document cannot carry (secrets, " +
			"registration tokens). Verify the hosted copy with `mcp_hosted_client_metadata_document`.",
		Attributes: map[string]schema.Attribute{
			"client_id": schema.StringAttribute{
				MarkdownDescription: "The Client Identifier URL: where the document will be served, and its `client_id`. " +
					"It must use `https`, have a path, and have no userinfo, dot segments or fragment; a query or a bare `/` " +
					"path is a warning (draft section 3). Authorization servers compare it with the document's `client_id` " +
					"character by character.",
				Required: true,
			},
			"client_name": schema.StringAttribute{
				MarkdownDescription: "Human-readable name shown on consent screens. Required by the MCP specification.",
				Required:            true,
			},
			"redirect_uris": schema.ListAttribute{
				MarkdownDescription: "Redirection URIs for the authorization code flow. At least one is required by the MCP " +
					"specification. Some servers restrict their hosts (Keycloak's client policy lists permitted domains).",
				ElementType: types.StringType,
				Required:    true,
				Validators:  []validator.List{listvalidator.SizeAtLeast(1), listvalidator.ValueStringsAre(redirectURIValidator{})},
			},
			"token_endpoint_auth_method": schema.StringAttribute{
				MarkdownDescription: "`none` (the default: a public client that uses PKCE) or `private_key_jwt` (with `jwks` " +
					"or `jwks_uri`). Methods built on a shared secret (`client_secret_basic`, `client_secret_post`, " +
					"`client_secret_jwt`) are refused: a server that fetches a document cannot share a secret with the client " +
					"(draft section 4.1).",
				Optional: true,
				Computed: true,
			},
			"grant_types":    cimdList("OAuth grant types, for example `authorization_code`, `refresh_token`; `client_credentials` needs `private_key_jwt`."),
			"response_types": cimdList("Response types, for example `code`."),
			"scope":          cimdString("Space-separated scopes the client may request."),
			"client_uri":     cimdString("The client's home page (https)."),
			"logo_uri":       cimdString("The client's logo (https)."),
			"tos_uri":        cimdString("The client's terms of service (https)."),
			"policy_uri":     cimdString("The client's privacy policy (https)."),
			"contacts":       cimdList("Contact addresses of the people responsible for the client."),
			"jwks_uri":       cimdString("https URL of the client's public JSON Web Key Set, for `private_key_jwt`. Conflicts with `jwks`."),
			"jwks": cimdString("The client's public JSON Web Key Set as a JSON object (`jsonencode({ keys = [...] })`), for "+
				"`private_key_jwt`. Private or symmetric key members (`d`, `p`, `q`, `k`, ...) are refused (draft section 4.1).",
				jsonObjectValidator{requireKey: "keys"}),
			"software_id":      cimdString("Identifier of the client software, the same for every instance."),
			"software_version": cimdString("Version of the client software."),
			"software_statement": cimdString("A software statement (RFC 7591 section 2.3), a signed JWT; the draft allows it " +
				"as a member of the document (section 4.3). It is public once hosted."),
			"application_type":                cimdString("OpenID Connect `application_type`: `web` or `native`.", stringvalidator.OneOf("web", "native")),
			"post_logout_redirect_uris":       cimdList("OpenID Connect RP-initiated logout redirect URIs."),
			"token_endpoint_auth_signing_alg": cimdString("JWS algorithm of `private_key_jwt` client assertions, for example `ES256`."),
			"extra_metadata": cimdString("Other members as a JSON object (`jsonencode({...})`), for registered or vendor "+
				"metadata without an argument here. Members that have an argument, and `client_id`, are refused here.",
				jsonObjectValidator{}),
			"max_bytes": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("The largest document accepted, in bytes; default %d. The draft recommends "+
					"servers read at most 5 kilobytes (section 8.7) and Keycloak refuses more than 5000 bytes.", oauth.CIMDMaxBytes),
				Optional:   true,
				Validators: []validator.Int64{int64validator.AtLeast(1)},
			},
			"json": computedString("The document: canonical JSON (members sorted by name at every level, no whitespace), " +
				"to serve with `Content-Type: application/json` at `client_id`."),
			"sha256": computedString("Lower-case hex SHA-256 of `json`, for change triggers and to compare with the hosted copy."),
			"size": schema.Int64Attribute{
				MarkdownDescription: "Size of `json` in bytes.",
				Computed:            true,
			},
			"warnings": computedList("SHOULD-level rules the document breaks (also shown as warnings): a query in the " +
				"URL, a root path, http URLs of logos or policies. Empty when there are none."),
		},
	}
}

// cimdFieldAttributes maps document members to the attributes that set them.
var cimdFieldAttributes = map[string]string{
	"client_id": "client_id", "client_name": "client_name", "redirect_uris": "redirect_uris",
	"token_endpoint_auth_method": "token_endpoint_auth_method", "grant_types": "grant_types",
	"response_types": "response_types", "scope": "scope", "client_uri": "client_uri", "logo_uri": "logo_uri",
	"tos_uri": "tos_uri", "policy_uri": "policy_uri", "contacts": "contacts", "jwks_uri": "jwks_uri", "jwks": "jwks",
	"software_id": "software_id", "software_version": "software_version", "software_statement": "software_statement",
	"application_type": "application_type", "post_logout_redirect_uris": "post_logout_redirect_uris",
	"token_endpoint_auth_signing_alg": "token_endpoint_auth_signing_alg",
}

// known reports whether every value the document is built from is known.
func (m *clientMetadataDocumentModel) known() bool {
	for _, v := range []interface{ IsUnknown() bool }{
		m.ClientID, m.ClientName, m.RedirectURIs, m.TokenEndpointAuthMethod, m.GrantTypes, m.ResponseTypes, m.Scope,
		m.ClientURI, m.LogoURI, m.TOSURI, m.PolicyURI, m.Contacts, m.JWKSURI, m.JWKS, m.SoftwareID, m.SoftwareVersion,
		m.SoftwareStatement, m.ApplicationType, m.PostLogoutRedirectURIs, m.TokenEndpointAuthSigningAlg, m.ExtraMetadata, m.MaxBytes,
	} {
		if v.IsUnknown() {
			return false
		}
	}
	return true
}

// toMetadata builds the client metadata from the configuration.
func (m *clientMetadataDocumentModel) toMetadata(ctx context.Context, diags *diag.Diagnostics) oauth.ClientMetadata {
	list := func(l types.List) []string {
		if l.IsNull() || l.IsUnknown() {
			return nil
		}
		var out []string
		diags.Append(l.ElementsAs(ctx, &out, false)...)
		return out
	}
	md := oauth.ClientMetadata{
		ClientName:                  m.ClientName.ValueString(),
		RedirectURIs:                list(m.RedirectURIs),
		TokenEndpointAuthMethod:     m.authMethod(),
		GrantTypes:                  list(m.GrantTypes),
		ResponseTypes:               list(m.ResponseTypes),
		Scope:                       m.Scope.ValueString(),
		ClientURI:                   m.ClientURI.ValueString(),
		LogoURI:                     m.LogoURI.ValueString(),
		TOSURI:                      m.TOSURI.ValueString(),
		PolicyURI:                   m.PolicyURI.ValueString(),
		Contacts:                    list(m.Contacts),
		JWKSURI:                     m.JWKSURI.ValueString(),
		SoftwareID:                  m.SoftwareID.ValueString(),
		SoftwareVersion:             m.SoftwareVersion.ValueString(),
		SoftwareStatement:           m.SoftwareStatement.ValueString(),
		ApplicationType:             m.ApplicationType.ValueString(),
		PostLogoutRedirectURIs:      list(m.PostLogoutRedirectURIs),
		TokenEndpointAuthSigningAlg: m.TokenEndpointAuthSigningAlg.ValueString(),
	}
	if s := m.JWKS.ValueString(); s != "" {
		md.JWKS = json.RawMessage(s)
	}
	if s := m.ExtraMetadata.ValueString(); s != "" {
		var extra map[string]json.RawMessage
		if err := json.Unmarshal([]byte(s), &extra); err != nil {
			diags.AddAttributeError(path.Root("extra_metadata"), "Invalid extra_metadata", "It must be a JSON object: "+err.Error())
			return md
		}
		for name := range extra {
			if attr, ok := cimdFieldAttributes[name]; ok {
				diags.AddAttributeError(path.Root("extra_metadata"), "Member set twice",
					fmt.Sprintf("extra_metadata sets %q, which has its own argument `%s` (or, for client_id, comes from the URL). Remove it from extra_metadata.", name, attr))
			}
		}
		md.Extra = extra
	}
	return md
}

func (m *clientMetadataDocumentModel) authMethod() string {
	if m.TokenEndpointAuthMethod.IsNull() || m.TokenEndpointAuthMethod.ValueString() == "" {
		return "none"
	}
	return m.TokenEndpointAuthMethod.ValueString()
}

// render builds and checks the document, adding a diagnostic per rule broken.
func (m *clientMetadataDocumentModel) render(ctx context.Context, diags *diag.Diagnostics) *oauth.ClientMetadataDocument {
	md := m.toMetadata(ctx, diags)
	if diags.HasError() {
		return nil
	}
	doc, err := oauth.RenderClientMetadataDocument(m.ClientID.ValueString(), md, int(m.MaxBytes.ValueInt64()))
	if err != nil {
		diags.AddError("Cannot render the client metadata document", err.Error())
		return nil
	}
	addCIMDProblems(diags, doc.Problems, "")
	return doc
}

// addCIMDProblems adds one diagnostic per problem, on the attribute that
// sets the member when there is one (urlAttr overrides for client_id).
func addCIMDProblems(diags *diag.Diagnostics, problems []oauth.CIMDProblem, urlAttr string) {
	for _, p := range problems {
		summary := validUTF8(upperFirst(p.Rule))
		detail := validUTF8(fmt.Sprintf("%s.\n\nRule: %s.", upperFirst(p.Detail), p.Source))
		attr, ok := cimdFieldAttributes[p.Field]
		if urlAttr != "" {
			attr, ok = urlAttr, true
		}
		switch {
		case ok && p.Warning:
			diags.AddAttributeWarning(path.Root(attr), summary, detail)
		case ok:
			diags.AddAttributeError(path.Root(attr), summary, detail)
		case p.Warning:
			diags.AddWarning(summary, detail)
		default:
			diags.AddError(summary, detail)
		}
	}
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func (d *clientMetadataDocumentDataSource) ValidateConfig(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	var cfg clientMetadataDocumentModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() || !cfg.known() {
		return // Read checks again once every value is known
	}
	var diags diag.Diagnostics
	cfg.render(ctx, &diags)
	// Warnings are reported once, by Read.
	resp.Diagnostics.Append(diags.Errors()...)
}

func (d *clientMetadataDocumentDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg clientMetadataDocumentModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	doc := cfg.render(ctx, &resp.Diagnostics)
	if doc == nil || resp.Diagnostics.HasError() {
		return
	}
	state := cfg
	state.TokenEndpointAuthMethod = types.StringValue(cfg.authMethod())
	state.JSON = types.StringValue(string(doc.JSON))
	state.SHA256 = types.StringValue(doc.SHA256)
	state.Size = types.Int64Value(int64(len(doc.JSON)))
	var warnings []string
	for _, p := range doc.Problems {
		if p.Warning {
			warnings = append(warnings, validUTF8(p.Error()))
		}
	}
	state.Warnings = stringList(warnings)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// stringList is a known list of strings, empty rather than null.
func stringList(items []string) types.List {
	values := make([]attr.Value, 0, len(items))
	for _, s := range items {
		values = append(values, types.StringValue(s))
	}
	l, _ := types.ListValue(types.StringType, values)
	return l
}
