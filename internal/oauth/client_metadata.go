package oauth

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// ClientMetadata is the client metadata of RFC 7591 section 2 plus the
// OpenID Connect Dynamic Client Registration 1.0 fields that matter for MCP
// clients. Fields servers or vendors add live in Extra, so nothing a server
// returned is lost on a read-modify-write cycle (RFC 7592 section 2.2 asks the
// client to send back every field it was given).
//
// Encoding rules: an empty string, a nil slice, a nil pointer and an empty
// JWKS are left out; a non-nil empty slice is sent as [] (so a list can be
// cleared explicitly). Typed fields win over an Extra entry of the same name.
type ClientMetadata struct {
	RedirectURIs            []string
	TokenEndpointAuthMethod string
	GrantTypes              []string
	ResponseTypes           []string
	ClientName              string
	ClientURI               string
	LogoURI                 string
	Scope                   string
	Contacts                []string
	TOSURI                  string
	PolicyURI               string
	JWKSURI                 string
	// JWKS is the client's JSON Web Key Set document, kept as raw JSON.
	JWKS              json.RawMessage
	SoftwareID        string
	SoftwareVersion   string
	SoftwareStatement string

	// OpenID Connect Dynamic Client Registration 1.0, section 2.
	ApplicationType             string
	PostLogoutRedirectURIs      []string
	SectorIdentifierURI         string
	SubjectType                 string
	IDTokenSignedResponseAlg    string
	TokenEndpointAuthSigningAlg string
	DefaultMaxAge               *int64
	RequireAuthTime             *bool
	InitiateLoginURI            string

	// Extra holds every other member, by name, as raw JSON: vendor extensions
	// to send, and unknown fields a server returned.
	Extra map[string]json.RawMessage
}

// Names of the client information fields of RFC 7591 section 3.2.1 and
// RFC 7592 section 3 that are not client metadata.
const (
	FieldClientID                = "client_id"
	FieldClientSecret            = "client_secret"
	FieldClientIDIssuedAt        = "client_id_issued_at"
	FieldClientSecretExpiresAt   = "client_secret_expires_at"
	FieldRegistrationAccessToken = "registration_access_token"
	FieldRegistrationClientURI   = "registration_client_uri"
)

// metadataKind says how a typed field is encoded.
type metadataKind int

const (
	kindString metadataKind = iota
	kindList
	kindJSON
	kindInt
	kindBool
)

type metadataField struct {
	name string
	kind metadataKind
	str  func(*ClientMetadata) *string
	list func(*ClientMetadata) *[]string
}

// metadataFields lists the typed fields in the order they are encoded.
var metadataFields = []metadataField{
	{name: "redirect_uris", kind: kindList, list: func(m *ClientMetadata) *[]string { return &m.RedirectURIs }},
	{name: "token_endpoint_auth_method", kind: kindString, str: func(m *ClientMetadata) *string { return &m.TokenEndpointAuthMethod }},
	{name: "grant_types", kind: kindList, list: func(m *ClientMetadata) *[]string { return &m.GrantTypes }},
	{name: "response_types", kind: kindList, list: func(m *ClientMetadata) *[]string { return &m.ResponseTypes }},
	{name: "client_name", kind: kindString, str: func(m *ClientMetadata) *string { return &m.ClientName }},
	{name: "client_uri", kind: kindString, str: func(m *ClientMetadata) *string { return &m.ClientURI }},
	{name: "logo_uri", kind: kindString, str: func(m *ClientMetadata) *string { return &m.LogoURI }},
	{name: "scope", kind: kindString, str: func(m *ClientMetadata) *string { return &m.Scope }},
	{name: "contacts", kind: kindList, list: func(m *ClientMetadata) *[]string { return &m.Contacts }},
	{name: "tos_uri", kind: kindString, str: func(m *ClientMetadata) *string { return &m.TOSURI }},
	{name: "policy_uri", kind: kindString, str: func(m *ClientMetadata) *string { return &m.PolicyURI }},
	{name: "jwks_uri", kind: kindString, str: func(m *ClientMetadata) *string { return &m.JWKSURI }},
	{name: "jwks", kind: kindJSON},
	{name: "software_id", kind: kindString, str: func(m *ClientMetadata) *string { return &m.SoftwareID }},
	{name: "software_version", kind: kindString, str: func(m *ClientMetadata) *string { return &m.SoftwareVersion }},
	{name: "software_statement", kind: kindString, str: func(m *ClientMetadata) *string { return &m.SoftwareStatement }},
	{name: "application_type", kind: kindString, str: func(m *ClientMetadata) *string { return &m.ApplicationType }},
	{name: "post_logout_redirect_uris", kind: kindList, list: func(m *ClientMetadata) *[]string { return &m.PostLogoutRedirectURIs }},
	{name: "sector_identifier_uri", kind: kindString, str: func(m *ClientMetadata) *string { return &m.SectorIdentifierURI }},
	{name: "subject_type", kind: kindString, str: func(m *ClientMetadata) *string { return &m.SubjectType }},
	{name: "id_token_signed_response_alg", kind: kindString, str: func(m *ClientMetadata) *string { return &m.IDTokenSignedResponseAlg }},
	{name: "token_endpoint_auth_signing_alg", kind: kindString, str: func(m *ClientMetadata) *string { return &m.TokenEndpointAuthSigningAlg }},
	{name: "default_max_age", kind: kindInt},
	{name: "require_auth_time", kind: kindBool},
	{name: "initiate_login_uri", kind: kindString, str: func(m *ClientMetadata) *string { return &m.InitiateLoginURI }},
}

