package provider

import (
	"context"
	"encoding/json"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/mcp-oauth/terraform-provider-mcp/internal/oauth"
)

// dynamicClientModel is the mcp_dynamic_client resource.
type dynamicClientModel struct {
	RegistrationEndpoint types.String `tfsdk:"registration_endpoint"`
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
	ManagementSupported     types.Bool   `tfsdk:"management_supported"`
}

// metadataAttrs are the attributes that map one to one onto a metadata member
// of the same name, compared with the server on read. software_statement is
// left out: servers rarely echo it and it is never drift.
var metadataAttrs = []string{
	"redirect_uris", "token_endpoint_auth_method", "grant_types", "response_types", "client_name", "client_uri",
	"logo_uri", "scope", "contacts", "tos_uri", "policy_uri", "jwks_uri", "jwks", "software_id", "software_version",
	"application_type", "post_logout_redirect_uris", "sector_identifier_uri", "subject_type",
	"id_token_signed_response_alg", "token_endpoint_auth_signing_alg", "default_max_age", "require_auth_time",
	"initiate_login_uri",
}

// issuedAttrs are the computed attributes the server's answers fill in.
var issuedAttrs = []string{
	"client_id", "client_secret", "client_id_issued_at", "client_secret_expires_at",
	"registration_access_token", "registration_client_uri", "registered_metadata", "management_supported",
}

// serverRelevantAttrs are the arguments whose change needs a request to the
// server (the metadata, the software statement and extra_metadata).
var serverRelevantAttrs = append(append([]string{}, metadataAttrs...), "software_statement", "extra_metadata")

// field returns a pointer to the model attribute named like a metadata member.
func (m *dynamicClientModel) field(name string) any {
	switch name {
	case "redirect_uris":
		return &m.RedirectURIs
	case "token_endpoint_auth_method":
		return &m.TokenEndpointAuthMethod
	case "grant_types":
		return &m.GrantTypes
	case "response_types":
		return &m.ResponseTypes
	case "client_name":
		return &m.ClientName
	case "client_uri":
		return &m.ClientURI
	case "logo_uri":
		return &m.LogoURI
	case "scope":
		return &m.Scope
	case "contacts":
		return &m.Contacts
	case "tos_uri":
		return &m.TOSURI
	case "policy_uri":
		return &m.PolicyURI
	case "jwks_uri":
		return &m.JWKSURI
	case "jwks":
		return &m.JWKS
	case "software_id":
		return &m.SoftwareID
	case "software_version":
		return &m.SoftwareVersion
	case "software_statement":
		return &m.SoftwareStatement
	case "application_type":
		return &m.ApplicationType
	case "post_logout_redirect_uris":
		return &m.PostLogoutRedirectURIs
	case "sector_identifier_uri":
		return &m.SectorIdentifierURI
	case "subject_type":
		return &m.SubjectType
	case "id_token_signed_response_alg":
		return &m.IDTokenSignedResponseAlg
	case "token_endpoint_auth_signing_alg":
		return &m.TokenEndpointAuthSigningAlg
	case "default_max_age":
		return &m.DefaultMaxAge
	case "require_auth_time":
		return &m.RequireAuthTime
	case "initiate_login_uri":
		return &m.InitiateLoginURI
	case "extra_metadata":
		return &m.ExtraMetadata
	case "client_id":
		return &m.ClientID
	case "client_secret":
		return &m.ClientSecret
	case "client_id_issued_at":
		return &m.ClientIDIssuedAt
	case "client_secret_expires_at":
		return &m.ClientSecretExpiresAt
	case "registration_access_token":
		return &m.RegistrationAccessToken
	case "registration_client_uri":
		return &m.RegistrationClientURI
	case "registered_metadata":
		return &m.RegisteredMetadata
	case "management_supported":
		return &m.ManagementSupported
	}
	panic("unknown dynamic client field " + name)
}

// copyField sets dst's attribute name to src's.
func copyField(dst, src *dynamicClientModel, name string) {
	switch d := dst.field(name).(type) {
	case *types.String:
		*d = *src.field(name).(*types.String)
	case *types.Set:
		*d = *src.field(name).(*types.Set)
	case *types.Int64:
		*d = *src.field(name).(*types.Int64)
	case *types.Bool:
		*d = *src.field(name).(*types.Bool)
	}
}

