package provider

import (
	"context"
	"encoding/json"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/mcp-oauth/terraform-provider-mcp/internal/oauth"
)

// dynamicClientModel is the mcp_dynamic_client resource.
type dynamicClientModel struct {
	RegistrationEndpoint types.String `tfsdk:"registration_endpoint"`
	Issuer               types.String `tfsdk:"issuer"`
	InitialAccessTokenWO types.String `tfsdk:"initial_access_token_wo"`

	RedirectURIs                types.Set    `tfsdk:"redirect_uris"`
	TokenEndpointAuthMethod     types.String `tfsdk:"token_endpoint_auth_method"`
	GrantTypes                  types.Set    `tfsdk:"grant_types"`
	ResponseTypes               types.Set    `tfsdk:"response_types"`
	ClientName                  types.String `tfsdk:"client_name"`
	ClientURI                   types.String `tfsdk:"client_uri"`
	LogoURI                     types.String `tfsdk:"logo_uri"`
	Scope                       types.String `tfsdk:"scope"`
	Contacts                    types.Set    `tfsdk:"contacts"`
	TOSURI                      types.String `tfsdk:"tos_uri"`
	PolicyURI                   types.String `tfsdk:"policy_uri"`
	JWKSURI                     types.String `tfsdk:"jwks_uri"`
	JWKS                        types.String `tfsdk:"jwks"`
	SoftwareID                  types.String `tfsdk:"software_id"`
	SoftwareVersion             types.String `tfsdk:"software_version"`
	SoftwareStatement           types.String `tfsdk:"software_statement"`
	ApplicationType             types.String `tfsdk:"application_type"`
	PostLogoutRedirectURIs      types.Set    `tfsdk:"post_logout_redirect_uris"`
	SectorIdentifierURI         types.String `tfsdk:"sector_identifier_uri"`
	SubjectType                 types.String `tfsdk:"subject_type"`
	IDTokenSignedResponseAlg    types.String `tfsdk:"id_token_signed_response_alg"`
	TokenEndpointAuthSigningAlg types.String `tfsdk:"token_endpoint_auth_signing_alg"`
	DefaultMaxAge               types.Int64  `tfsdk:"default_max_age"`
	RequireAuthTime             types.Bool   `tfsdk:"require_auth_time"`
	InitiateLoginURI            types.String `tfsdk:"initiate_login_uri"`
	ExtraMetadata               types.String `tfsdk:"extra_metadata"`
	Keepers                     types.Map    `tfsdk:"keepers"`
	OnUnauthorized              types.String `tfsdk:"on_unauthorized"`

	ClientID                types.String `tfsdk:"client_id"`
	ClientSecret            types.String `tfsdk:"client_secret"`
	ClientIDIssuedAt        types.Int64  `tfsdk:"client_id_issued_at"`
	ClientSecretExpiresAt   types.Int64  `tfsdk:"client_secret_expires_at"`
	RegistrationAccessToken types.String `tfsdk:"registration_access_token"`
	RegistrationClientURI   types.String `tfsdk:"registration_client_uri"`
	RegisteredMetadata      types.String `tfsdk:"registered_metadata"`
	// RegisteredTokenEndpointAuthMethod is the method the server registered.
	RegisteredTokenEndpointAuthMethod types.String `tfsdk:"registered_token_endpoint_auth_method"`
	ManagementSupported               types.Bool   `tfsdk:"management_supported"`
}

// clientAttr is one attribute of dynamicClientModel, reached through typed
// accessors rather than by name. Attributes that are a client metadata member
// also carry their mapping to and from oauth.ClientMetadata.
type clientAttr struct {
	name string
	get  func(*dynamicClientModel) attr.Value
	copy func(dst, src *dynamicClientModel)
	// toMetadata and fromMetadata are nil for attributes that are not a
	// metadata member.
	toMetadata   func(context.Context, *dynamicClientModel, *oauth.ClientMetadata, *diag.Diagnostics)
	fromMetadata func(context.Context, *oauth.ClientMetadata, *dynamicClientModel, *diag.Diagnostics)
}

