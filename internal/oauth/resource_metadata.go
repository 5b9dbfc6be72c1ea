package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// ProtectedResourceMetadata is an RFC 9728 document. Raw keeps the document
// as served, so fields this type does not know (vendor extensions) are never lost.
type ProtectedResourceMetadata struct {
	Resource                              string
	AuthorizationServers                  []string
	JWKSURI                               string
	ScopesSupported                       []string
	BearerMethodsSupported                []string
	ResourceSigningAlgValuesSupported     []string
	ResourceName                          string
	ResourceDocumentation                 string
	ResourcePolicyURI                     string
	ResourceTOSURI                        string
	TLSClientCertificateBoundAccessTokens bool
	AuthorizationDetailsTypesSupported    []string
	DPoPSigningAlgValuesSupported         []string
	DPoPBoundAccessTokensRequired         bool
	SignedMetadata                        string
	// IgnoredFields lists documented fields of the wrong type that were
	// treated as absent (only fields MCP does not rely on; see
	// DecodeResourceMetadata). Nil when there were none.
	IgnoredFields []string
	// Raw is the document as served, without surrounding whitespace or a
	// leading byte-order mark.
	Raw json.RawMessage
}

// DecodeResourceMetadata decodes an RFC 9728 document. It fails with
// ErrNotJSONObject, ErrMissingRequiredField (no "resource") or a
// *FieldTypeError for "resource" or "authorization_servers" (the fields MCP
// relies on); another field of the wrong type is treated as absent and
// listed in IgnoredFields. See docFields for the type mistakes it tolerates.
func DecodeResourceMetadata(body []byte) (ProtectedResourceMetadata, error) {
	d, err := newDocFields(body, "authorization_servers")
	if err != nil {
		return ProtectedResourceMetadata{}, err
	}
	resource, err := d.required("resource")
	if err != nil {
		return ProtectedResourceMetadata{}, err
	}
	m := ProtectedResourceMetadata{
		Resource:                              resource,
		AuthorizationServers:                  d.list("authorization_servers"),
		JWKSURI:                               d.str("jwks_uri"),
		ScopesSupported:                       d.scopeList("scopes_supported"),
		BearerMethodsSupported:                d.list("bearer_methods_supported"),
		ResourceSigningAlgValuesSupported:     d.list("resource_signing_alg_values_supported"),
		ResourceName:                          d.str("resource_name"),
		ResourceDocumentation:                 d.str("resource_documentation"),
		ResourcePolicyURI:                     d.str("resource_policy_uri"),
		ResourceTOSURI:                        d.str("resource_tos_uri"),
		TLSClientCertificateBoundAccessTokens: d.boolean("tls_client_certificate_bound_access_tokens"),
		AuthorizationDetailsTypesSupported:    d.list("authorization_details_types_supported"),
		DPoPSigningAlgValuesSupported:         d.list("dpop_signing_alg_values_supported"),
		DPoPBoundAccessTokensRequired:         d.boolean("dpop_bound_access_tokens_required"),
		SignedMetadata:                        d.str("signed_metadata"),
		Raw:                                   json.RawMessage(d.body),
	}
	if d.err != nil {
		return ProtectedResourceMetadata{}, d.err
	}
	m.IgnoredFields = d.ignored
	return m, nil
}

// ResourceMatch selects how a document's "resource" is compared with the
// resource the client asked about.
type ResourceMatch string

const (
	// ResourceMatchExact requires identical strings (RFC 9728 section 3.3).
	ResourceMatchExact ResourceMatch = "exact"
	// ResourceMatchSameOriginPrefix accepts a resource with the same origin
	// whose path is a whole-segment prefix of the requested one, ignoring a
	// trailing slash: for servers that publish their root (https://host/)
	// or a trailing-slash variant for https://host/mcp.
	ResourceMatchSameOriginPrefix ResourceMatch = "same_origin_prefix"
)

// ResourceMatchModes lists the valid ResourceMatch values.
var ResourceMatchModes = []string{string(ResourceMatchExact), string(ResourceMatchSameOriginPrefix)}

