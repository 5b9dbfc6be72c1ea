// Package provider adapts the oauth package to Terraform: schemas, model
// mapping and diagnostics. It makes no HTTP calls of its own.
package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/mcp-oauth/terraform-provider-mcp/internal/oauth"
)

// Environment variables read when the matching provider argument is unset.
const (
	EnvRequestTimeout          = "MCP_REQUEST_TIMEOUT"
	EnvRetries                 = "MCP_RETRIES"
	EnvCACertPEM               = "MCP_CA_CERT_PEM"
	EnvInsecureSkipTLSVerify   = "MCP_INSECURE_SKIP_TLS_VERIFY"
	EnvAllowInsecureHTTP       = "MCP_ALLOW_INSECURE_HTTP"
	EnvHeaders                 = "MCP_HEADERS"
	EnvHeadersHosts            = "MCP_HEADERS_HOSTS"
	EnvInitialAccessToken      = "MCP_INITIAL_ACCESS_TOKEN"
	EnvRegistrationAccessToken = "MCP_REGISTRATION_ACCESS_TOKEN"
	EnvAccessToken             = "MCP_ACCESS_TOKEN"
)

const defaultRetries = 2

var (
	_ provider.Provider                       = (*mcpProvider)(nil)
	_ provider.ProviderWithFunctions          = (*mcpProvider)(nil)
	_ provider.ProviderWithEphemeralResources = (*mcpProvider)(nil)
)

// New returns a constructor for the provider at the given version.
func New(version string) func() provider.Provider {
	return func() provider.Provider { return &mcpProvider{version: version} }
}

type mcpProvider struct {
	version string
}

// providerModel is the provider block.
type providerModel struct {
	RequestTimeout          types.String        `tfsdk:"request_timeout"`
	Retries                 types.Int64         `tfsdk:"retries"`
	CACertPEM               types.String        `tfsdk:"ca_cert_pem"`
	InsecureSkipTLSVerify   types.Bool          `tfsdk:"insecure_skip_tls_verify"`
	AllowInsecureHTTP       types.Bool          `tfsdk:"allow_insecure_http"`
	Headers                 types.Map           `tfsdk:"headers"`
	HeadersHosts            types.List          `tfsdk:"headers_hosts"`
	InitialAccessToken      types.String        `tfsdk:"initial_access_token"`
	RegistrationAccessToken types.String        `tfsdk:"registration_access_token"`
	AccessToken             types.String        `tfsdk:"access_token"`
	Keycloak                *keycloakBlockModel `tfsdk:"keycloak"`
}

// providerData is handed to every data source and resource in Configure.
type providerData struct {
	Client *oauth.Client
	// AllowInsecureHTTP mirrors the client's policy so schemas can report
	// plain-http URLs on the right attribute at plan time.
	AllowInsecureHTTP bool
	// InitialAccessToken is the provider-level fallback for registrations.
	InitialAccessToken string
	// RegistrationAccessToken is used by import, so no secret sits in an import id.
	RegistrationAccessToken string
	// HeaderValues are the extra headers' values, masked in logs like secrets.
	HeaderValues []string
	// AccessToken is the Bearer token data.mcp_server_probe sends.
	AccessToken string
	// Version is the provider's version, for the MCP probe's clientInfo.
	Version string
	// Keycloak is the admin access of the keycloak block; nil when not configured.
	Keycloak *keycloakAccess
	// UnknownSettings names provider arguments not known until apply. The
	// client was built without them, so nothing may be fetched at plan time.
	UnknownSettings []string
}

func (p *mcpProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "mcp"
	resp.Version = p.version
}

