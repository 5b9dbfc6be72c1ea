package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// on_unauthorized choices: what Read and Delete do when the registration
// access token is refused with 401.
const (
	onUnauthorizedRemove = "remove"
	onUnauthorizedKeep   = "keep"
	onUnauthorizedError  = "error"
)

// knownAuthMethods are the token endpoint authentication methods registered
// with IANA that MCP clients meet; others only warn, since vendors extend.
var knownAuthMethods = []string{
	"none", "client_secret_basic", "client_secret_post", "client_secret_jwt", "private_key_jwt",
	"tls_client_auth", "self_signed_tls_client_auth",
}

// metadataSetAttr is an unordered list of strings the user may set and the
// server may fill in.
func metadataSetAttr(desc string, validators ...validator.Set) schema.SetAttribute {
	return schema.SetAttribute{
		MarkdownDescription: desc,
		ElementType:         types.StringType,
		Optional:            true,
		Computed:            true,
		Validators:          validators,
		PlanModifiers:       []planmodifier.Set{setplanmodifier.UseStateForUnknown()},
	}
}

// metadataStringAttr is a metadata string the user may set and the server may fill in.
func metadataStringAttr(desc string, validators ...validator.String) schema.StringAttribute {
	return schema.StringAttribute{
		MarkdownDescription: desc,
		Optional:            true,
		Computed:            true,
		Validators:          validators,
		PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
	}
}

func metadataURLAttr(desc string) schema.StringAttribute {
	return metadataStringAttr(desc, httpURLValidator{allowEmpty: true})
}

// Notes on unsetting, by kind of argument. Removing an optional argument
// keeps the value in state (and in the full-metadata updates), so clearing
// needs an explicit empty value.
const (
	unsetNote = " When unset, the value the server registered (if any) is recorded. Removing the argument later does " +
		"not clear the value: it is kept and still sent with updates. To clear it, set it to `\"\"`: the field is then " +
		"left out of requests and state records `\"\"`."
	unsetListNote = " When unset, the values the server registered (if any) are recorded. Removing the argument later " +
		"does not clear them: they are kept and still sent with updates. To clear them, set it to `[]`, which is sent " +
		"as an empty list."
	unsetScalarNote = " When unset, the value the server registered (if any) is recorded. Removing the argument later " +
		"keeps that value (it is still sent with updates); it can be changed but not cleared."
)