// modelField is an attribute with no mapping to client metadata.
func modelField[T attr.Value](name string, p func(*dynamicClientModel) *T) clientAttr {
	return clientAttr{
		name: name,
		get:  func(m *dynamicClientModel) attr.Value { return *p(m) },
		copy: func(dst, src *dynamicClientModel) { *p(dst) = *p(src) },
	}
}

// stringMember maps a string attribute to a string member ("" is absent).
func stringMember(name string, p func(*dynamicClientModel) *types.String, q func(*oauth.ClientMetadata) *string) clientAttr {
	a := modelField(name, p)
	a.toMetadata = func(_ context.Context, m *dynamicClientModel, md *oauth.ClientMetadata, _ *diag.Diagnostics) {
		if v := *p(m); isKnown(v) {
			*q(md) = v.ValueString()
		}
	}
	a.fromMetadata = func(_ context.Context, md *oauth.ClientMetadata, m *dynamicClientModel, _ *diag.Diagnostics) {
		*p(m) = types.StringNull()
		if s := *q(md); s != "" {
			*p(m) = types.StringValue(s)
		}
	}
	return a
}

// jsonMember maps a string attribute holding JSON text to a raw JSON member.
func jsonMember(name string, p func(*dynamicClientModel) *types.String, q func(*oauth.ClientMetadata) *json.RawMessage) clientAttr {
	a := modelField(name, p)
	a.toMetadata = func(_ context.Context, m *dynamicClientModel, md *oauth.ClientMetadata, _ *diag.Diagnostics) {
		if v := *p(m); isKnown(v) && v.ValueString() != "" {
			*q(md) = json.RawMessage(v.ValueString())
		}
	}
	a.fromMetadata = func(_ context.Context, md *oauth.ClientMetadata, m *dynamicClientModel, _ *diag.Diagnostics) {
		*p(m) = types.StringNull()
		if raw := *q(md); len(raw) > 0 {
			*p(m) = types.StringValue(compactJSON(raw))
		}
	}
	return a
}

// setMember maps a set of strings to a list member (sorted when sent).
func setMember(name string, p func(*dynamicClientModel) *types.Set, q func(*oauth.ClientMetadata) *[]string) clientAttr {
	a := modelField(name, p)
	a.toMetadata = func(ctx context.Context, m *dynamicClientModel, md *oauth.ClientMetadata, diags *diag.Diagnostics) {
		*q(md) = setStrings(ctx, *p(m), diags)
	}
	a.fromMetadata = func(ctx context.Context, md *oauth.ClientMetadata, m *dynamicClientModel, diags *diag.Diagnostics) {
		*p(m) = types.SetNull(types.StringType)
		if l := *q(md); l != nil {
			v, d := types.SetValueFrom(ctx, types.StringType, l)
			diags.Append(d...)
			*p(m) = v
		}
	}
	return a
}

// optionalMember maps a scalar attribute to an optional (pointer) member.
func optionalMember[T attr.Value, G any](name string, p func(*dynamicClientModel) *T, q func(*oauth.ClientMetadata) **G,
	toGo func(T) *G, fromGo func(*G) T,
) clientAttr {
	a := modelField(name, p)
	a.toMetadata = func(_ context.Context, m *dynamicClientModel, md *oauth.ClientMetadata, _ *diag.Diagnostics) {
		if v := *p(m); isKnown(v) {
			*q(md) = toGo(v)
		}
	}
	a.fromMetadata = func(_ context.Context, md *oauth.ClientMetadata, m *dynamicClientModel, _ *diag.Diagnostics) {
		*p(m) = fromGo(*q(md))
	}
	return a
}

func int64Member(name string, p func(*dynamicClientModel) *types.Int64, q func(*oauth.ClientMetadata) **int64) clientAttr {
	return optionalMember(name, p, q, types.Int64.ValueInt64Pointer, types.Int64PointerValue)
}

func boolMember(name string, p func(*dynamicClientModel) *types.Bool, q func(*oauth.ClientMetadata) **bool) clientAttr {
	return optionalMember(name, p, q, types.Bool.ValueBoolPointer, types.BoolPointerValue)
}

type (
	dcm = dynamicClientModel
	cmd = oauth.ClientMetadata
)