func (p *mcpProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The MCP provider makes MCP OAuth setup declarative: it discovers an MCP server's " +
			"protected resource metadata (RFC 9728) and its authorization server's metadata (RFC 8414 / OpenID Connect " +
			"Discovery), and registers and manages OAuth clients through dynamic client registration (RFC 7591 / RFC 7592). " +
			"It follows MCP authorization revision `" + oauth.MCPProtocolVersion + "`, the newest it implements, and sends " +
			"that revision as `MCP-Protocol-Version` to MCP servers. The discovery order, the authoritative challenge " +
			"`scope` and the PKCE S256 check date from revision 2025-11-25; the exact `issuer` match and `application_type` " +
			"from 2026-07-28.",
		Attributes: map[string]schema.Attribute{
			"request_timeout": schema.StringAttribute{
				MarkdownDescription: "Timeout for each HTTP request, as a Go duration such as `30s` or `1m`. Defaults to `30s`. " +
					"Environment variable: `" + EnvRequestTimeout + "`.",
				Optional:   true,
				Validators: []validator.String{durationValidator{}},
			},
			"retries": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("How many times an idempotent (GET) request is retried after a network error "+
					"or a 429, 503 or 504 answer. Registrations and updates are never retried, since a retried registration "+
					"creates a second client. Defaults to `%d`. Environment variable: `%s`.", defaultRetries, EnvRetries),
				Optional: true,
			},
			"ca_cert_pem": schema.StringAttribute{
				MarkdownDescription: "PEM-encoded CA certificates to trust instead of the system roots, for servers with a " +
					"private CA. Conflicts with `insecure_skip_tls_verify`. Environment variable: `" + EnvCACertPEM + "`.",
				Optional: true,
				Validators: []validator.String{
					stringvalidator.ConflictsWith(path.MatchRoot("insecure_skip_tls_verify")),
				},
			},
			"insecure_skip_tls_verify": schema.BoolAttribute{
				MarkdownDescription: "Skip TLS certificate verification. Only for testing: it lets anyone on the network " +
					"read the credentials the provider sends and receives. Conflicts with `ca_cert_pem`. " +
					"Environment variable: `" + EnvInsecureSkipTLSVerify + "`.",
				Optional: true,
			},
			"allow_insecure_http": schema.BoolAttribute{
				MarkdownDescription: "Allow plain `http://` URLs for hosts that are not loopback addresses, for example " +
					"`http://keycloak:8080` on a private container network. Plain http to `localhost`, `127.0.0.0/8` and " +
					"`::1` is always allowed. It also lets `mcp_dynamic_client` register plain `http://` redirect URIs to such " +
					"hosts (authorization codes would cross the network in clear). Defaults to `false`. Environment " +
					"variable: `" + EnvAllowInsecureHTTP + "`.",
				Optional: true,
			},
			"headers": schema.MapAttribute{
				MarkdownDescription: "Extra HTTP headers sent with every request, for example to pass a gateway. They never " +
					"replace the `Authorization` header the provider sets. Their values are treated as secrets: hidden in " +
					"plans and redacted in logs. Environment variable: `" + EnvHeaders + "`, a JSON object of strings.",
				Optional:    true,
				Sensitive:   true,
				ElementType: types.StringType,
			},
			"headers_hosts": schema.ListAttribute{
				MarkdownDescription: "Host names that receive `headers`: exact names, or `*.example.com` for any name below " +
					"`example.com`. When not set, `headers` go to every host the provider contacts, including hosts that " +
					"servers name in their metadata (authorization servers, the challenge's metadata URL). Either way they " +
					"are dropped when a server redirects to a host not listed here. Environment variable: `" +
					EnvHeadersHosts + "`, a comma-separated list.",
				Optional:    true,
				ElementType: types.StringType,
			},
			"initial_access_token": schema.StringAttribute{
				MarkdownDescription: "Initial Access Token (RFC 7591 section 3) used by `mcp_dynamic_client` resources that " +
					"do not set `initial_access_token_wo`. Useful with CLIs older than Terraform / OpenTofu 1.11 and to keep " +
					"the token out of configuration. Environment variable: `" + EnvInitialAccessToken + "`.",
				Optional:  true,
				Sensitive: true,
			},
			"registration_access_token": schema.StringAttribute{
				MarkdownDescription: "Registration access token (RFC 7592) used when importing an `mcp_dynamic_client` by its " +
					"registration client URI, so no secret sits in the import id. Environment variable: `" +
					EnvRegistrationAccessToken + "`.",
				Optional:  true,
				Sensitive: true,
			},
			"access_token": schema.StringAttribute{
				MarkdownDescription: "Access token that the `mcp_server_probe` data source sends to MCP servers, typically " +
					"`ephemeral.mcp_access_token.x.access_token` in a provider block with an alias. Not stored anywhere. " +
					"Environment variable: `" + EnvAccessToken + "`.",
				Optional:  true,
				Sensitive: true,
			},
		},
		Blocks: map[string]schema.Block{
			"keycloak": keycloakBlockSchema(),
		},
	}
}

