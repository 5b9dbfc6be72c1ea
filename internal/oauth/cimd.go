package oauth

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"
)

// Client ID Metadata Documents (CIMD): the client_id is an https URL and the
// authorization server fetches the client's metadata from it. The rules here
// are those of draft-ietf-oauth-client-id-metadata-document-02 (section
// numbers below are that revision's) and of the MCP authorization
// specification (2025-11-25, "Client ID Metadata Documents").

// Where each rule comes from, for messages.
const (
	CIMDDraft = "draft-ietf-oauth-client-id-metadata-document-02"
	cimdMCP   = "MCP authorization 2025-11-25, Client ID Metadata Documents"
	rfc7591   = "RFC 7591 section 2"
)

// CIMDMaxBytes is the largest document this package accepts by default. The
// draft (section 8.7) recommends that servers read at most 5 kilobytes;
// Keycloak refuses documents over 5000 bytes, so 5000 is the safe size.
const CIMDMaxBytes = 5000

// CIMDProblem is one rule a client identifier URL or a document breaks.
type CIMDProblem struct {
	// Field is the metadata member at fault ("client_id", "redirect_uris",
	// ...); empty for the document as a whole.
	Field string
	// Rule says the rule in a few words, e.g. "client_id must use https".
	Rule string
	// Source names the specification and section.
	Source string
	// Detail says what was found and what to do.
	Detail string
	// Warning marks a SHOULD-level rule: the document works with most
	// servers, but the specification advises against it.
	Warning bool
}

func (p CIMDProblem) Error() string {
	s := p.Rule + " (" + p.Source + ")"
	if p.Detail != "" {
		s += ": " + p.Detail
	}
	return s
}

// CIMDErrors returns the problems that are not warnings.
func CIMDErrors(problems []CIMDProblem) []CIMDProblem {
	var out []CIMDProblem
	for _, p := range problems {
		if !p.Warning {
			out = append(out, p)
		}
	}
	return out
}

// CheckClientIDURL checks a Client Identifier URL against the draft's
// section 3: https, a host, a path, no userinfo, no dot segments, no
// fragment; a query and a bare "/" path are warnings.
func CheckClientIDURL(raw string) []CIMDProblem {
	const src = CIMDDraft + " section 3"
	var out []CIMDProblem
	add := func(rule, detail string, warning bool) {
		out = append(out, CIMDProblem{Field: FieldClientID, Rule: rule, Source: src, Detail: detail, Warning: warning})
	}
	if strings.TrimSpace(raw) == "" {
		add("client_id must be an https URL", "it is empty; set it to the https URL the document will be served at", false)
		return out
	}
	u, err := url.Parse(raw)
	if err != nil {
		add("client_id must be a valid URL", err.Error(), false)
		return out
	}
	if u.Scheme != "https" || !strings.HasPrefix(raw, "https:") {
		add("client_id must use https", fmt.Sprintf("%q has scheme %q; authorization servers fetch the document over https only (lower-case \"https\", since client_ids are compared as strings)", raw, u.Scheme), false)
	}
	if u.Opaque != "" || u.Host == "" {
		add("client_id must have a host", fmt.Sprintf("%q is not of the form https://host/path", raw), false)
	}
	if u.User != nil {
		add("client_id must not contain userinfo", "remove the user:password@ part", false)
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		add("client_id must not contain a fragment", "remove the #... part", false)
	}
	p := u.EscapedPath()
	switch p {
	case "":
		add("client_id must contain a path", fmt.Sprintf("%q has no path; serve the document at a path such as /client.json", raw), false)
	case "/":
		add("client_id should not be the root path", "a document at / conflicts with the site's own content; use a path such as /client.json", true)
	default:
		for _, seg := range strings.Split(p, "/") {
			if d, err := url.PathUnescape(seg); err == nil && (d == "." || d == "..") {
				add("client_id must not contain dot segments", fmt.Sprintf("the path %q has a %q segment", p, seg), false)
				break
			}
		}
	}
	if u.RawQuery != "" || u.ForceQuery {
		add("client_id should not contain a query", "a query component is discouraged; put the variation in the path", true)
	}
	if strings.ContainsAny(raw, " \t\r\n") {
		add("client_id must not contain whitespace", "remove the spaces", false)
	}
	return out
}