func (r *dynamicClientResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Registers an OAuth client through dynamic client registration (RFC 7591) and manages it " +
			"through the registration management protocol (RFC 7592): reads detect changes made outside Terraform, " +
			"updates are sent as a full-metadata `PUT`, and destroy deletes the client on the server.\n\n" +
			"Pass an Initial Access Token with the write-only argument `initial_access_token_wo` (Terraform and " +
			"OpenTofu 1.11 and later; it is never stored in state or plan) or with the provider's " +
			"`initial_access_token` / `MCP_INITIAL_ACCESS_TOKEN`.\n\n" +
			"What the server answered is the truth: the client secret, the registration access token (rotated on " +
			"most updates) and the metadata as the server actually registered it (`registered_metadata`) are " +
			"stored in state. Servers rewrite what they are sent (Keycloak reorders `scope`, adds `none` to `response_types` and drops `contacts`; Hydra and node-oidc-provider add defaults); " +
			"such rewrites are not reported as drift, so the plan after an apply is empty.\n\n" +
			"Import by registration client URI, with the registration access token in the provider's " +
			"`registration_access_token`; append `,<registration_endpoint>` when the URI is not the endpoint followed by " +
			"`/<client_id>` (otherwise the endpoint is taken from the URI). After an import, a configured value the " +
			"server's stored value honours (the same set of grant or response types plus the server's additions, the same " +
			"scope tokens, `client_secret_basic` stored for `client_secret_post`) plans nothing, as after a create.\n\n" +
			"Servers without RFC 7592 (no `registration_client_uri` in the answer, or 404/405 on it) can only " +
			"register: any change is planned as a replacement, and destroy leaves the client on the server with a " +
			"warning naming its `client_id`. A client secret past its `client_secret_expires_at` is planned for " +
			"replacement. Change `keepers` to force a new registration, for example to rotate the secret.\n\n" +
			"State holds the client secret and registration access token: protect it like any other secret store.",
		Attributes: map[string]schema.Attribute{
			"registration_endpoint": schema.StringAttribute{
				MarkdownDescription: "The authorization server's registration endpoint (RFC 7591 section 3), usually " +
					"`data.mcp_oauth_discovery.<name>.registration_endpoint`. Changing it registers a new client. " +
					"Plain `http://` is accepted only for loopback hosts unless the provider sets `allow_insecure_http`.",
				Required:   true,
				Validators: []validator.String{httpURLValidator{}},
				PlanModifiers: []planmodifier.String{
					// An imported client has no endpoint in state: setting it is not a new registration.
					stringplanmodifier.RequiresReplaceIf(func(ctx context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
						resp.RequiresReplace = !req.StateValue.IsNull() && !endpointOnlyRecorded(ctx, req.Private)
					}, "Changing the registration endpoint registers a new client (an imported client only records it).",
						"Changing the registration endpoint registers a new client (an imported client only records it)."),
				},
			},
			"issuer": schema.StringAttribute{
				MarkdownDescription: "The issuer identifier of the authorization server this client is registered with, " +
					"usually `data.mcp_oauth_discovery.<name>.authorization_server`. MCP (revision 2026-07-28) binds client " +
					"credentials to the issuer they were registered with: a client must not present them to another " +
					"authorization server. Recording the issuer here makes that binding part of the configuration: when it " +
					"changes (the MCP server moved to another authorization server), a new client is registered with the " +
					"new issuer's registration endpoint and the old one deleted. Setting it where it was not set, or removing " +
					"it, only records that, without a new registration. It is not sent to the server.",
				Optional:   true,
				Validators: []validator.String{httpURLValidator{}},
				PlanModifiers: []planmodifier.String{
					stringplanmodifier.RequiresReplaceIf(func(_ context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
						// Unknown until apply counts as a change: it may turn out to be one.
						resp.RequiresReplace = isKnown(req.StateValue) && !req.PlanValue.IsNull() && !req.PlanValue.Equal(req.StateValue)
					}, "Changing the issuer registers a new client: credentials are bound to the issuer they were registered with.",
						"Changing the issuer registers a new client: credentials are bound to the issuer they were registered with."),
				},
			},
			"initial_access_token_wo": schema.StringAttribute{
				MarkdownDescription: "Initial Access Token (RFC 7591 section 3) presented as a Bearer token with the " +
					"registration request. **Write-only**: never stored in plan or state; needs Terraform or OpenTofu 1.11 " +
					"or later. It is used only when a client is registered, so changing it later changes nothing. When " +
					"unset, the provider's `initial_access_token` (`MCP_INITIAL_ACCESS_TOKEN`) is used, and without " +
					"either the request is anonymous (Keycloak's Trusted Hosts policy refuses anonymous requests by default).",
				Optional:  true,
				Sensitive: true,
				WriteOnly: true,
			},
			"redirect_uris": metadataSetAttr("Redirection URIs for the authorization code flow (RFC 7591 `redirect_uris`). "+
				"Order does not matter. Native clients may use loopback `http://127.0.0.1:PORT/...` or a private-use "+
				"scheme; the server decides what it accepts. Refused at plan time: wildcards (`*`) in host or path (RFC 9700 "+
				"requires exact matching) and plain `http` to a host that is not a loopback address (RFC 9700 section 4.1, "+
				"OAuth 2.1), unless the provider's `allow_insecure_http` is set (for private networks and tests). "+
				"`http://localhost` is accepted with a warning: RFC 8252 recommends the IP literal `127.0.0.1` or `[::1]`."+unsetListNote,
				setvalidator.ValueStringsAre(redirectURIValidator{})),
			"token_endpoint_auth_method": metadataStringAttr("How the client authenticates at the token endpoint: `none` " +
				"(public client, for example an MCP client using PKCE), `client_secret_basic`, `client_secret_post`, " +
				"`private_key_jwt`, ... Vendor-specific values are sent as given, with a warning. Servers may register " +
				"another method than asked (Keycloak before 26.6 answers `client_secret_basic`); see `registered_token_endpoint_auth_method`." + unsetNote),
			"grant_types": metadataSetAttr("OAuth grant types the client may use (RFC 7591 `grant_types`), for example "+
				"`authorization_code`, `refresh_token`, `client_credentials`. Grant types the server adds on its own "+
				"(Keycloak always adds `authorization_code` and `refresh_token`) are not drift."+unsetListNote,
				setvalidator.ValueStringsAre(stringvalidator.LengthAtLeast(1))),
			"response_types": metadataSetAttr("Response types the client may use (RFC 7591 `response_types`), for "+
				"example `code`. Response types the server adds are not drift."+unsetListNote,
				setvalidator.ValueStringsAre(stringvalidator.LengthAtLeast(1))),
			"client_name": metadataStringAttr("Human-readable client name shown to users on consent screens." + unsetNote),
			"client_uri":  metadataURLAttr("URL of the client's home page." + unsetNote),
			"logo_uri":    metadataURLAttr("URL of the client's logo." + unsetNote),
			"scope": schema.StringAttribute{
				MarkdownDescription: "Space-separated scopes the client may request (RFC 7591 `scope`). Token order " +
					"and repeats do not matter: `a b` equals `b a`. Keycloak refuses scopes that are not realm client scopes " +
					"(its Allowed Client Scopes policy), `openid` included." + unsetNote,
				Optional:      true,
				Computed:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown(), semanticScopeModifier},
			},
			"contacts": metadataSetAttr("Contact addresses for people responsible for the client. Some servers do not " +
				"store them (Keycloak); that is not drift." + unsetListNote),
			"tos_uri":    metadataURLAttr("URL of the client's terms of service." + unsetNote),
			"policy_uri": metadataURLAttr("URL of the client's privacy policy." + unsetNote),
			"jwks_uri": metadataStringAttr("URL of the client's JSON Web Key Set, for `private_key_jwt`. Conflicts with a "+
				"non-empty `jwks`; when you switch to `jwks` and remove `jwks_uri`, the registered `jwks_uri` is cleared "+
				"(planned as `\"\"`) rather than sent along."+unsetNote,
				httpURLValidator{allowEmpty: true}, conflictsWithNonEmpty{other: path.Root("jwks")}),
			"jwks": schema.StringAttribute{
				MarkdownDescription: "The client's JSON Web Key Set as a JSON object (`jsonencode({ keys = [...] })`). " +
					"Compared as JSON, so formatting and key order do not matter. Conflicts with a non-empty `jwks_uri`; when " +
					"you switch to `jwks_uri` and remove `jwks`, the registered `jwks` is cleared (planned as `\"\"`) rather " +
					"than sent along." + unsetNote,
				Optional: true,
				Computed: true,
				Validators: []validator.String{
					jsonObjectValidator{requireKey: "keys", allowEmpty: true},
					conflictsWithNonEmpty{other: path.Root("jwks_uri")},
				},
				PlanModifiers: []planmodifier.String{
					stringplanmodifier.UseStateForUnknown(),
					semanticJSONModifier,
				},
			},
			"software_id":      metadataStringAttr("Identifier of the client software, the same for every instance (RFC 7591 `software_id`)." + unsetNote),
			"software_version": metadataStringAttr("Version of the client software (RFC 7591 `software_version`)." + unsetNote),
			"software_statement": schema.StringAttribute{
				MarkdownDescription: "A software statement (RFC 7591 section 2.3): a signed JWT asserting the client's " +
					"metadata, issued by a party the server trusts. Sent with the registration and updates; servers that do " +
					"not keep it (Keycloak) are not drift.",
				Optional:  true,
				Sensitive: true,
			},
			"application_type": metadataStringAttr("OpenID Connect `application_type`: `web` or `native`. The MCP "+
				"authorization spec (2026-07-28) asks clients to send it, `native` for loopback redirect URIs. Some "+
				"servers do not store it (Keycloak); that is not drift."+unsetNote,
				stringvalidator.OneOf("", "web", "native")),
			"post_logout_redirect_uris": metadataSetAttr("OpenID Connect RP-initiated logout redirect URIs."+unsetListNote,
				setvalidator.ValueStringsAre(redirectURIValidator{})),
			"sector_identifier_uri": metadataURLAttr("OpenID Connect `sector_identifier_uri`, for pairwise subject identifiers." + unsetNote),
			"subject_type": metadataStringAttr("OpenID Connect `subject_type`: `public` or `pairwise`."+unsetNote,
				stringvalidator.OneOf("", "public", "pairwise")),
			"id_token_signed_response_alg":    metadataStringAttr("OpenID Connect JWS algorithm for ID tokens issued to this client, for example `RS256`." + unsetNote),
			"token_endpoint_auth_signing_alg": metadataStringAttr("JWS algorithm for `private_key_jwt` / `client_secret_jwt` client assertions." + unsetNote),
			"default_max_age": schema.Int64Attribute{
				MarkdownDescription: "OpenID Connect `default_max_age`: seconds after which the user must authenticate again." + unsetScalarNote,
				Optional:            true,
				Computed:            true,
				PlanModifiers:       []planmodifier.Int64{int64planmodifier.UseStateForUnknown()},
			},
			"require_auth_time": schema.BoolAttribute{
				MarkdownDescription: "OpenID Connect `require_auth_time`: whether ID tokens must carry `auth_time`." + unsetScalarNote,
				Optional:            true,
				Computed:            true,
				PlanModifiers:       []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()},
			},
			"initiate_login_uri": metadataURLAttr("OpenID Connect `initiate_login_uri`: where a third party can start a login for this client." + unsetNote),
			"extra_metadata": schema.StringAttribute{
				MarkdownDescription: "Vendor or newer client metadata not modelled above, as a JSON object " +
					"(`jsonencode({ ... })`), merged into the registration and update requests. Keys already modelled " +
					"(for example `scope`) and the fields the server issues (`client_id`, `client_secret`, ...) are refused: " +
					"use the arguments. Only the keys given here are compared with the server; fields the server adds are " +
					"in `registered_metadata`. Removing a key stops managing it; the server keeps its value.",
				Optional:      true,
				Computed:      true,
				Validators:    []validator.String{jsonObjectValidator{extraMetadata: true}},
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown(), semanticJSONModifier},
			},
			"keepers": schema.MapAttribute{
				MarkdownDescription: "Arbitrary values that, when changed, force a new registration (a new client_id and " +
					"secret). Use it to rotate the client secret, for example `{ rotation = \"2025-q3\" }`.",
				Optional:      true,
				ElementType:   types.StringType,
				PlanModifiers: []planmodifier.Map{mapplanmodifier.RequiresReplace()},
			},
			"on_unauthorized": schema.StringAttribute{
				MarkdownDescription: "What refresh and destroy do when the server answers 401 to the registration access " +
					"token. A 401 cannot tell a client deleted on the server (its token dies with it) from a token that is " +
					"no longer valid (rotated by another tool, revoked, expired). " +
					"`remove` (default): refresh drops the client from state with a warning, so it is registered again; " +
					"destroy counts it as gone. Risk: if the client still exists, it stays on the server unmanaged. " +
					"`keep`: refresh keeps the state as it was with a warning; destroy fails, so nothing is forgotten silently. " +
					"`error`: refresh and destroy fail until the token is fixed (re-import with a fresh token).",
				Optional:   true,
				Computed:   true,
				Default:    stringdefault.StaticString(onUnauthorizedRemove),
				Validators: []validator.String{stringvalidator.OneOf(onUnauthorizedRemove, onUnauthorizedKeep, onUnauthorizedError)},
			},

			"client_id": schema.StringAttribute{
				MarkdownDescription: "The client identifier the server issued. It identifies this resource.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"client_secret": schema.StringAttribute{
				MarkdownDescription: "The client secret the server issued; empty for public clients " +
					"(`token_endpoint_auth_method = \"none\"`). Kept from the registration when later answers leave it out (Hydra).",
				Computed:  true,
				Sensitive: true,
			},
			"client_id_issued_at": schema.Int64Attribute{
				MarkdownDescription: "When the client identifier was issued, in seconds since the Unix epoch; 0 when the server did not say.",
				Computed:            true,
				PlanModifiers:       []planmodifier.Int64{int64planmodifier.UseStateForUnknown()},
			},
			"client_secret_expires_at": schema.Int64Attribute{
				MarkdownDescription: "When the client secret expires, in seconds since the Unix epoch; 0 means never. Once " +
					"past, the client is planned for replacement.",
				Computed: true,
			},
			"registration_access_token": schema.StringAttribute{
				MarkdownDescription: "The RFC 7592 registration access token. Servers rotate it on updates (and may on reads); " +
					"the newest is always stored, and the old one is dead from then on.",
				Computed:  true,
				Sensitive: true,
			},
			"registration_client_uri": schema.StringAttribute{
				MarkdownDescription: "The RFC 7592 client configuration endpoint; empty when the server does not offer " +
					"management. It is the import id.",
				Computed: true,
			},
			"registered_metadata": schema.StringAttribute{
				MarkdownDescription: "The client metadata as the server registered it, as a JSON object (`jsondecode` it), " +
					"refreshed on every read, without secrets. Compare it with the arguments to see what the server rewrote.",
				Computed: true,
			},
			"registered_token_endpoint_auth_method": schema.StringAttribute{
				MarkdownDescription: "How the client must authenticate at the token endpoint, as the server registered it: " +
					"the server's answer, which may differ from `token_endpoint_auth_method` (asked for `none`, Keycloak " +
					"before 26.6 registers `client_secret_basic`). Use this attribute, not `token_endpoint_auth_method`, " +
					"wherever the client's token requests are configured. When the answer leaves the method out, it is the " +
					"one asked for, else RFC 7591's default `client_secret_basic`. Refreshed on every read; a difference from " +
					"the argument is not drift and causes no plan.",
				Computed: true,
			},
			"management_supported": schema.BoolAttribute{
				MarkdownDescription: "Whether the server manages this client through RFC 7592. When false, changes are " +
					"planned as replacements and destroy only forgets the client.",
				Computed: true,
			},
		},
	}
}