func (p *mcpProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// Arguments that come from resources are unknown during the first plan.
	// Deferring is right where the CLI supports it; elsewhere the data
	// sources refuse to read with defaults in their place (see beginRead).
	unknown := unknownSettings(cfg)
	if len(unknown) > 0 && req.ClientCapabilities.DeferralAllowed {
		resp.Deferred = &provider.Deferred{Reason: provider.DeferredReasonProviderConfigUnknown}
		return
	}

	opts := oauth.Options{
		Retries:    defaultRetries,
		UserAgent:  userAgent(p.version, req.TerraformVersion),
		ClientName: "terraform-provider-mcp",
		Logger:     tflogExchangeLogger{},
	}

	timeout := stringOrEnv(cfg.RequestTimeout, EnvRequestTimeout)
	if timeout != "" {
		d, err := time.ParseDuration(timeout)
		if err != nil || d <= 0 {
			resp.Diagnostics.AddAttributeError(path.Root("request_timeout"), "Invalid request timeout",
				fmt.Sprintf("%q is not a positive Go duration such as \"30s\" or \"2m\".", timeout))
			return
		}
		opts.Timeout = d
	}

	switch {
	case !cfg.Retries.IsNull() && !cfg.Retries.IsUnknown():
		opts.Retries = int(cfg.Retries.ValueInt64())
	case os.Getenv(EnvRetries) != "":
		n, err := strconv.Atoi(os.Getenv(EnvRetries))
		if err != nil {
			resp.Diagnostics.AddError("Invalid "+EnvRetries, fmt.Sprintf("%q is not a whole number.", os.Getenv(EnvRetries)))
			return
		}
		opts.Retries = n
	}
	if opts.Retries < 0 || opts.Retries > 10 {
		resp.Diagnostics.AddAttributeError(path.Root("retries"), "Invalid retries", "retries must be between 0 and 10.")
		return
	}

	opts.CACertPEM = stringOrEnv(cfg.CACertPEM, EnvCACertPEM)
	var ok bool
	if opts.InsecureSkipTLSVerify, ok = boolOrEnv(cfg.InsecureSkipTLSVerify, EnvInsecureSkipTLSVerify, &resp.Diagnostics); !ok {
		return
	}
	if opts.AllowInsecureHTTP, ok = boolOrEnv(cfg.AllowInsecureHTTP, EnvAllowInsecureHTTP, &resp.Diagnostics); !ok {
		return
	}
	if opts.CACertPEM != "" && opts.InsecureSkipTLSVerify {
		resp.Diagnostics.AddAttributeError(path.Root("insecure_skip_tls_verify"), "Conflicting TLS settings",
			"ca_cert_pem and insecure_skip_tls_verify (or their environment variables) are both set: trusting a CA "+
				"means nothing when verification is off. Keep one.")
		return
	}

	headers, diags := headersFromConfig(ctx, cfg.Headers)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	opts.Headers = headers
	if !cfg.HeadersHosts.IsNull() && !cfg.HeadersHosts.IsUnknown() {
		resp.Diagnostics.Append(cfg.HeadersHosts.ElementsAs(ctx, &opts.HeaderHosts, false)...)
	} else if raw := os.Getenv(EnvHeadersHosts); raw != "" {
		for _, h := range strings.Split(raw, ",") {
			if h = strings.TrimSpace(h); h != "" {
				opts.HeaderHosts = append(opts.HeaderHosts, h)
			}
		}
	}

	client, err := oauth.NewClient(opts)
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("ca_cert_pem"), "Invalid TLS settings", tlsSettingsError(err))
		return
	}
	var kc *keycloakAccess
	var kcErr *configError
	if len(keycloakUnknown(cfg.Keycloak)) == 0 { // else left nil: users report the unknown settings
		kc, kcErr = keycloakFromConfig(cfg.Keycloak, client)
	}
	if kcErr != nil {
		resp.Diagnostics.AddAttributeError(kcErr.path, kcErr.summary, kcErr.detail)
		return
	}
	data := &providerData{
		Keycloak:                kc,
		AccessToken:             stringOrEnv(cfg.AccessToken, EnvAccessToken),
		Version:                 p.version,
		Client:                  client,
		AllowInsecureHTTP:       opts.AllowInsecureHTTP,
		InitialAccessToken:      stringOrEnv(cfg.InitialAccessToken, EnvInitialAccessToken),
		RegistrationAccessToken: stringOrEnv(cfg.RegistrationAccessToken, EnvRegistrationAccessToken),
		UnknownSettings:         unknown,
	}
	for _, v := range headers {
		data.HeaderValues = append(data.HeaderValues, v)
	}
	resp.DataSourceData = data
	resp.ResourceData = data
	resp.EphemeralResourceData = data
}

