package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/mcp-oauth/terraform-provider-mcp/internal/oauth"
)

var (
	_ ephemeral.EphemeralResourceWithConfigure      = (*accessTokenEphemeral)(nil)
	_ ephemeral.EphemeralResourceWithValidateConfig = (*accessTokenEphemeral)(nil)
)

// NewAccessTokenEphemeral is the mcp_access_token ephemeral resource.
func NewAccessTokenEphemeral() ephemeral.EphemeralResource { return &accessTokenEphemeral{} }

type accessTokenEphemeral struct {
	data *providerData
}

type accessTokenModel struct {
	Issuer           types.String `tfsdk:"issuer"`
	TokenEndpoint    types.String `tfsdk:"token_endpoint"`
	ClientID         types.String `tfsdk:"client_id"`
	ClientSecret     types.String `tfsdk:"client_secret"`
	AuthMethod       types.String `tfsdk:"token_endpoint_auth_method"`
	PrivateKeyPEM    types.String `tfsdk:"private_key_pem"`
	PrivateKeyID     types.String `tfsdk:"private_key_id"`
	SigningAlgorithm types.String `tfsdk:"signing_algorithm"`
	Scope            types.String `tfsdk:"scope"`
	Resource         types.String `tfsdk:"resource"`
	AccessToken      types.String `tfsdk:"access_token"`
	TokenType        types.String `tfsdk:"token_type"`
	GrantedScope     types.String `tfsdk:"granted_scope"`
	ExpiresIn        types.Int64  `tfsdk:"expires_in"`
	ExpiresAt        types.String `tfsdk:"expires_at"`
}

func (e *accessTokenEphemeral) Metadata(_ context.Context, req ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_access_token"
}

func (e *accessTokenEphemeral) Schema(_ context.Context, _ ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Gets an access token with the client credentials grant (RFC 6749 section 4.4) for a registered " +
			"client, for example an `mcp_dynamic_client`, during the run. The token is never stored in plan or state, so it " +
			"can configure other providers or feed `mcp_mcp_server_probe`. Before any credential is sent, the provider " +
			"fetches the issuer's metadata and checks that the token endpoint is that issuer's (credentials are bound to the " +
			"issuer the client was registered with, MCP 2026-07-28); when the token is a JWT, its `iss` must be the issuer " +
			"too. Needs Terraform 1.10 or OpenTofu 1.11.",
		Attributes: map[string]schema.Attribute{
			"issuer": schema.StringAttribute{
				MarkdownDescription: "The authorization server the client was registered with, for example " +
					"`data.mcp_oauth_discovery.x.authorization_server`. Its metadata is fetched to find and check the token endpoint.",
				Required: true,
			},
			"token_endpoint": schema.StringAttribute{
				MarkdownDescription: "The token endpoint. Defaults to the issuer's `token_endpoint`; when set it must be " +
					"exactly that, otherwise the run fails before any credential is sent.",
				Optional: true,
				Computed: true,
			},
			"client_id": schema.StringAttribute{
				MarkdownDescription: "The client's `client_id`.",
				Required:            true,
			},
			"client_secret": schema.StringAttribute{
				MarkdownDescription: "The client's secret, for `client_secret_basic` and `client_secret_post`.",
				Optional:            true,
				Sensitive:           true,
			},
			"token_endpoint_auth_method": schema.StringAttribute{
				MarkdownDescription: "How the client authenticates: `client_secret_basic` (default), `client_secret_post` or " +
					"`private_key_jwt` (RFC 7523 client assertion signed with `private_key_pem`). Use what the client was " +
					"registered with.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.OneOf(oauth.TokenAuthMethods...)},
			},
			"private_key_pem": schema.StringAttribute{
				MarkdownDescription: "PEM private key (PKCS #8, PKCS #1 RSA or SEC 1 EC with P-256 / P-384) that signs the " +
					"client assertion for `private_key_jwt`. Like every argument of an ephemeral resource it is never stored; " +
					"pass it from an ephemeral source (a variable with `ephemeral = true`, another ephemeral resource).",
				Optional:  true,
				Sensitive: true,
			},
			"private_key_id": schema.StringAttribute{
				MarkdownDescription: "`kid` header of the client assertion: the id of the key in the client's JWKS.",
				Optional:            true,
			},
			"signing_algorithm": schema.StringAttribute{
				MarkdownDescription: "JWS algorithm of the client assertion: " + strings.Join(oauth.AssertionAlgorithms, ", ") +
					". Defaults to RS256 for RSA keys and ES256 / ES384 for EC keys.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.OneOf(oauth.AssertionAlgorithms...)},
			},
			"scope": schema.StringAttribute{
				MarkdownDescription: "Space-separated scopes to request, for example `data.mcp_oauth_discovery.x.scope`. " +
					"Empty asks for the client's default scopes.",
				Optional: true,
			},
			"resource": schema.StringAttribute{
				MarkdownDescription: "RFC 8707 resource indicator: the MCP server URL the token is for. MCP clients must " +
					"send it; the server then issues a token whose audience is that server.",
				Optional: true,
			},
			"access_token": schema.StringAttribute{
				MarkdownDescription: "The access token.",
				Computed:            true,
				Sensitive:           true,
			},
			"token_type": schema.StringAttribute{
				MarkdownDescription: "The token type the server named, usually `Bearer`.",
				Computed:            true,
			},
			"granted_scope": schema.StringAttribute{
				MarkdownDescription: "The scope the server granted; the requested scope when the server did not say.",
				Computed:            true,
			},
			"expires_in": schema.Int64Attribute{
				MarkdownDescription: "Lifetime in seconds the server gave; 0 when it did not say.",
				Computed:            true,
			},
			"expires_at": schema.StringAttribute{
				MarkdownDescription: "When the token expires (RFC 3339); empty when the lifetime is unknown.",
				Computed:            true,
			},
		},
	}
}