// fieldEqual compares one attribute of two models.
func fieldEqual(a, b *dynamicClientModel, name string) bool {
	switch x := a.field(name).(type) {
	case *types.String:
		return x.Equal(*b.field(name).(*types.String))
	case *types.Set:
		return x.Equal(*b.field(name).(*types.Set))
	case *types.Int64:
		return x.Equal(*b.field(name).(*types.Int64))
	case *types.Bool:
		return x.Equal(*b.field(name).(*types.Bool))
	}
	return false
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
	str := func(v types.String) string {
		if isKnown(v) {
			return v.ValueString()
		}
		return ""
	}
	md := oauth.ClientMetadata{
		RedirectURIs:                setStrings(ctx, m.RedirectURIs, &diags),
		TokenEndpointAuthMethod:     str(m.TokenEndpointAuthMethod),
		GrantTypes:                  setStrings(ctx, m.GrantTypes, &diags),
		ResponseTypes:               setStrings(ctx, m.ResponseTypes, &diags),
		ClientName:                  str(m.ClientName),
		ClientURI:                   str(m.ClientURI),
		LogoURI:                     str(m.LogoURI),
		Scope:                       str(m.Scope),
		Contacts:                    setStrings(ctx, m.Contacts, &diags),
		TOSURI:                      str(m.TOSURI),
		PolicyURI:                   str(m.PolicyURI),
		JWKSURI:                     str(m.JWKSURI),
		SoftwareID:                  str(m.SoftwareID),
		SoftwareVersion:             str(m.SoftwareVersion),
		SoftwareStatement:           str(m.SoftwareStatement),
		ApplicationType:             str(m.ApplicationType),
		PostLogoutRedirectURIs:      setStrings(ctx, m.PostLogoutRedirectURIs, &diags),
		SectorIdentifierURI:         str(m.SectorIdentifierURI),
		SubjectType:                 str(m.SubjectType),
		IDTokenSignedResponseAlg:    str(m.IDTokenSignedResponseAlg),
		TokenEndpointAuthSigningAlg: str(m.TokenEndpointAuthSigningAlg),
		InitiateLoginURI:            str(m.InitiateLoginURI),
	}
	if j := str(m.JWKS); j != "" {
		md.JWKS = json.RawMessage(j)
	}
	if isKnown(m.DefaultMaxAge) {
		v := m.DefaultMaxAge.ValueInt64()
		md.DefaultMaxAge = &v
	}
	if isKnown(m.RequireAuthTime) {
		v := m.RequireAuthTime.ValueBool()
		md.RequireAuthTime = &v
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
	strv := func(s string) types.String {
		if s == "" {
			return types.StringNull()
		}
		return types.StringValue(s)
	}
	setv := func(l []string) types.Set {
		if l == nil {
			return types.SetNull(types.StringType)
		}
		v, d := types.SetValueFrom(ctx, types.StringType, l)
		diags.Append(d...)
		return v
	}
	m.RedirectURIs = setv(md.RedirectURIs)
	m.TokenEndpointAuthMethod = strv(md.TokenEndpointAuthMethod)
	m.GrantTypes = setv(md.GrantTypes)
	m.ResponseTypes = setv(md.ResponseTypes)
	m.ClientName = strv(md.ClientName)
	m.ClientURI = strv(md.ClientURI)
	m.LogoURI = strv(md.LogoURI)
	m.Scope = strv(md.Scope)
	m.Contacts = setv(md.Contacts)
	m.TOSURI = strv(md.TOSURI)
	m.PolicyURI = strv(md.PolicyURI)
	m.JWKSURI = strv(md.JWKSURI)
	m.JWKS = types.StringNull()
	if len(md.JWKS) > 0 {
		m.JWKS = types.StringValue(compactJSON(md.JWKS))
	}
	m.SoftwareID = strv(md.SoftwareID)
	m.SoftwareVersion = strv(md.SoftwareVersion)
	m.ApplicationType = strv(md.ApplicationType)
	m.PostLogoutRedirectURIs = setv(md.PostLogoutRedirectURIs)
	m.SectorIdentifierURI = strv(md.SectorIdentifierURI)
	m.SubjectType = strv(md.SubjectType)
	m.IDTokenSignedResponseAlg = strv(md.IDTokenSignedResponseAlg)
	m.TokenEndpointAuthSigningAlg = strv(md.TokenEndpointAuthSigningAlg)
	m.InitiateLoginURI = strv(md.InitiateLoginURI)
	m.DefaultMaxAge = types.Int64Null()
	if md.DefaultMaxAge != nil {
		m.DefaultMaxAge = types.Int64Value(*md.DefaultMaxAge)
	}
	m.RequireAuthTime = types.BoolNull()
	if md.RequireAuthTime != nil {
		m.RequireAuthTime = types.BoolValue(*md.RequireAuthTime)
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
	for _, name := range metadataAttrs {
		if isUnknownField(m, name) {
			copyField(m, &server, name)
		}
	}
}

func isUnknownField(m *dynamicClientModel, name string) bool {
	switch v := m.field(name).(type) {
	case *types.String:
		return v.IsUnknown()
	case *types.Set:
		return v.IsUnknown()
	case *types.Int64:
		return v.IsUnknown()
	case *types.Bool:
		return v.IsUnknown()
	}
	return false
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
	for _, name := range metadataAttrs {
		p, c := priorFields[name], currentFields[name]
		if !isKnown(attrOf(prior, name)) {
			copyField(&out, &server, name)
			continue
		}
		if oauth.SatisfiesMetadataValue(name, p, c) {
			continue
		}
		if baseline != nil && oauth.EqualMetadataValue(name, c, baseline[name]) {
			continue
		}
		copyField(&out, &server, name)
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

// attrOf returns an attribute as a null/unknown-aware value.
func attrOf(m *dynamicClientModel, name string) interface {
	IsNull() bool
	IsUnknown() bool
} {
	switch v := m.field(name).(type) {
	case *types.String:
		return *v
	case *types.Set:
		return *v
	case *types.Int64:
		return *v
	case *types.Bool:
		return *v
	}
	return types.StringNull()
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
	m.ManagementSupported = types.BoolValue(m.RegistrationClientURI.ValueString() != "" && m.RegistrationAccessToken.ValueString() != "")
}