// metadataAttrs are the attributes that map one to one onto a metadata member
// of the same name, compared with the server on read. Adding an RFC 7591 or
// OpenID Connect field is one line here (plus the model and schema);
// TestClientAttrTable fails when they disagree with oauth.MetadataFieldNames.
var metadataAttrs = []clientAttr{
	setMember("redirect_uris", func(m *dcm) *types.Set { return &m.RedirectURIs }, func(c *cmd) *[]string { return &c.RedirectURIs }),
	stringMember("token_endpoint_auth_method", func(m *dcm) *types.String { return &m.TokenEndpointAuthMethod }, func(c *cmd) *string { return &c.TokenEndpointAuthMethod }),
	setMember("grant_types", func(m *dcm) *types.Set { return &m.GrantTypes }, func(c *cmd) *[]string { return &c.GrantTypes }),
	setMember("response_types", func(m *dcm) *types.Set { return &m.ResponseTypes }, func(c *cmd) *[]string { return &c.ResponseTypes }),
	stringMember("client_name", func(m *dcm) *types.String { return &m.ClientName }, func(c *cmd) *string { return &c.ClientName }),
	stringMember("client_uri", func(m *dcm) *types.String { return &m.ClientURI }, func(c *cmd) *string { return &c.ClientURI }),
	stringMember("logo_uri", func(m *dcm) *types.String { return &m.LogoURI }, func(c *cmd) *string { return &c.LogoURI }),
	stringMember("scope", func(m *dcm) *types.String { return &m.Scope }, func(c *cmd) *string { return &c.Scope }),
	setMember("contacts", func(m *dcm) *types.Set { return &m.Contacts }, func(c *cmd) *[]string { return &c.Contacts }),
	stringMember("tos_uri", func(m *dcm) *types.String { return &m.TOSURI }, func(c *cmd) *string { return &c.TOSURI }),
	stringMember("policy_uri", func(m *dcm) *types.String { return &m.PolicyURI }, func(c *cmd) *string { return &c.PolicyURI }),
	stringMember("jwks_uri", func(m *dcm) *types.String { return &m.JWKSURI }, func(c *cmd) *string { return &c.JWKSURI }),
	jsonMember("jwks", func(m *dcm) *types.String { return &m.JWKS }, func(c *cmd) *json.RawMessage { return &c.JWKS }),
	stringMember("software_id", func(m *dcm) *types.String { return &m.SoftwareID }, func(c *cmd) *string { return &c.SoftwareID }),
	stringMember("software_version", func(m *dcm) *types.String { return &m.SoftwareVersion }, func(c *cmd) *string { return &c.SoftwareVersion }),
	stringMember("application_type", func(m *dcm) *types.String { return &m.ApplicationType }, func(c *cmd) *string { return &c.ApplicationType }),
	setMember("post_logout_redirect_uris", func(m *dcm) *types.Set { return &m.PostLogoutRedirectURIs }, func(c *cmd) *[]string { return &c.PostLogoutRedirectURIs }),
	stringMember("sector_identifier_uri", func(m *dcm) *types.String { return &m.SectorIdentifierURI }, func(c *cmd) *string { return &c.SectorIdentifierURI }),
	stringMember("subject_type", func(m *dcm) *types.String { return &m.SubjectType }, func(c *cmd) *string { return &c.SubjectType }),
	stringMember("id_token_signed_response_alg", func(m *dcm) *types.String { return &m.IDTokenSignedResponseAlg }, func(c *cmd) *string { return &c.IDTokenSignedResponseAlg }),
	stringMember("token_endpoint_auth_signing_alg", func(m *dcm) *types.String { return &m.TokenEndpointAuthSigningAlg }, func(c *cmd) *string { return &c.TokenEndpointAuthSigningAlg }),
	int64Member("default_max_age", func(m *dcm) *types.Int64 { return &m.DefaultMaxAge }, func(c *cmd) **int64 { return &c.DefaultMaxAge }),
	boolMember("require_auth_time", func(m *dcm) *types.Bool { return &m.RequireAuthTime }, func(c *cmd) **bool { return &c.RequireAuthTime }),
	stringMember("initiate_login_uri", func(m *dcm) *types.String { return &m.InitiateLoginURI }, func(c *cmd) *string { return &c.InitiateLoginURI }),
}