func (e *accessTokenEphemeral) Configure(_ context.Context, req ephemeral.ConfigureRequest, resp *ephemeral.ConfigureResponse) {
	e.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (e *accessTokenEphemeral) ValidateConfig(ctx context.Context, req ephemeral.ValidateConfigRequest, resp *ephemeral.ValidateConfigResponse) {
	var m accessTokenModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || m.AuthMethod.IsUnknown() {
		return
	}
	method := m.AuthMethod.ValueString()
	if method == "" {
		method = oauth.AuthClientSecretBasic
	}
	if method == oauth.AuthPrivateKeyJWT {
		if m.PrivateKeyPEM.IsNull() {
			resp.Diagnostics.AddAttributeError(path.Root("private_key_pem"), "Private key missing",
				"token_endpoint_auth_method = \"private_key_jwt\" signs a client assertion: set private_key_pem.")
		}
		if !m.ClientSecret.IsNull() {
			resp.Diagnostics.AddAttributeError(path.Root("client_secret"), "Client secret not used",
				"private_key_jwt sends no secret: remove client_secret, or choose client_secret_basic / client_secret_post.")
		}
		return
	}
	if m.ClientSecret.IsNull() {
		resp.Diagnostics.AddAttributeError(path.Root("client_secret"), "Client secret missing",
			fmt.Sprintf("token_endpoint_auth_method %q sends the client secret: set client_secret (for example "+
				"mcp_dynamic_client.x.client_secret).", method))
	}
	for _, name := range []string{"private_key_pem", "private_key_id", "signing_algorithm"} {
		var v types.String
		resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root(name), &v)...)
		if !v.IsNull() {
			resp.Diagnostics.AddAttributeError(path.Root(name), "Only for private_key_jwt",
				name+" is used only with token_endpoint_auth_method = \"private_key_jwt\".")
		}
	}
}

