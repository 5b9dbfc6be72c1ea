package oauth

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
)

// AuthorizationServerMetadata is an RFC 8414 / OpenID Connect Discovery
// document, with the registered extensions MCP clients care about. Raw keeps
// the document as served, so vendor fields are never lost.
type AuthorizationServerMetadata struct {
	Issuer                             string
	AuthorizationEndpoint              string
	TokenEndpoint                      string
	RegistrationEndpoint               string
	JWKSURI                            string
	IntrospectionEndpoint              string
	RevocationEndpoint                 string
	UserinfoEndpoint                   string // OIDC
	EndSessionEndpoint                 string // OIDC RP-Initiated Logout
	DeviceAuthorizationEndpoint        string // RFC 8628
	PushedAuthorizationRequestEndpoint string // RFC 9126
	ServiceDocumentation               string
	OPPolicyURI                        string
	OPTOSURI                           string
	SignedMetadata                     string

	ScopesSupported                                    []string
	ResponseTypesSupported                             []string
	ResponseModesSupported                             []string
	GrantTypesSupported                                []string
	TokenEndpointAuthMethodsSupported                  []string
	TokenEndpointAuthSigningAlgValuesSupported         []string
	RevocationEndpointAuthMethodsSupported             []string
	RevocationEndpointAuthSigningAlgValuesSupported    []string
	IntrospectionEndpointAuthMethodsSupported          []string
	IntrospectionEndpointAuthSigningAlgValuesSupported []string
	CodeChallengeMethodsSupported                      []string
	UILocalesSupported                                 []string
	DPoPSigningAlgValuesSupported                      []string // RFC 9449
	ProtectedResources                                 []string // RFC 9728 section 4
	SubjectTypesSupported                              []string // OIDC
	IDTokenSigningAlgValuesSupported                   []string // OIDC
	ClaimsSupported                                    []string // OIDC
	ACRValuesSupported                                 []string // OIDC

	ClientIDMetadataDocumentSupported          bool // draft-ietf-oauth-client-id-metadata-document
	RequirePushedAuthorizationRequests         bool // RFC 9126
	AuthorizationResponseISSParameterSupported bool // RFC 9207
	TLSClientCertificateBoundAccessTokens      bool // RFC 8705

	// IgnoredFields lists documented fields of the wrong type that were
	// treated as absent (only fields MCP does not rely on; see
	// DecodeServerMetadata). Nil when there were none.
	IgnoredFields []string
	// Raw is the document as served, without surrounding whitespace or a
	// leading byte-order mark.
	Raw json.RawMessage
}

// SupportsPKCES256 reports whether code_challenge_methods_supported lists
// S256. MCP clients must refuse a server that does not (MCP since 2025-11-25),
// although some servers support S256 without advertising it.
func (m AuthorizationServerMetadata) SupportsPKCES256() bool {
	for _, method := range m.CodeChallengeMethodsSupported {
		if method == "S256" {
			return true
		}
	}
	return false
}

// serverCriticalFields are the fields MCP clients rely on: a wrong type in
// one of them rejects the document instead of hiding the field.
var serverCriticalFields = []string{"authorization_endpoint", "token_endpoint", "registration_endpoint", "code_challenge_methods_supported"}