// softwareStatementAttr is sent but left out of metadataAttrs: servers rarely
// echo it and it is never drift.
var softwareStatementAttr = stringMember("software_statement",
	func(m *dcm) *types.String { return &m.SoftwareStatement }, func(c *cmd) *string { return &c.SoftwareStatement })

// extraMetadataAttr holds the vendor members, as one JSON object.
var extraMetadataAttr = modelField("extra_metadata", func(m *dcm) *types.String { return &m.ExtraMetadata })

// issuedAttrs are the computed attributes the server's answers fill in.
var issuedAttrs = []clientAttr{
	modelField("client_id", func(m *dcm) *types.String { return &m.ClientID }),
	modelField("client_secret", func(m *dcm) *types.String { return &m.ClientSecret }),
	modelField("client_id_issued_at", func(m *dcm) *types.Int64 { return &m.ClientIDIssuedAt }),
	modelField("client_secret_expires_at", func(m *dcm) *types.Int64 { return &m.ClientSecretExpiresAt }),
	modelField("registration_access_token", func(m *dcm) *types.String { return &m.RegistrationAccessToken }),
	modelField("registration_client_uri", func(m *dcm) *types.String { return &m.RegistrationClientURI }),
	modelField("registered_metadata", func(m *dcm) *types.String { return &m.RegisteredMetadata }),
	modelField("registered_token_endpoint_auth_method", func(m *dcm) *types.String { return &m.RegisteredTokenEndpointAuthMethod }),
	modelField("management_supported", func(m *dcm) *types.Bool { return &m.ManagementSupported }),
}

// serverRelevantAttrs are the arguments whose change needs a request to the
// server (the metadata, the software statement and extra_metadata).
var serverRelevantAttrs = append(append([]clientAttr{}, metadataAttrs...), softwareStatementAttr, extraMetadataAttr)

// localAttrs are the arguments the server never sees.
var localAttrs = []clientAttr{
	modelField("registration_endpoint", func(m *dcm) *types.String { return &m.RegistrationEndpoint }),
	modelField("issuer", func(m *dcm) *types.String { return &m.Issuer }),
	modelField("initial_access_token_wo", func(m *dcm) *types.String { return &m.InitialAccessTokenWO }),
	modelField("keepers", func(m *dcm) *types.Map { return &m.Keepers }),
	modelField("on_unauthorized", func(m *dcm) *types.String { return &m.OnUnauthorized }),
}

// fieldEqual compares one attribute of two models.
func fieldEqual(a, b *dynamicClientModel, at clientAttr) bool {
	return at.get(a).Equal(at.get(b))
}

// isKnown reports whether an attribute value is neither null nor unknown.
func isKnown(v interface {
	IsNull() bool
	IsUnknown() bool
}) bool {
	return !v.IsNull() && !v.IsUnknown()
}

func setStrings(ctx context.Context, s types.Set, diags *diag.Diagnostics) []string {
	if !isKnown(s) {
		return nil
	}
	out := []string{}
	diags.Append(s.ElementsAs(ctx, &out, false)...)
	sort.Strings(out)
	return out
}

// toMetadata builds the metadata the user asked for: known attributes only;
// null and unknown ones are left out.
func (m *dynamicClientModel) toMetadata(ctx context.Context) (oauth.ClientMetadata, diag.Diagnostics) {
	var diags diag.Diagnostics
	var md oauth.ClientMetadata
	for _, at := range append(metadataAttrs, softwareStatementAttr) {
		at.toMetadata(ctx, m, &md, &diags)
	}
	if extra, err := parseExtraMetadata(m.ExtraMetadata); err != nil {
		diags.AddAttributeError(path.Root("extra_metadata"), "Invalid extra_metadata", err.Error())
	} else {
		md.Extra = extra
	}
	return md, diags
}