func (e *accessTokenEphemeral) Open(ctx context.Context, req ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	var m accessTokenModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	client := clientFor(e.data, "mcp_access_token", &resp.Diagnostics)
	if resp.Diagnostics.HasError() || client == nil {
		return
	}
	ctx = withSecretMasking(ctx, append(e.data.secrets(), m.ClientSecret.ValueString(), m.PrivateKeyPEM.ValueString())...)
	issuer := m.Issuer.ValueString()
	for _, u := range []urlAttribute{{path.Root("issuer"), issuer}, {path.Root("token_endpoint"), m.TokenEndpoint.ValueString()}, {path.Root("resource"), m.Resource.ValueString()}} {
		checkTransport(u.path, u.value, e.data, &resp.Diagnostics)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	md, err := client.DiscoverServerMetadata(ctx, oauth.ServerMetadataRequest{Issuer: issuer})
	if err != nil {
		addDiscoveryError(&resp.Diagnostics, err, "authorization server", path.Root("issuer"), path.Root("issuer"))
		return
	}
	endpoint := md.Metadata.TokenEndpoint
	if !m.TokenEndpoint.IsNull() && !m.TokenEndpoint.IsUnknown() {
		endpoint = m.TokenEndpoint.ValueString()
	}
	if err := oauth.CheckTokenEndpoint(md.Metadata, endpoint); err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("token_endpoint"), "Token endpoint of another issuer",
			fmt.Sprintf("%v. The client was registered with %s and its credentials must go to that issuer's token endpoint "+
				"only (MCP 2026-07-28 issuer binding); nothing was sent. Leave token_endpoint unset to use the issuer's, or "+
				"set issuer to the server the client was really registered with. Metadata read from %s.", err, issuer, md.MetadataURL))
		return
	}
	treq := oauth.TokenRequest{
		TokenEndpoint: endpoint, ClientID: m.ClientID.ValueString(), ClientSecret: m.ClientSecret.ValueString(),
		AuthMethod: m.AuthMethod.ValueString(), Scope: m.Scope.ValueString(),
	}
	if r := m.Resource.ValueString(); r != "" {
		treq.Resources = []string{r}
	}
	if treq.AuthMethod == oauth.AuthPrivateKeyJWT {
		signer, err := oauth.NewAssertionSigner(m.PrivateKeyPEM.ValueString(), m.SigningAlgorithm.ValueString(), m.PrivateKeyID.ValueString())
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("private_key_pem"), "Unusable private key", err.Error())
			return
		}
		treq.Signer = signer
	}
	tok, err := client.ClientCredentialsToken(ctx, treq)
	if err != nil {
		summary, detail := tokenErrorText(err)
		resp.Diagnostics.AddError(summary, detail)
		return
	}
	if err := oauth.CheckTokenIssuer(tok.AccessToken, issuer); err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("issuer"), "Access token from another issuer",
			fmt.Sprintf("%v. The token endpoint %s handed out a token that names another issuer; it is not used. Check "+
				"that issuer and the server's configured issuer (its hostname setting) agree.", err, endpoint))
		return
	}
	m.TokenEndpoint = types.StringValue(endpoint)
	m.AccessToken = types.StringValue(tok.AccessToken)
	m.TokenType = types.StringValue(tok.TokenType)
	m.GrantedScope = types.StringValue(tok.Scope)
	if tok.Scope == "" {
		m.GrantedScope = types.StringValue(treq.Scope)
	}
	m.ExpiresIn = types.Int64Value(tok.ExpiresIn)
	m.ExpiresAt = types.StringValue("")
	if at := tok.ExpiresAt(); !at.IsZero() {
		m.ExpiresAt = types.StringValue(at.Format(time.RFC3339))
	}
	resp.Diagnostics.Append(resp.Result.Set(ctx, &m)...)
}

// clientFor returns the provider's HTTP client or adds a diagnostic.
func clientFor(data *providerData, what string, diags *diag.Diagnostics) *oauth.Client {
	switch {
	case data == nil || data.Client == nil:
		diags.AddError("Provider not configured", "The mcp provider was not configured before "+what+" was opened. This is a bug in the provider; please report it.")
	case len(data.UnknownSettings) > 0:
		diags.AddError("Provider configuration not known yet",
			fmt.Sprintf("The provider's %s depend(s) on values known only after apply; %s would run with defaults in "+
				"their place. Set them from values known at plan time.", strings.Join(data.UnknownSettings, ", "), what))
	default:
		return data.Client
	}
	return nil
}

// tokenErrorText says what a refused token request means and what to do.
func tokenErrorText(err error) (string, string) {
	var te *oauth.TokenError
	if !errors.As(err, &te) {
		return "Token request failed", err.Error()
	}
	if te.Status == 0 {
		return "Token request failed", fmt.Sprintf("%v. Nothing was answered: check that the token endpoint is reachable.", te)
	}
	switch te.Code {
	case "invalid_client", "unauthorized_client":
		hint := "The server refused the client's credentials or does not let it use the client credentials grant: check " +
			"client_id, the secret or key, and token_endpoint_auth_method (use the method the client was registered with), " +
			"and that the client's grant_types include client_credentials."
		return "The token endpoint refused the client", fmt.Sprintf("%v.\n\n%s", te, hint)
	case "invalid_scope":
		return "The token endpoint refused the scope", fmt.Sprintf("%v.\n\nRequest only scopes the client was registered with (its `scope`).", te)
	case "invalid_target":
		return "The token endpoint refused the resource", fmt.Sprintf("%v.\n\nThe authorization server does not accept this "+
			"RFC 8707 resource for the client: check resource (the MCP server URL), or leave it unset for servers without "+
			"resource indicators.", te)
	}
	return "The token endpoint refused the request", te.Error()
}