// DecodeServerMetadata decodes an authorization server metadata document. It
// fails with ErrNotJSONObject, ErrMissingRequiredField (no "issuer") or a
// *FieldTypeError for "issuer" or a field MCP relies on (the authorization,
// token and registration endpoints, code_challenge_methods_supported);
// another field of the wrong type is treated as absent and listed in
// IgnoredFields. See docFields for the type mistakes it tolerates.
func DecodeServerMetadata(body []byte) (AuthorizationServerMetadata, error) {
	d, err := newDocFields(body, serverCriticalFields...)
	if err != nil {
		return AuthorizationServerMetadata{}, err
	}
	issuer, err := d.required("issuer")
	if err != nil {
		return AuthorizationServerMetadata{}, err
	}
	m := AuthorizationServerMetadata{
		Issuer:                             issuer,
		AuthorizationEndpoint:              d.str("authorization_endpoint"),
		TokenEndpoint:                      d.str("token_endpoint"),
		RegistrationEndpoint:               d.str("registration_endpoint"),
		JWKSURI:                            d.str("jwks_uri"),
		IntrospectionEndpoint:              d.str("introspection_endpoint"),
		RevocationEndpoint:                 d.str("revocation_endpoint"),
		UserinfoEndpoint:                   d.str("userinfo_endpoint"),
		EndSessionEndpoint:                 d.str("end_session_endpoint"),
		DeviceAuthorizationEndpoint:        d.str("device_authorization_endpoint"),
		PushedAuthorizationRequestEndpoint: d.str("pushed_authorization_request_endpoint"),
		ServiceDocumentation:               d.str("service_documentation"),
		OPPolicyURI:                        d.str("op_policy_uri"),
		OPTOSURI:                           d.str("op_tos_uri"),
		SignedMetadata:                     d.str("signed_metadata"),

		ScopesSupported:                                    d.scopeList("scopes_supported"),
		ResponseTypesSupported:                             d.list("response_types_supported"),
		ResponseModesSupported:                             d.list("response_modes_supported"),
		GrantTypesSupported:                                d.list("grant_types_supported"),
		TokenEndpointAuthMethodsSupported:                  d.list("token_endpoint_auth_methods_supported"),
		TokenEndpointAuthSigningAlgValuesSupported:         d.list("token_endpoint_auth_signing_alg_values_supported"),
		RevocationEndpointAuthMethodsSupported:             d.list("revocation_endpoint_auth_methods_supported"),
		RevocationEndpointAuthSigningAlgValuesSupported:    d.list("revocation_endpoint_auth_signing_alg_values_supported"),
		IntrospectionEndpointAuthMethodsSupported:          d.list("introspection_endpoint_auth_methods_supported"),
		IntrospectionEndpointAuthSigningAlgValuesSupported: d.list("introspection_endpoint_auth_signing_alg_values_supported"),
		CodeChallengeMethodsSupported:                      d.list("code_challenge_methods_supported"),
		UILocalesSupported:                                 d.scopeList("ui_locales_supported"), // BCP 47 tags hold no spaces either
		DPoPSigningAlgValuesSupported:                      d.list("dpop_signing_alg_values_supported"),
		ProtectedResources:                                 d.list("protected_resources"),
		SubjectTypesSupported:                              d.list("subject_types_supported"),
		IDTokenSigningAlgValuesSupported:                   d.list("id_token_signing_alg_values_supported"),
		ClaimsSupported:                                    d.scopeList("claims_supported"),
		ACRValuesSupported:                                 d.list("acr_values_supported"),

		ClientIDMetadataDocumentSupported:          d.boolean("client_id_metadata_document_supported"),
		RequirePushedAuthorizationRequests:         d.boolean("require_pushed_authorization_requests"),
		AuthorizationResponseISSParameterSupported: d.boolean("authorization_response_iss_parameter_supported"),
		TLSClientCertificateBoundAccessTokens:      d.boolean("tls_client_certificate_bound_access_tokens"),

		Raw: json.RawMessage(d.body),
	}
	if d.err != nil {
		return AuthorizationServerMetadata{}, d.err
	}
	m.IgnoredFields = d.ignored
	return m, nil
}

// IssuerMatch selects how a document's "issuer" is compared with the issuer
// used to build the well-known URL.
type IssuerMatch string

const (
	// IssuerMatchExact requires identical strings (RFC 8414 section 3.3,
	// OIDC Discovery section 4.3, MCP 2026-07-28).
	IssuerMatchExact IssuerMatch = "exact"
	// IssuerMatchAllowTrailingSlash also accepts the same issuer with or
	// without one trailing slash, as some large providers publish.
	IssuerMatchAllowTrailingSlash IssuerMatch = "allow_trailing_slash"
)

// IssuerMatchModes lists the valid IssuerMatch values.
var IssuerMatchModes = []string{string(IssuerMatchExact), string(IssuerMatchAllowTrailingSlash)}

func issuerMatches(mode IssuerMatch, expected, got string) bool {
	if expected == got {
		return true
	}
	return mode == IssuerMatchAllowTrailingSlash && (expected+"/" == got || got+"/" == expected)
}

// Sources of an authorization server metadata document.
const (
	SourceOAuth = "oauth" // RFC 8414 oauth-authorization-server
	SourceOIDC  = "oidc"  // OpenID Connect Discovery openid-configuration
)

// ServerMetadataCandidate is one URL to try and which kind of document it serves.
type ServerMetadataCandidate struct {
	URL    string
	Source string // SourceOAuth or SourceOIDC
}