func (p *mcpProvider) Resources(_ context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		NewDynamicClientResource,
	}
}

func (p *mcpProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewProtectedResourceMetadataDataSource,
		NewAuthorizationServerMetadataDataSource,
		NewOAuthDiscoveryDataSource,
		NewClientMetadataDocumentDataSource,
		NewHostedClientMetadataDocumentDataSource,
		NewServerProbeDataSource,
	}
}

func (p *mcpProvider) EphemeralResources(_ context.Context) []func() ephemeral.EphemeralResource {
	return []func() ephemeral.EphemeralResource{
		NewKeycloakInitialAccessTokenEphemeral,
		NewAccessTokenEphemeral,
		NewServerProbeEphemeral,
	}
}

func (p *mcpProvider) Functions(_ context.Context) []func() function.Function {
	return []func() function.Function{
		NewResourceMetadataURLsFunction,
		NewAuthorizationServerMetadataURLsFunction,
		NewParseWWWAuthenticateFunction,
		NewClientScopeFunction,
	}
}

func userAgent(providerVersion, terraformVersion string) string {
	ua := "terraform-provider-mcp/" + providerVersion
	if terraformVersion != "" {
		ua += " Terraform/" + terraformVersion
	}
	return ua
}

func stringOrEnv(v types.String, env string) string {
	if !v.IsNull() && !v.IsUnknown() {
		return v.ValueString()
	}
	return os.Getenv(env)
}

func boolOrEnv(v types.Bool, env string, diags interface{ AddError(string, string) }) (bool, bool) {
	if !v.IsNull() && !v.IsUnknown() {
		return v.ValueBool(), true
	}
	raw := strings.TrimSpace(os.Getenv(env))
	if raw == "" {
		return false, true
	}
	b, err := strconv.ParseBool(raw)
	if err != nil {
		diags.AddError("Invalid "+env, fmt.Sprintf("%q is not a boolean: use true or false.", raw))
		return false, false
	}
	return b, true
}

func headersFromConfig(ctx context.Context, m types.Map) (map[string]string, diag.Diagnostics) {
	var diags diag.Diagnostics
	headers := map[string]string{}
	if !m.IsNull() && !m.IsUnknown() {
		diags.Append(m.ElementsAs(ctx, &headers, false)...)
	} else if raw := os.Getenv(EnvHeaders); raw != "" {
		if err := json.Unmarshal([]byte(raw), &headers); err != nil {
			diags.AddError("Invalid "+EnvHeaders, "It must be a JSON object of strings, for example {\"X-Gateway\":\"abc\"}: "+err.Error())
		}
	}
	for name := range headers {
		if strings.EqualFold(name, "Authorization") {
			diags.AddAttributeError(path.Root("headers"), "Authorization cannot be set in headers",
				"The provider sets Authorization itself (initial access tokens, registration access tokens). Remove it from headers.")
		}
	}
	return headers, diags
}

// unknownSettings lists the provider arguments whose values are not known yet.
func unknownSettings(cfg providerModel) []string {
	var names []string
	for name, v := range map[string]interface{ IsUnknown() bool }{
		"request_timeout":           cfg.RequestTimeout,
		"retries":                   cfg.Retries,
		"ca_cert_pem":               cfg.CACertPEM,
		"insecure_skip_tls_verify":  cfg.InsecureSkipTLSVerify,
		"allow_insecure_http":       cfg.AllowInsecureHTTP,
		"headers":                   cfg.Headers,
		"headers_hosts":             cfg.HeadersHosts,
		"initial_access_token":      cfg.InitialAccessToken,
		"registration_access_token": cfg.RegistrationAccessToken,
		"access_token":              cfg.AccessToken,
	} {
		if v.IsUnknown() {
			names = append(names, name)
		}
	}
	names = append(names, keycloakUnknown(cfg.Keycloak)...)
	sort.Strings(names)
	return names
}

// providerDataFrom is what Configure hands every resource, data source and
// ephemeral resource: nil before the provider is configured (validation), and
// an error diagnostic for anything but *providerData.
func providerDataFrom(raw any, diags *diag.Diagnostics) *providerData {
	if raw == nil {
		return nil
	}
	data, ok := raw.(*providerData)
	if !ok {
		diags.AddError("Unexpected provider data",
			fmt.Sprintf("Expected *providerData, got %T. This is a bug in the provider; please report it.", raw))
		return nil
	}
	return data
}