// sharedSecretMethods are the token endpoint authentication methods built on a
// shared symmetric secret, which a CIMD client cannot have (section 4.1).
var sharedSecretMethods = map[string]bool{
	"client_secret_basic": true, "client_secret_post": true, "client_secret_jwt": true,
}

// privateJWKMembers are JWK members that only private (or symmetric) keys have.
var privateJWKMembers = []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"}

// CheckClientMetadataDocument checks a whole document, given as its members
// by name, for the client identifier URL it is (to be) served at: the URL
// rules, the members the draft and MCP require, and the credential rules.
func CheckClientMetadataDocument(clientIDURL string, fields map[string]json.RawMessage) []CIMDProblem {
	out := CheckClientIDURL(clientIDURL)
	add := func(field, rule, source, detail string) {
		out = append(out, CIMDProblem{Field: field, Rule: rule, Source: source, Detail: detail})
	}
	str := func(name string) (string, bool, bool) { // value, present, is a string
		raw, ok := fields[name]
		if !ok || isJSONNull(raw) {
			return "", false, false
		}
		var s string
		err := json.Unmarshal(raw, &s)
		return s, true, err == nil
	}

	// Section 4: client_id equals the URL, by simple string comparison.
	switch id, present, isStr := str(FieldClientID); {
	case !present:
		add(FieldClientID, "the document must contain client_id", CIMDDraft+" section 4", "add \"client_id\": "+quoteJSON(clientIDURL))
	case !isStr:
		add(FieldClientID, "client_id must be a string", CIMDDraft+" section 4", "it is "+shorten(string(fields[FieldClientID]), 60))
	case id != clientIDURL:
		add(FieldClientID, "client_id must be identical to the document's URL", CIMDDraft+" section 4",
			fmt.Sprintf("the document says %q but is served at %q; servers compare them character by character (no normalisation of case, port or trailing slash)", id, clientIDURL))
	}

	// MCP: client_name and redirect_uris are required.
	if name, present, isStr := str("client_name"); !present || !isStr || strings.TrimSpace(name) == "" {
		add("client_name", "the document must contain client_name", cimdMCP, "set a non-empty client_name: servers show it on the consent screen")
	}
	if raw, ok := fields["redirect_uris"]; !ok || isJSONNull(raw) {
		add("redirect_uris", "the document must contain redirect_uris", cimdMCP, "list at least one redirect URI")
	} else {
		var uris []string
		if err := json.Unmarshal(raw, &uris); err != nil {
			add("redirect_uris", "redirect_uris must be an array of strings", rfc7591, "it is "+shorten(string(raw), 60))
		} else if len(uris) == 0 {
			add("redirect_uris", "the document must contain redirect_uris", cimdMCP, "list at least one redirect URI")
		} else {
			for _, r := range uris {
				if detail := redirectURIProblem(r); detail != "" {
					add("redirect_uris", "each redirect URI must be an absolute URI without a fragment", "RFC 6749 section 3.1.2", detail)
				}
			}
		}
	}

	// Section 4.1: no shared secrets.
	for _, name := range []string{FieldClientSecret, FieldClientSecretExpiresAt} {
		if _, ok := fields[name]; ok {
			add(name, name+" must not be used", CIMDDraft+" section 4.1", "there is no way to share a secret with a server that fetches the document; remove "+name)
		}
	}
	for _, name := range []string{FieldRegistrationAccessToken, FieldRegistrationClientURI, FieldClientIDIssuedAt} {
		if _, ok := fields[name]; ok {
			add(name, name+" is issued by a registration, not client metadata", rfc7591+"; RFC 7592", "remove "+name+": a metadata document has no registration")
		}
	}
	method, present, isStr := str("token_endpoint_auth_method")
	switch {
	case !present:
		add("token_endpoint_auth_method", "token_endpoint_auth_method must be set", CIMDDraft+" section 4.1; "+rfc7591,
			"RFC 7591 makes client_secret_basic the default when it is absent, a shared-secret method; set \"none\" (a public client using PKCE) or \"private_key_jwt\" with jwks or jwks_uri")
	case !isStr:
		add("token_endpoint_auth_method", "token_endpoint_auth_method must be a string", rfc7591, "it is "+shorten(string(fields["token_endpoint_auth_method"]), 60))
	case sharedSecretMethods[method]:
		add("token_endpoint_auth_method", "token_endpoint_auth_method must not use a shared secret", CIMDDraft+" section 4.1",
			fmt.Sprintf("%q relies on a client secret; use \"none\" (a public client using PKCE) or \"private_key_jwt\" with jwks or jwks_uri", method))
	}
	_, hasJWKS, _ := str("jwks") // present check only
	jwksURI, hasJWKSURI, _ := str("jwks_uri")
	if hasJWKS && hasJWKSURI {
		add("jwks", "jwks and jwks_uri must not both be present", rfc7591, "keep one of them")
	}
	if isStr && (method == "private_key_jwt" || method == "self_signed_tls_client_auth") && !hasJWKS && !hasJWKSURI {
		add("token_endpoint_auth_method", method+" needs the client's public keys", CIMDDraft+" section 8.2",
			"publish the public keys in jwks or jwks_uri: the server has no other way to learn them")
	}
	if hasJWKS {
		for _, detail := range jwksProblems(fields["jwks"]) {
			add("jwks", "jwks must hold only public keys", CIMDDraft+" section 4.1", detail)
		}
	}
	if hasJWKSURI && jwksURI != "" && !strings.HasPrefix(jwksURI, "https://") {
		add("jwks_uri", "jwks_uri must be an https URL", CIMDDraft+" section 8.6", fmt.Sprintf("%q: servers fetch keys only over https", jwksURI))
	}

	// A public client cannot use the client credentials grant.
	if raw, ok := fields["grant_types"]; ok && isStr && method == "none" {
		var grants []string
		if json.Unmarshal(raw, &grants) == nil {
			for _, g := range grants {
				if g == "client_credentials" {
					add("grant_types", "client_credentials needs client authentication", "RFC 6749 section 4.4",
						"a client with token_endpoint_auth_method \"none\" cannot use it; use private_key_jwt or remove client_credentials")
				}
			}
		}
	}

	// Other URLs in the document: only https (section 8.6 tells servers to
	// refuse unknown schemes; http is a warning).
	for _, name := range []string{"client_uri", "logo_uri", "tos_uri", "policy_uri", "initiate_login_uri", "sector_identifier_uri"} {
		v, present, isStr := str(name)
		if !present || !isStr || v == "" {
			continue
		}
		u, err := url.Parse(v)
		switch {
		case err != nil || !u.IsAbs() || u.Host == "":
			add(name, name+" must be an absolute URL", CIMDDraft+" section 8.6", fmt.Sprintf("%q is not an absolute https URL", v))
		case u.Scheme == "http":
			out = append(out, CIMDProblem{Field: name, Rule: name + " should use https", Source: CIMDDraft + " section 8.6",
				Detail: fmt.Sprintf("%q: servers may refuse or ignore plain http URLs", v), Warning: true})
		case u.Scheme != "https":
			add(name, name+" must use https", CIMDDraft+" section 8.6", fmt.Sprintf("%q has scheme %q", v, u.Scheme))
		}
	}
	return out
}

