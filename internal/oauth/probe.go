package oauth

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// The probe asks the MCP endpoint, without credentials, for the Bearer
// challenge that starts MCP authorization discovery. Servers differ in
// where they challenge:
//
//   - most answer the initialize request with 401 and the challenge;
//   - some let initialize (and notifications) through and challenge only
//     later requests (step-up authorization): the probe then goes on in the
//     session initialize opened, sending notifications/initialized and
//     tools/list with its Mcp-Session-Id, and reads the challenge there;
//   - stateless servers (MCP 2026-07-28) have no initialize and refuse it
//     (400, or 404 "method not found"): tools/list is tried the same way;
//   - an MCP URL with a trailing slash is often redirected (307/308) to the
//     URL without one: a redirect to the same origin is followed, the POST
//     re-sent as a POST, at most the client's redirect limit of times.
//
// A 403 with error="insufficient_scope" is read like a 401: its scope is
// what the server asks for, which MCP makes authoritative.

// probeResult is what the probe learned.
type probeResult struct {
	challenge *BearerChallenge
	attempts  []Attempt
	// url is the MCP endpoint after same-origin redirects: the resource
	// identifier the server answers at.
	url string
	// unauthorized is set when any probe request was answered with 401.
	unauthorized bool
}

// mcpRequest is a JSON-RPC message for the probe. Params carry the
// 2026-07-28 _meta keys, which older servers ignore.
func mcpRequest(id int, method string, params map[string]any) []byte {
	if params == nil {
		params = map[string]any{}
	}
	params["_meta"] = map[string]any{
		"io.modelcontextprotocol/protocolVersion":    MCPProtocolVersion,
		"io.modelcontextprotocol/clientCapabilities": map[string]any{},
	}
	msg := map[string]any{"jsonrpc": "2.0", "method": method, "params": params}
	if id != 0 {
		msg["id"] = id
	}
	body, _ := json.Marshal(msg)
	return body
}

// initializeProbe is a minimal JSON-RPC initialize: a server that requires
// authorization answers it with 401 and its challenge.
func initializeProbe(clientName string) []byte {
	type clientInfo struct {
		Name    string `json:"name"`
		Version string `json:"version"`
	}
	return mcpRequest(1, "initialize", map[string]any{
		"protocolVersion": MCPProtocolVersion,
		"capabilities":    map[string]any{},
		"clientInfo":      clientInfo{Name: clientName, Version: "discovery"},
	})
}

// probePost POSTs one probe message. The body is never read: a server may
// answer with an endless event stream, and only status and headers matter.
func (c *Client) probePost(ctx context.Context, target string, body []byte, method, session string) (*response, error) {
	h := http.Header{}
	h.Set("Mcp-Method", method)
	if session != "" {
		h.Set("Mcp-Session-Id", session)
	}
	return c.do(ctx, request{
		method:      http.MethodPost,
		url:         target,
		body:        body,
		mcpProtocol: true,
		accept:      "application/json, text/event-stream",
		headersOnly: true,
		header:      h,
	})
}

// probeResource POSTs an unauthenticated initialize to the MCP endpoint
// (following same-origin 307/308 redirects) and reads its Bearer challenge
// from a 401 or a 403; when initialize gets through without one, it probes
// further (see above). Any HTTP answer lets discovery go on to the
// well-known URLs; only a transport failure stops it.
func (c *Client) probeResource(ctx context.Context, resourceURL string) (probeResult, error) {
	out := probeResult{url: resourceURL}
	resp, err := c.probePost(ctx, resourceURL, initializeProbe(c.opts.ClientName), "initialize", "")
	for hops := 0; err == nil && (resp.Status == http.StatusTemporaryRedirect || resp.Status == http.StatusPermanentRedirect); hops++ {
		next, why := sameOriginRedirect(out.url, resp.Header.Get("Location"))
		a := Attempt{URL: out.url, Status: resp.Status, Outcome: OutcomeNotHere}
		if why == "" && hops >= c.redirects {
			why = fmt.Sprintf("stopped after %d redirects", c.redirects)
		}
		if why != "" {
			a.Detail = statusText(resp.Status) + " to an unauthenticated initialize; the redirect was not followed (" + why + "); trying the well-known URLs"
			out.attempts = append(out.attempts, a)
			return out, nil
		}
		a.Detail = statusText(resp.Status) + " to " + next + " (same origin): the initialize is sent there, and the MCP endpoint is taken to be there"
		out.attempts = append(out.attempts, a)
		out.url = next
		resp, err = c.probePost(ctx, out.url, initializeProbe(c.opts.ClientName), "initialize", "")
	}
	if err != nil {
		out.attempts = append(out.attempts, Attempt{URL: out.url, Outcome: OutcomeFailed, Detail: "probing the MCP endpoint: " + err.Error()})
		return out, err
	}
	a, challenge := readChallenge(out.url, resp, "an unauthenticated initialize")
	out.unauthorized = resp.Status == http.StatusUnauthorized
	// A 2xx (initialize let through), a 400, or a JSON answer with another 4xx
	// (a stateless server's JSON-RPC "method not found", 404) leaves the
	// question open; a plain 404 (no MCP endpoint here), a 401/403 without a
	// Bearer challenge, a 3xx or a 5xx does not.
	jsonRPC := strings.Contains(strings.ToLower(resp.Header.Get("Content-Type")), "json")
	probeOn := resp.Status/100 == 2 || resp.Status == http.StatusBadRequest ||
		(resp.Status/100 == 4 && jsonRPC && resp.Status != http.StatusUnauthorized && resp.Status != http.StatusForbidden)
	if challenge != nil || !probeOn {
		out.attempts = append(out.attempts, a)
		out.challenge = challenge
		return out, nil
	}
	// initialize got through (or a stateless server refused it): probe a
	// request that needs authorization, in the session initialize opened.
	session := ""
	if resp.Status/100 == 2 {
		session = resp.Header.Get("Mcp-Session-Id")
		a.Detail = statusText(resp.Status) + " to an unauthenticated initialize: the server lets it through; probing tools/list"
	} else {
		a.Detail = statusText(resp.Status) + " to an unauthenticated initialize (a stateless server has no initialize); probing tools/list"
	}
	out.attempts = append(out.attempts, a)
	if session != "" {
		resp, err = c.probePost(ctx, out.url, mcpRequest(0, "notifications/initialized", nil), "notifications/initialized", session)
		if err != nil {
			out.attempts = append(out.attempts, Attempt{URL: out.url, Outcome: OutcomeFailed, Detail: "probing the MCP endpoint (notifications/initialized): " + err.Error()})
			return out, err
		}
		a, challenge = readChallenge(out.url, resp, "notifications/initialized")
		out.unauthorized = out.unauthorized || resp.Status == http.StatusUnauthorized
		out.attempts = append(out.attempts, a)
		if challenge != nil {
			out.challenge = challenge
			c.endSession(ctx, out.url, session)
			return out, nil
		}
	}
	resp, err = c.probePost(ctx, out.url, mcpRequest(2, "tools/list", nil), "tools/list", session)
	if session != "" {
		c.endSession(ctx, out.url, session)
	}
	if err != nil {
		out.attempts = append(out.attempts, Attempt{URL: out.url, Outcome: OutcomeFailed, Detail: "probing the MCP endpoint (tools/list): " + err.Error()})
		return out, err
	}
	a, out.challenge = readChallenge(out.url, resp, "an unauthenticated tools/list")
	out.unauthorized = out.unauthorized || resp.Status == http.StatusUnauthorized
	out.attempts = append(out.attempts, a)
	return out, nil
}

