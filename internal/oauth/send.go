package oauth

import (
	"context"
	"net/http"
	"time"
)

// Call is one HTTP request to an API this package does not model, such as a
// vendor's admin API, made under the Client's policy: the transport rule,
// TLS settings, extra headers, size cap, redacted exchange logs. GET calls
// are retried like discovery requests; every other method is sent once.
type Call struct {
	Method string
	URL    string
	// Bearer, when set, is sent as "Authorization: Bearer ...".
	Bearer string
	// Body is sent with ContentType (application/json when empty).
	Body        []byte
	ContentType string
	// Header holds extra headers, set last: an Authorization here replaces Bearer.
	Header http.Header
}

// Reply is what the server answered to a Call, the body read under the size cap.
type Reply struct {
	Status int
	Header http.Header
	Body   []byte
}

// Send performs call. An error means no answer was read (a network, TLS,
// policy or size failure); any HTTP status is a Reply for the caller to judge.
func (c *Client) Send(ctx context.Context, call Call) (*Reply, error) {
	resp, err := c.do(ctx, request{
		method:      call.Method,
		url:         call.URL,
		bearer:      call.Bearer,
		body:        call.Body,
		contentType: call.ContentType,
		header:      call.Header,
	})
	if err != nil {
		return nil, err
	}
	return &Reply{Status: resp.Status, Header: resp.Header, Body: resp.Body}, nil
}

// Transport returns an http.RoundTripper for protocols that another library
// drives (an MCP session): it applies the transport rule, the TLS settings,
// the extra headers and the user agent, and logs every exchange with its
// headers redacted and without bodies (they may be long-lived streams).
func (c *Client) Transport() http.RoundTripper {
	return &policyTransport{c: c, base: c.plain.Transport}
}

type policyTransport struct {
	c    *Client
	base http.RoundTripper
}

func (t *policyTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := ValidateURL(req.URL.String(), t.c.opts.AllowInsecureHTTP); err != nil {
		return nil, err
	}
	out := req.Clone(req.Context())
	if t.c.headersAllowed(out.URL.Hostname(), len(t.c.opts.HeaderHosts) == 0) {
		for k, v := range t.c.opts.Headers {
			if out.Header.Get(k) == "" {
				out.Header.Set(k, v)
			}
		}
	}
	if t.c.opts.UserAgent != "" && out.Header.Get("User-Agent") == "" {
		out.Header.Set("User-Agent", t.c.opts.UserAgent)
	}
	start := time.Now()
	resp, err := t.base.RoundTrip(out)
	ex := Exchange{Method: out.Method, URL: out.URL.String(), RequestHeaders: t.c.redactRequestHeaders(out.Header), Duration: time.Since(start)}
	if out.Body != nil {
		ex.RequestBody = "(streamed body, not logged)"
	}
	if err != nil {
		ex.Err = err
	} else {
		ex.Status, ex.ResponseHeaders = resp.StatusCode, RedactHeaders(resp.Header)
	}
	t.c.log(req.Context(), ex)
	return resp, err
}