// redirectURIProblem returns why r is not a usable redirect URI, or "".
func redirectURIProblem(r string) string {
	u, err := url.Parse(r)
	if err != nil {
		return fmt.Sprintf("%q is not a valid URI: %v", r, err)
	}
	if !u.IsAbs() {
		return fmt.Sprintf("%q is not absolute", r)
	}
	if u.Fragment != "" || strings.Contains(r, "#") {
		return fmt.Sprintf("%q has a fragment", r)
	}
	return ""
}

// jwksProblems lists private key material and shape errors in a JWKS.
func jwksProblems(raw json.RawMessage) []string {
	var set struct {
		Keys []map[string]json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(raw, &set); err != nil || set.Keys == nil {
		return []string{"jwks must be a JSON Web Key Set: an object with a \"keys\" array"}
	}
	var out []string
	for i, k := range set.Keys {
		var kid string
		_ = json.Unmarshal(k["kid"], &kid)
		for _, m := range privateJWKMembers {
			if _, ok := k[m]; ok {
				out = append(out, fmt.Sprintf("key %d (kid %q) has the private or symmetric member %q: publish only the public key", i, kid, m))
				break
			}
		}
	}
	return out
}

func quoteJSON(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// ClientMetadataDocument is a rendered document.
type ClientMetadataDocument struct {
	// JSON is the canonical encoding: object members sorted by name at every
	// level, no insignificant whitespace, no HTML escaping, numbers as given.
	JSON []byte
	// SHA256 is the lower-case hex SHA-256 of JSON.
	SHA256 string
	// Problems are every rule the document breaks, warnings included.
	Problems []CIMDProblem
}

// RenderClientMetadataDocument renders metadata as the document to serve at
// clientIDURL (which becomes its client_id) and checks it, including its
// size against maxBytes (CIMDMaxBytes when zero). The document is returned
// even when it breaks rules, so callers can show it.
func RenderClientMetadataDocument(clientIDURL string, m ClientMetadata, maxBytes int) (*ClientMetadataDocument, error) {
	fields, err := m.Fields()
	if err != nil {
		return nil, err
	}
	if _, ok := fields[FieldClientID]; ok {
		return nil, fmt.Errorf("client_id is set from the document's URL; remove it from the other metadata")
	}
	fields[FieldClientID], _ = json.Marshal(clientIDURL)
	obj, err := marshalObject(fields)
	if err != nil {
		return nil, err
	}
	body, err := CanonicalJSON(obj)
	if err != nil {
		return nil, err
	}
	doc := &ClientMetadataDocument{JSON: body, SHA256: SHA256Hex(body)}
	doc.Problems = CheckClientMetadataDocument(clientIDURL, fields)
	if p, ok := sizeProblem(len(body), maxBytes); ok {
		doc.Problems = append(doc.Problems, p)
	}
	return doc, nil
}

func sizeProblem(size, maxBytes int) (CIMDProblem, bool) {
	if maxBytes <= 0 {
		maxBytes = CIMDMaxBytes
	}
	if size <= maxBytes {
		return CIMDProblem{}, false
	}
	return CIMDProblem{Rule: "the document is too large", Source: CIMDDraft + " section 8.7",
		Detail: fmt.Sprintf("it is %d bytes; servers may refuse documents over %d bytes (the draft recommends reading at most 5 kilobytes, Keycloak stops at 5000 bytes): shorten it, for example by moving keys to jwks_uri", size, maxBytes)}, true
}

// CanonicalJSON re-encodes a JSON value with object members sorted by name
// at every level, no insignificant whitespace and no HTML escaping; numbers
// keep their text. Two documents with the same content have the same bytes.
func CanonicalJSON(raw []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("more than one JSON value")
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil { // maps encode with sorted keys
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// SHA256Hex is the lower-case hex SHA-256 of b.
func SHA256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// differingMembers lists the top-level members whose values differ between
// two JSON objects (by JSON value, not by formatting).
func differingMembers(a, b map[string]json.RawMessage) []string {
	var out []string
	for k, va := range a {
		if vb, ok := b[k]; !ok || !jsonEqual(va, vb) {
			out = append(out, k)
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}