// MetadataFieldNames returns the names of the typed ClientMetadata fields.
func MetadataFieldNames() []string {
	names := make([]string, len(metadataFields))
	for i, f := range metadataFields {
		names[i] = f.name
	}
	return names
}

// IsClientInformationField reports whether name is a field the server issues
// (client_id, client_secret, the timestamps, the registration access token and
// URI) rather than client metadata.
func IsClientInformationField(name string) bool {
	switch name {
	case FieldClientID, FieldClientSecret, FieldClientIDIssuedAt, FieldClientSecretExpiresAt,
		FieldRegistrationAccessToken, FieldRegistrationClientURI:
		return true
	}
	return false
}

// MarshalJSON encodes the metadata as one JSON object: Extra first, typed
// fields over it.
func (m ClientMetadata) MarshalJSON() ([]byte, error) {
	obj, err := m.toMap()
	if err != nil {
		return nil, err
	}
	return marshalObject(obj)
}

func (m *ClientMetadata) toMap() (map[string]json.RawMessage, error) {
	obj := make(map[string]json.RawMessage, len(m.Extra)+len(metadataFields))
	for k, v := range m.Extra {
		if len(bytes.TrimSpace(v)) == 0 {
			continue
		}
		if !json.Valid(v) {
			return nil, fmt.Errorf("extra metadata field %q is not valid JSON", k)
		}
		obj[k] = v
	}
	for _, f := range metadataFields {
		var raw []byte
		var err error
		switch f.kind {
		case kindString:
			if s := *f.str(m); s != "" {
				raw, err = json.Marshal(s)
			}
		case kindList:
			if l := *f.list(m); l != nil {
				raw, err = json.Marshal(l)
			}
		case kindJSON:
			if len(bytes.TrimSpace(m.JWKS)) > 0 {
				if !json.Valid(m.JWKS) {
					return nil, fmt.Errorf("jwks is not valid JSON")
				}
				raw = m.JWKS
			}
		case kindInt:
			if m.DefaultMaxAge != nil {
				raw, err = json.Marshal(*m.DefaultMaxAge)
			}
		case kindBool:
			if m.RequireAuthTime != nil {
				raw, err = json.Marshal(*m.RequireAuthTime)
			}
		}
		if err != nil {
			return nil, err
		}
		if raw != nil {
			obj[f.name] = raw
		}
	}
	return obj, nil
}