// resourceMatches compares a document's resource (got) with the requested one.
func resourceMatches(mode ResourceMatch, requested, got string) bool {
	if requested == got {
		return true
	}
	if mode != ResourceMatchSameOriginPrefix {
		return false
	}
	r, err1 := url.Parse(requested)
	g, err2 := url.Parse(got)
	if err1 != nil || err2 != nil || g.RawQuery != "" || g.Fragment != "" {
		return false
	}
	if originOf(r) != originOf(g) {
		return false
	}
	gp := strings.TrimSuffix(g.EscapedPath(), "/")
	rp := strings.TrimSuffix(r.EscapedPath(), "/")
	return gp == "" || rp == gp || strings.HasPrefix(rp, gp+"/")
}

// originOf returns scheme://host:port with case folded and the default port explicit.
func originOf(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	port := u.Port()
	if port == "" {
		switch scheme {
		case "https":
			port = "443"
		case "http":
			port = "80"
		}
	}
	return scheme + "://" + strings.ToLower(u.Hostname()) + ":" + port
}

// ResourceMetadataWellKnownURLs returns the RFC 9728 section 3.1 URLs for a
// resource, in the order to try them: the path-aware one (well-known prefix
// inserted between host and path, a terminating slash after the host
// removed, the query kept), then the root one (the origin's own metadata,
// without path or query). A resource without a path or query has only the
// root one.
func ResourceMetadataWellKnownURLs(resource string) ([]string, error) {
	u, err := url.Parse(resource)
	if err != nil {
		return nil, fmt.Errorf("resource %q is not a valid URL: %w", resource, err)
	}
	const suffix = "/.well-known/oauth-protected-resource"
	root := url.URL{Scheme: u.Scheme, Host: u.Host, Path: suffix}
	escaped := u.EscapedPath()
	if escaped == "/" {
		escaped = "" // https://h/?x=1 is https://h?x=1
	}
	if escaped == "" && u.RawQuery == "" {
		return []string{root.String()}, nil
	}
	pathAware := url.URL{Scheme: u.Scheme, Host: u.Host, RawQuery: u.RawQuery}
	unescaped, err := url.PathUnescape(escaped)
	if err != nil {
		unescaped = escaped
	}
	pathAware.Path = suffix + unescaped
	pathAware.RawPath = suffix + escaped
	return []string{pathAware.String(), root.String()}, nil
}

// ResourceMetadataRequest says what to discover. Set ResourceURL (the MCP
// server URL, which is the resource identifier), MetadataURL (skips the
// probe and the well-known URLs), or both. Without ResourceURL the document's
// resource cannot be checked.
type ResourceMetadataRequest struct {
	ResourceURL string
	MetadataURL string
	Match       ResourceMatch // empty means ResourceMatchExact
}

// ResourceMetadataResult is a discovered document and how it was found.
type ResourceMetadataResult struct {
	Metadata ProtectedResourceMetadata
	// MetadataURL is the URL the document was fetched from (before any redirect).
	MetadataURL string
	// Challenge is the Bearer challenge from the probe, nil when there was
	// none (or no probe). Its Scope is authoritative for MCP clients.
	Challenge *BearerChallenge
	Attempts  []Attempt
}