// parseExtraMetadata decodes extra_metadata (null or unknown gives nil).
func parseExtraMetadata(v types.String) (map[string]json.RawMessage, error) {
	if !isKnown(v) || v.ValueString() == "" {
		return nil, nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal([]byte(v.ValueString()), &obj); err != nil {
		return nil, err
	}
	return obj, nil
}

// fromMetadata sets every metadata attribute from what the server holds; a
// member the server did not return becomes null.
func (m *dynamicClientModel) fromMetadata(ctx context.Context, md oauth.ClientMetadata, diags *diag.Diagnostics) {
	for _, at := range metadataAttrs {
		at.fromMetadata(ctx, &md, m, diags)
	}
}

// usesClientSecret reports whether a token endpoint auth method authenticates
// with the client secret.
func usesClientSecret(method string) bool {
	switch method {
	case "client_secret_basic", "client_secret_post", "client_secret_jwt":
		return true
	}
	return false
}

func compactJSON(raw []byte) string {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return string(raw)
	}
	out, _ := json.Marshal(v)
	return string(out)
}

// registeredMetadataJSON renders the server's metadata for registered_metadata:
// sorted keys, without credentials (software_statement and any vendor field
// named like a secret).
func registeredMetadataJSON(md oauth.ClientMetadata) string {
	md.SoftwareStatement = ""
	fields, err := md.Fields()
	if err != nil {
		return "{}"
	}
	for k := range fields {
		if oauth.IsSecretKey(k) || oauth.IsClientInformationField(k) {
			delete(fields, k)
		}
	}
	out, err := json.Marshal(fields)
	if err != nil {
		return "{}"
	}
	return string(out)
}