// marshalObject encodes obj with sorted keys, so bodies are stable in logs and tests.
func marshalObject(obj map[string]json.RawMessage) ([]byte, error) {
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			buf.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		buf.Write(kb)
		buf.WriteByte(':')
		var compact bytes.Buffer
		if err := json.Compact(&compact, obj[k]); err != nil {
			return nil, fmt.Errorf("field %q: %w", k, err)
		}
		buf.Write(compact.Bytes())
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// UnmarshalJSON decodes a JSON object. It is lenient, because servers differ:
// null counts as absent; a scope sent as an array is joined with spaces; a
// single string where a list belongs becomes a one-element list; a typed
// field of any other shape is kept in Extra unchanged rather than failing.
func (m *ClientMetadata) UnmarshalJSON(data []byte) error {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(data, &obj); err != nil {
		return err
	}
	if obj == nil {
		return fmt.Errorf("client metadata must be a JSON object, got null")
	}
	m.fromMap(obj)
	return nil
}

// fromMap fills m from obj, consuming the typed fields; what remains becomes Extra.
func (m *ClientMetadata) fromMap(obj map[string]json.RawMessage) {
	*m = ClientMetadata{}
	extra := make(map[string]json.RawMessage)
	for k, v := range obj {
		extra[k] = v
	}
	for _, f := range metadataFields {
		raw, ok := extra[f.name]
		if !ok {
			continue
		}
		if isJSONNull(raw) {
			delete(extra, f.name)
			continue
		}
		var consumed bool
		switch f.kind {
		case kindString:
			var s string
			if json.Unmarshal(raw, &s) == nil {
				*f.str(m), consumed = s, true
			} else if f.name == "scope" {
				var l []string
				if json.Unmarshal(raw, &l) == nil {
					*f.str(m), consumed = strings.Join(l, " "), true
				}
			}
		case kindList:
			var l []string
			if json.Unmarshal(raw, &l) == nil {
				if l == nil {
					l = []string{}
				}
				*f.list(m), consumed = l, true
			} else {
				var s string
				if json.Unmarshal(raw, &s) == nil {
					*f.list(m), consumed = []string{s}, true
				}
			}
		case kindJSON:
			var v any
			if json.Unmarshal(raw, &v) == nil {
				m.JWKS, consumed = append(json.RawMessage(nil), raw...), true
			}
		case kindInt:
			var n json.Number
			if json.Unmarshal(raw, &n) == nil {
				if i, err := n.Int64(); err == nil {
					m.DefaultMaxAge, consumed = &i, true
				}
			}
		case kindBool:
			var b bool
			if json.Unmarshal(raw, &b) == nil {
				m.RequireAuthTime, consumed = &b, true
			}
		}
		if consumed {
			delete(extra, f.name)
		}
	}
	if len(extra) > 0 {
		m.Extra = extra
	}
}

func isJSONNull(raw json.RawMessage) bool {
	return bytes.Equal(bytes.TrimSpace(raw), []byte("null"))
}

// ScopeTokens splits a scope string (RFC 6749 section 3.3) into its
// distinct tokens, sorted: the order of scope tokens carries no meaning.
func ScopeTokens(scope string) []string {
	seen := map[string]bool{}
	var out []string
	for _, t := range strings.Fields(scope) {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	sort.Strings(out)
	return out
}

// Fields returns every member the metadata encodes (typed fields and Extra)
// as raw JSON, by name.
func (m ClientMetadata) Fields() (map[string]json.RawMessage, error) { return m.toMap() }

// listFields are the metadata members whose order carries no meaning.
var listFields = map[string]bool{
	"redirect_uris": true, "grant_types": true, "response_types": true, "contacts": true,
	"post_logout_redirect_uris": true, "default_acr_values": true, "request_uris": true,
}

// serverMayAdd are the list members to which servers add values of their own
// (Keycloak always adds authorization_code and refresh_token to grant_types).
var serverMayAdd = map[string]bool{"grant_types": true, "response_types": true}

// EqualMetadataValue compares two values of the member name semantically:
// lists of strings as sets, scope as a set of tokens, anything else as JSON
// (object member order and formatting do not matter). An absent value
// (nil) equals only another absent value.
func EqualMetadataValue(name string, a, b json.RawMessage) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	if name == "scope" {
		var sa, sb string
		if json.Unmarshal(a, &sa) == nil && json.Unmarshal(b, &sb) == nil {
			return strings.Join(ScopeTokens(sa), " ") == strings.Join(ScopeTokens(sb), " ")
		}
	}
	if listFields[name] {
		la, oka := stringSet(a)
		lb, okb := stringSet(b)
		if oka && okb {
			if len(la) != len(lb) {
				return false
			}
			for k := range la {
				if !lb[k] {
					return false
				}
			}
			return true
		}
	}
	return jsonEqual(a, b)
}

// SatisfiesMetadataValue reports whether the server's value got honours the
// requested value want: equal, or absent (the server does not store the
// member: Keycloak drops contacts and application_type), or, for grant and
// response types, a superset (the server added defaults of its own).
func SatisfiesMetadataValue(name string, want, got json.RawMessage) bool {
	if got == nil {
		return true
	}
	if want == nil {
		return false
	}
	if EqualMetadataValue(name, want, got) {
		return true
	}
	if serverMayAdd[name] {
		lw, okw := stringSet(want)
		lg, okg := stringSet(got)
		if okw && okg {
			for k := range lw {
				if !lg[k] {
					return false
				}
			}
			return true
		}
	}
	return false
}

func stringSet(raw json.RawMessage) (map[string]bool, bool) {
	var l []string
	if json.Unmarshal(raw, &l) != nil {
		return nil, false
	}
	out := make(map[string]bool, len(l))
	for _, s := range l {
		out[s] = true
	}
	return out, true
}

func jsonEqual(a, b json.RawMessage) bool {
	var va, vb any
	if json.Unmarshal(a, &va) != nil || json.Unmarshal(b, &vb) != nil {
		return bytes.Equal(bytes.TrimSpace(a), bytes.TrimSpace(b))
	}
	ca, _ := json.Marshal(va)
	cb, _ := json.Marshal(vb)
	return bytes.Equal(ca, cb)
}