// DiscoverResourceMetadata finds and checks a protected resource's metadata:
// probe the MCP endpoint for a Bearer challenge, then try the challenge's
// resource_metadata URL, the path-aware well-known URL and the root one;
// the first valid document wins. It returns a *DiscoveryError when no URL
// served a document and a *MismatchError when the only documents found
// named another resource.
func (c *Client) DiscoverResourceMetadata(ctx context.Context, req ResourceMetadataRequest) (*ResourceMetadataResult, error) {
	match := req.Match
	if match == "" {
		match = ResourceMatchExact
	}
	if match != ResourceMatchExact && match != ResourceMatchSameOriginPrefix {
		return nil, fmt.Errorf("unknown resource match mode %q: use one of %s", match, strings.Join(ResourceMatchModes, ", "))
	}
	if req.ResourceURL == "" && req.MetadataURL == "" {
		return nil, fmt.Errorf("a resource URL or a metadata URL is required")
	}
	for _, u := range []string{req.ResourceURL, req.MetadataURL} {
		if u == "" {
			continue
		}
		if err := ValidateURL(u, c.opts.AllowInsecureHTTP); err != nil {
			return nil, err
		}
	}

	res := &ResourceMetadataResult{}
	sought := "protected resource metadata"
	var candidates []string
	rootURL := "" // the root well-known URL, whose identifier is the origin
	// endpoint is the MCP endpoint after same-origin redirects of the probe;
	// a document naming it is as good as one naming ResourceURL.
	endpoint := req.ResourceURL
	unauthorized := false
	if req.MetadataURL != "" {
		candidates = []string{req.MetadataURL}
		sought += " at " + req.MetadataURL
	} else {
		sought += " for " + req.ResourceURL
		probe, err := c.probeResource(ctx, req.ResourceURL)
		res.Attempts = append(res.Attempts, probe.attempts...)
		if err != nil {
			return nil, &DiscoveryError{Sought: sought, Attempts: res.Attempts, Err: err}
		}
		challenge := probe.challenge
		res.Challenge = challenge
		endpoint = probe.url
		unauthorized = probe.unauthorized
		if challenge != nil && challenge.ResourceMetadata != "" {
			if err := ValidateURL(challenge.ResourceMetadata, c.opts.AllowInsecureHTTP); err != nil {
				res.Attempts = append(res.Attempts, Attempt{URL: RedactURL(challenge.ResourceMetadata), Outcome: OutcomeRejected,
					Detail: "the challenge's resource_metadata URL was not fetched: " + err.Error()})
			} else {
				candidates = append(candidates, challenge.ResourceMetadata)
			}
		}
		wellKnown, err := ResourceMetadataWellKnownURLs(endpoint)
		if err != nil {
			return nil, err
		}
		candidates = appendUnique(candidates, wellKnown...)
		rootURL = wellKnown[len(wellKnown)-1]
	}

	var doc ProtectedResourceMetadata
	i, attempts, err := c.discoverFirst(ctx, sought, candidates, true, res.Attempts, func(i int, body []byte) (string, *MismatchError, error) {
		d, err := DecodeResourceMetadata(body)
		if err != nil {
			return "", nil, err
		}
		if req.ResourceURL != "" && !resourceMatches(match, req.ResourceURL, d.Resource) &&
			!resourceMatches(match, endpoint, d.Resource) &&
			(candidates[i] != rootURL || !isOriginOf(req.ResourceURL, d.Resource)) {
			return "", &MismatchError{Field: "resource", Expected: req.ResourceURL, Got: d.Resource, Mode: string(match),
				RelaxedMode: resourceRelaxedMode(match, req.ResourceURL, d.Resource)}, nil
		}
		doc = d
		return "protected resource metadata for " + d.Resource + ignoredNote(d.IgnoredFields), nil, nil
	})
	if err != nil {
		var de *DiscoveryError
		if errors.As(err, &de) && unauthorized {
			de.unauthorized, de.challenge = true, res.Challenge
		}
		return nil, err
	}
	res.Attempts = attempts
	res.Metadata, res.MetadataURL = doc, candidates[i]
	return res, nil
}

// isOriginOf reports whether got is the origin of resource, written as
// scheme://host[:port] with or without a trailing slash and nothing else.
// RFC 9728 section 3.3 compares a document's resource with the identifier
// its well-known URL was built from: for the root well-known URL
// (https://host/.well-known/oauth-protected-resource) that identifier is the
// origin, so a document served there may name the origin as its resource.
// A client then sends that resource value, as published, in its RFC 8707
// resource parameter.
func isOriginOf(resource, got string) bool {
	r, err1 := url.Parse(resource)
	g, err2 := url.Parse(got)
	if err1 != nil || err2 != nil || g.User != nil || g.RawQuery != "" || g.ForceQuery || g.Fragment != "" ||
		strings.Contains(got, "#") || (g.Path != "" && g.Path != "/") {
		return false
	}
	return g.Host != "" && originOf(r) == originOf(g)
}

// resourceRelaxedMode names the match mode that would accept got, if any.
func resourceRelaxedMode(mode ResourceMatch, requested, got string) string {
	if mode == ResourceMatchExact && resourceMatches(ResourceMatchSameOriginPrefix, requested, got) {
		return string(ResourceMatchSameOriginPrefix)
	}
	return ""
}

func appendUnique(list []string, items ...string) []string {
	for _, item := range items {
		dup := false
		for _, have := range list {
			if have == item {
				dup = true
				break
			}
		}
		if !dup {
			list = append(list, item)
		}
	}
	return list
}