// baselineFields decodes registered_metadata from state (nil when absent).
func baselineFields(v types.String) map[string]json.RawMessage {
	if !isKnown(v) || v.ValueString() == "" {
		return nil
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal([]byte(v.ValueString()), &obj) != nil {
		return nil
	}
	return obj
}

// fillUnknownMetadata gives every metadata attribute still unknown (not set
// in configuration at create, so planned "known after apply") the server's
// value, and leaves known ones as planned: the state after apply must match
// the plan, and the server's rewrites are visible in registered_metadata.
func (m *dynamicClientModel) fillUnknownMetadata(ctx context.Context, md oauth.ClientMetadata, diags *diag.Diagnostics) {
	var server dynamicClientModel
	server.fromMetadata(ctx, md, diags)
	for _, at := range metadataAttrs {
		if at.get(m).IsUnknown() {
			at.copy(m, &server)
		}
	}
}

// mergeRead decides, member by member, what state holds after a read. prior
// is the state before the read (the user's intent, or drift found earlier);
// current is what the server holds now; baseline is what it answered last
// time (registered_metadata). A member keeps its prior value when the
// server's value still honours it (SatisfiesMetadataValue: equal as a set or
// token set, absent because the server does not store it, or a superset of
// grant/response types) or when the server's value has not changed since the
// last answer (a rewrite the server made at registration, such as Keycloak's
// auth method on old versions). Anything else is drift: state takes the
// server's value so the plan shows the difference.
func mergeRead(ctx context.Context, prior *dynamicClientModel, current oauth.ClientMetadata, diags *diag.Diagnostics) dynamicClientModel {
	out := *prior
	priorMD, d := prior.toMetadata(ctx)
	diags.Append(d...)
	priorFields, _ := priorMD.Fields()
	currentFields, _ := current.Fields()
	baseline := baselineFields(prior.RegisteredMetadata)

	var server dynamicClientModel
	server.fromMetadata(ctx, current, diags)
	for _, at := range metadataAttrs {
		p, c := priorFields[at.name], currentFields[at.name]
		if !isKnown(at.get(prior)) {
			at.copy(&out, &server)
			continue
		}
		if oauth.SatisfiesMetadataValue(at.name, p, c) {
			continue
		}
		if baseline != nil && oauth.EqualMetadataValue(at.name, c, baseline[at.name]) {
			continue
		}
		at.copy(&out, &server)
	}

	// extra_metadata: only the keys the user manages are compared.
	if userExtra, err := parseExtraMetadata(prior.ExtraMetadata); err == nil && len(userExtra) > 0 {
		changed := false
		merged := make(map[string]json.RawMessage, len(userExtra))
		for k, p := range userExtra {
			c := current.Extra[k]
			if oauth.SatisfiesMetadataValue(k, p, c) || (baseline != nil && oauth.EqualMetadataValue(k, c, baseline[k])) {
				merged[k] = p
				continue
			}
			changed = true
			if c != nil {
				merged[k] = c
			}
		}
		if changed {
			b, _ := json.Marshal(merged)
			out.ExtraMetadata = types.StringValue(string(b))
		}
	}
	return out
}

// applyClientInformation records what the server issued. Values a response
// leaves out (Hydra's GET and PUT carry neither the secret nor the client
// URI) are kept from prior.
func (m *dynamicClientModel) applyClientInformation(ci *oauth.ClientInformation, prior *dynamicClientModel) {
	keepStr := func(v string, old types.String) types.String {
		if v != "" {
			return types.StringValue(v)
		}
		if prior != nil && isKnown(old) {
			return old
		}
		return types.StringValue("")
	}
	var p dynamicClientModel
	if prior != nil {
		p = *prior
	}
	m.ClientID = keepStr(ci.ClientID, p.ClientID)
	secretIssued := ci.ClientSecret != ""
	// The method the server registered (or, when its answer does not say, the
	// one asked for) decides whether an old secret still means anything: a
	// client made public has no secret any more.
	method := ci.Metadata.TokenEndpointAuthMethod
	if method == "" && isKnown(m.TokenEndpointAuthMethod) {
		method = m.TokenEndpointAuthMethod.ValueString()
	}
	public := method == "none"
	if public && !secretIssued {
		m.ClientSecret = types.StringValue("")
	} else {
		m.ClientSecret = keepStr(ci.ClientSecret, p.ClientSecret)
	}
	m.RegistrationAccessToken = keepStr(ci.RegistrationAccessToken, p.RegistrationAccessToken)
	m.RegistrationClientURI = keepStr(ci.RegistrationClientURI, p.RegistrationClientURI)
	switch {
	case ci.ClientIDIssuedAt != 0:
		m.ClientIDIssuedAt = types.Int64Value(ci.ClientIDIssuedAt)
	case prior != nil && isKnown(p.ClientIDIssuedAt):
		m.ClientIDIssuedAt = p.ClientIDIssuedAt
	default:
		m.ClientIDIssuedAt = types.Int64Value(0)
	}
	// The expiry belongs to the secret: take it with a new secret only.
	switch {
	case secretIssued || public || prior == nil || !isKnown(p.ClientSecretExpiresAt):
		m.ClientSecretExpiresAt = types.Int64Value(ci.ClientSecretExpiresAt)
	default:
		m.ClientSecretExpiresAt = p.ClientSecretExpiresAt
	}
	m.RegisteredMetadata = types.StringValue(registeredMetadataJSON(ci.Metadata))
	m.RegisteredTokenEndpointAuthMethod = types.StringValue(registeredAuthMethod(ci, m, prior))
	m.ManagementSupported = types.BoolValue(m.RegistrationClientURI.ValueString() != "" && m.RegistrationAccessToken.ValueString() != "")
}

// defaultTokenEndpointAuthMethod is RFC 7591 section 2's default when
// token_endpoint_auth_method is omitted.
const defaultTokenEndpointAuthMethod = "client_secret_basic"

// registeredAuthMethod is the token endpoint auth method the server
// registered: its answer's, else (an answer that leaves it out) the one
// asked for, else the one recorded before, else the RFC 7591 default.
func registeredAuthMethod(ci *oauth.ClientInformation, m, prior *dynamicClientModel) string {
	if v := ci.Metadata.TokenEndpointAuthMethod; v != "" {
		return validUTF8(v)
	}
	if isKnown(m.TokenEndpointAuthMethod) && m.TokenEndpointAuthMethod.ValueString() != "" {
		return m.TokenEndpointAuthMethod.ValueString()
	}
	if prior != nil && isKnown(prior.RegisteredTokenEndpointAuthMethod) && prior.RegisteredTokenEndpointAuthMethod.ValueString() != "" {
		return prior.RegisteredTokenEndpointAuthMethod.ValueString()
	}
	return defaultTokenEndpointAuthMethod
}