// ServerMetadataWellKnownURLs returns the URLs to try for an issuer, in
// order. With a path P (trailing slash removed): the RFC 8414 and OIDC
// insertions, the OIDC appending (the MCP order since 2025-11-25), then the
// appended RFC 8414 form that Keycloak and Okta custom servers serve.
// Without a path: the two insertions only.
func ServerMetadataWellKnownURLs(issuer string) ([]ServerMetadataCandidate, error) {
	u, err := url.Parse(issuer)
	if err != nil {
		return nil, fmt.Errorf("issuer %q is not a valid URL: %w", issuer, err)
	}
	if err := checkIssuerShape(issuer, u); err != nil {
		return nil, err
	}
	const oauthSuffix = "/.well-known/oauth-authorization-server"
	const oidcSuffix = "/.well-known/openid-configuration"
	p := strings.TrimSuffix(u.EscapedPath(), "/")
	build := func(escapedPath string) string {
		out := url.URL{Scheme: u.Scheme, Host: u.Host}
		unescaped, err := url.PathUnescape(escapedPath)
		if err != nil {
			unescaped = escapedPath
		}
		out.Path, out.RawPath = unescaped, escapedPath
		return out.String()
	}
	if p == "" {
		return []ServerMetadataCandidate{
			{build(oauthSuffix), SourceOAuth},
			{build(oidcSuffix), SourceOIDC},
		}, nil
	}
	return []ServerMetadataCandidate{
		{build(oauthSuffix + p), SourceOAuth},
		{build(oidcSuffix + p), SourceOIDC},
		{build(p + oidcSuffix), SourceOIDC},
		{build(p + oauthSuffix), SourceOAuth},
	}, nil
}

// checkIssuerShape refuses what RFC 8414 section 2 forbids in an issuer
// identifier: a query or a fragment. The well-known URLs could not carry them,
// and tokens from such an issuer could not be matched to it.
func checkIssuerShape(issuer string, u *url.URL) error {
	if u.RawQuery != "" || u.ForceQuery || strings.Contains(issuer, "?") {
		return fmt.Errorf("issuer %q has a query component (?...): an issuer identifier must not have one (RFC 8414 section 2); "+
			"use the issuer exactly as the authorization server publishes it", issuer)
	}
	if u.Fragment != "" || strings.Contains(issuer, "#") {
		return fmt.Errorf("issuer %q has a fragment (#...): an issuer identifier must not have one (RFC 8414 section 2)", issuer)
	}
	return nil
}

// ServerMetadataRequest says which issuer to discover.
type ServerMetadataRequest struct {
	Issuer string
	Match  IssuerMatch // empty means IssuerMatchExact
}

// ServerMetadataResult is a discovered document and how it was found.
type ServerMetadataResult struct {
	Metadata    AuthorizationServerMetadata
	MetadataURL string // the URL the document was fetched from (before any redirect)
	Source      string // SourceOAuth or SourceOIDC
	Attempts    []Attempt
}

// DiscoverServerMetadata fetches an authorization server's metadata, trying
// the well-known URLs in order until one serves a document whose issuer
// matches. A document with another issuer is recorded and skipped. It returns
// a *DiscoveryError when no URL served a document and a *MismatchError when
// the only documents found named another issuer.
func (c *Client) DiscoverServerMetadata(ctx context.Context, req ServerMetadataRequest) (*ServerMetadataResult, error) {
	match := req.Match
	if match == "" {
		match = IssuerMatchExact
	}
	if match != IssuerMatchExact && match != IssuerMatchAllowTrailingSlash {
		return nil, fmt.Errorf("unknown issuer match mode %q: use one of %s", match, strings.Join(IssuerMatchModes, ", "))
	}
	if err := ValidateURL(req.Issuer, c.opts.AllowInsecureHTTP); err != nil {
		return nil, err
	}
	candidates, err := ServerMetadataWellKnownURLs(req.Issuer)
	if err != nil {
		return nil, err
	}
	res := &ServerMetadataResult{}
	sought := "authorization server metadata for issuer " + req.Issuer
	urls := make([]string, len(candidates))
	for i, candidate := range candidates {
		urls[i] = candidate.URL
	}
	var doc AuthorizationServerMetadata
	i, attempts, err := c.discoverFirst(ctx, sought, urls, false, nil, func(i int, body []byte) (string, *MismatchError, error) {
		d, err := DecodeServerMetadata(body)
		if err != nil {
			return "", nil, err
		}
		if !issuerMatches(match, req.Issuer, d.Issuer) {
			return "", &MismatchError{Field: "issuer", Expected: req.Issuer, Got: d.Issuer, Mode: string(match),
				RelaxedMode: issuerRelaxedMode(match, req.Issuer, d.Issuer)}, nil
		}
		doc = d
		return candidates[i].Source + " metadata for issuer " + d.Issuer + ignoredNote(d.IgnoredFields), nil, nil
	})
	if err != nil {
		return nil, err
	}
	res.Attempts = attempts
	res.Metadata, res.MetadataURL, res.Source = doc, candidates[i].URL, candidates[i].Source
	return res, nil
}

// issuerRelaxedMode names the match mode that would accept got, if any.
func issuerRelaxedMode(mode IssuerMatch, expected, got string) string {
	if mode == IssuerMatchExact && issuerMatches(IssuerMatchAllowTrailingSlash, expected, got) {
		return string(IssuerMatchAllowTrailingSlash)
	}
	return ""
}