// endSession asks the server to end the probe's session (best effort).
func (c *Client) endSession(ctx context.Context, target, session string) {
	h := http.Header{}
	h.Set("Mcp-Session-Id", session)
	_, _ = c.do(ctx, request{method: http.MethodDelete, url: target, mcpProtocol: true, headersOnly: true, header: h, noRetry: true})
}

// readChallenge turns one probe answer into an attempt and, for a 401 or a
// 403 with a Bearer challenge, that challenge.
func readChallenge(target string, resp *response, what string) (Attempt, *BearerChallenge) {
	a := Attempt{URL: target, Status: resp.Status}
	challenges, parseErr := ParseWWWAuthenticate(resp.Header.Values("WWW-Authenticate"))
	bearer, ok := FindBearerChallenge(challenges)
	malformed := ""
	if parseErr != nil {
		// The header is quoted in the error: keep the detail short.
		malformed = shorten(strings.ReplaceAll(parseErr.Error(), "\n", "; "), 300)
	}
	switch {
	case ok && (resp.Status == http.StatusUnauthorized || resp.Status == http.StatusForbidden):
		if bearer.ResourceMetadata != "" {
			a.Outcome, a.Detail = OutcomeFound, "Bearer challenge names resource_metadata "+bearer.ResourceMetadata
		} else {
			a.Outcome, a.Detail = OutcomeNotHere, "Bearer challenge without resource_metadata; trying the well-known URLs"
		}
		if bearer.Scope != "" {
			a.Detail += "; scope " + fmt.Sprintf("%q", bearer.Scope)
		}
		if malformed != "" {
			a.Detail += " (the header was malformed and read best effort: " + malformed + ")"
		}
		return a, &bearer
	case parseErr != nil:
		a.Outcome, a.Detail = OutcomeNotHere, "malformed WWW-Authenticate ("+malformed+"); trying the well-known URLs"
	case resp.Status == http.StatusUnauthorized || resp.Status == http.StatusForbidden:
		a.Outcome, a.Detail = OutcomeNotHere, statusText(resp.Status)+" without a Bearer challenge; trying the well-known URLs"
	default:
		a.Outcome, a.Detail = OutcomeNotHere, statusText(resp.Status)+" to "+what+" (no challenge); trying the well-known URLs"
	}
	return a, nil
}

// sameOriginRedirect resolves a Location against from and returns it when
// it stays on from's origin; otherwise it returns why it is not followed.
func sameOriginRedirect(from, location string) (string, string) {
	if location == "" {
		return "", "no Location header"
	}
	base, err := url.Parse(from)
	if err != nil {
		return "", err.Error()
	}
	ref, err := url.Parse(location)
	if err != nil {
		return "", "the Location is not a URL"
	}
	next := base.ResolveReference(ref)
	next.Fragment, next.RawFragment = "", ""
	if originOf(next) != originOf(base) {
		return "", "it leads to another origin, " + RedactURL(next.Scheme+"://"+next.Host) + "; configure that URL as the MCP server URL if it is the right one"
	}
	return next.String(), ""
}
