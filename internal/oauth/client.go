package oauth

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/go-cleanhttp"
	"github.com/hashicorp/go-retryablehttp"
)

// Defaults for Options fields left at their zero value.
const (
	DefaultTimeout          = 30 * time.Second
	DefaultMaxResponseBytes = 1 << 20 // 1 MiB: metadata documents are small
	DefaultMaxRedirects     = 3
	// MCPProtocolVersion is the newest revision of the MCP specification
	// this package implements. It is sent as MCP-Protocol-Version on
	// requests to MCP servers and as protocolVersion in the discovery probe.
	MCPProtocolVersion = "2026-07-28"
	// DefaultClientName names the client in the discovery probe's clientInfo
	// when Options.ClientName is empty.
	DefaultClientName = "mcp-oauth-go"
)

// ErrNoCACertificate is returned by NewClient when Options.CACertPEM holds no
// usable PEM certificate.
var ErrNoCACertificate = errors.New("the CA certificate PEM holds no valid PEM certificate")

// ErrResponseTooLarge is wrapped when a response body exceeds MaxResponseBytes.
var ErrResponseTooLarge = errors.New("response body exceeds the size limit")

// ErrRedirectRefused is wrapped when the redirect policy refused to follow a
// redirect (too many, an https to http downgrade, or a URL the transport
// policy rejects). Nothing was fetched from the refused URL.
var ErrRedirectRefused = errors.New("redirect refused")

// Options configure a Client's HTTP policy.
type Options struct {
	// Timeout bounds each HTTP request, including reading the body. Zero means DefaultTimeout.
	Timeout time.Duration
	// Retries is how many extra attempts a request may get. Discovery GETs
	// are retried after a network error or a 429, 503 or 504. RFC 7592 reads
	// and deletes are retried only when the server certainly did not act: a
	// 503 or 429 (waiting as Retry-After asks, within Timeout), or a failure
	// before the request was written (connection refused). Registration POSTs
	// and management PUTs are never retried: a retried POST registers a second
	// client and a retried PUT may present a registration access token the
	// first one rotated. net/http's own re-sends are switched off.
	Retries int
	// CACertPEM, when set, replaces the system roots with these PEM certificates.
	CACertPEM string
	// InsecureSkipTLSVerify disables TLS certificate checks. For testing only.
	InsecureSkipTLSVerify bool
	// AllowInsecureHTTP permits plain http to hosts that are not loopback
	// (for example http://keycloak:8080 on a private container network).
	AllowInsecureHTTP bool
	// Headers are added to requests (they never override Authorization): to
	// every host when HeaderHosts is empty, else only to the hosts it names.
	// They are dropped on a redirect to another host unless HeaderHosts
	// names that host, so a server cannot send them elsewhere.
	Headers map[string]string
	// HeaderHosts limits Headers to these host names: an exact name, or
	// "*.example.com" for any name below example.com.
	HeaderHosts []string
	// UserAgent is sent on every request.
	UserAgent string
	// ClientName names this client in the clientInfo of the MCP initialize
	// request that probes for a Bearer challenge. Empty means DefaultClientName.
	ClientName string
	// MaxResponseBytes caps every response body. Zero means DefaultMaxResponseBytes.
	MaxResponseBytes int64
	// MaxRedirects caps redirects followed by GET requests. Zero means
	// DefaultMaxRedirects; negative means none.
	MaxRedirects int
	// Logger, when set, receives every exchange with secrets already redacted.
	Logger Logger
}

// Logger receives one record per HTTP exchange. Headers and bodies it
// receives have had credentials redacted (see Redact), so it may log them.
type Logger interface {
	LogExchange(ctx context.Context, ex Exchange)
}

// Exchange describes one HTTP request and its outcome, redacted.
type Exchange struct {
	Method          string
	URL             string
	RequestHeaders  http.Header
	RequestBody     string
	Status          int
	ResponseHeaders http.Header
	ResponseBody    string
	Duration        time.Duration
	Err             error
}

// Client performs the package's HTTP requests under one policy. It is safe
// for concurrent use; create one per provider instance so connections pool.
type Client struct {
	opts      Options
	plain     *http.Client          // non-idempotent requests: exactly one attempt
	retrying  *retryablehttp.Client // idempotent requests
	maxBody   int64
	redirects int
	retryBase time.Duration // first backoff of the management retry policy; zero means retryBaseWait
}

// NewClient builds a Client from opts, validating the TLS settings.
func NewClient(opts Options) (*Client, error) {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.Retries < 0 {
		opts.Retries = 0
	}
	if opts.ClientName == "" {
		opts.ClientName = DefaultClientName
	}
	c := &Client{opts: opts, maxBody: opts.MaxResponseBytes, redirects: opts.MaxRedirects}
	if c.maxBody <= 0 {
		c.maxBody = DefaultMaxResponseBytes
	}
	if c.redirects == 0 {
		c.redirects = DefaultMaxRedirects
	} else if c.redirects < 0 {
		c.redirects = 0
	}

	transport := cleanhttp.DefaultPooledTransport()
	if opts.CACertPEM != "" || opts.InsecureSkipTLSVerify {
		tlsConfig := &tls.Config{MinVersion: tls.VersionTLS12}
		if opts.CACertPEM != "" {
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM([]byte(opts.CACertPEM)) {
				return nil, ErrNoCACertificate
			}
			tlsConfig.RootCAs = pool
		}
		tlsConfig.InsecureSkipVerify = opts.InsecureSkipTLSVerify //nolint:gosec // explicit user opt-in
		transport.TLSClientConfig = tlsConfig
	}

	c.plain = &http.Client{Transport: noReplayTransport{base: transport}, Timeout: opts.Timeout, CheckRedirect: c.checkRedirect}

	retrying := retryablehttp.NewClient()
	retrying.HTTPClient = c.plain
	retrying.RetryMax = opts.Retries
	retrying.RetryWaitMin = 500 * time.Millisecond
	retrying.RetryWaitMax = 5 * time.Second
	retrying.Logger = nil
	retrying.CheckRetry = retryIdempotent
	// Give the caller the last response instead of a generic "giving up" error.
	retrying.ErrorHandler = retryablehttp.PassthroughErrorHandler
	c.retrying = retrying
	return c, nil
}

// checkRedirect follows at most c.redirects redirects, only for GET, never
// from https to http, and only to URLs the transport policy accepts.
// AllowsInsecureHTTP reports whether plain http to non-loopback hosts is
// permitted; callers that build their own requests apply the same rule.
func (c *Client) AllowsInsecureHTTP() bool { return c.opts.AllowInsecureHTTP }

func (c *Client) checkRedirect(req *http.Request, via []*http.Request) error {
	if req.Method != http.MethodGet {
		return http.ErrUseLastResponse
	}
	if len(via) > c.redirects {
		return fmt.Errorf("%w: stopped after %d redirects", ErrRedirectRefused, c.redirects)
	}
	prev := via[len(via)-1]
	if prev.URL.Scheme == "https" && req.URL.Scheme != "https" {
		return fmt.Errorf("%w: from %s to %s, it downgrades https to http", ErrRedirectRefused, prev.URL, req.URL)
	}
	if err := ValidateURL(req.URL.String(), c.opts.AllowInsecureHTTP); err != nil {
		return fmt.Errorf("%w: to %s: %w", ErrRedirectRefused, req.URL, err)
	}
	// net/http copies every header onto the redirected request; the user's
	// extra headers (gateway keys) must not follow a server to another host.
	if !strings.EqualFold(req.URL.Hostname(), via[0].URL.Hostname()) && !c.headersAllowed(req.URL.Hostname(), false) {
		for name := range c.opts.Headers {
			req.Header.Del(name)
		}
	}
	return nil
}

// headersAllowed reports whether the extra headers may go to host; whenUnlisted
// is the answer when HeaderHosts is empty.
func (c *Client) headersAllowed(host string, whenUnlisted bool) bool {
	if len(c.opts.HeaderHosts) == 0 {
		return whenUnlisted
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	for _, pattern := range c.opts.HeaderHosts {
		pattern = strings.ToLower(strings.TrimSuffix(pattern, "."))
		if suffix, ok := strings.CutPrefix(pattern, "*."); ok {
			if strings.HasSuffix(host, "."+suffix) {
				return true
			}
		} else if host == pattern {
			return true
		}
	}
	return false
}

// retryIdempotent retries network errors and 429/503/504; never a context
// cancellation, a TLS or redirect-policy error, or any other status.
func retryIdempotent(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if err != nil {
		var certErr *tls.CertificateVerificationError
		if errors.As(err, &certErr) || errors.Is(err, ErrRedirectRefused) {
			return false, err
		}
		return true, nil
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true, nil
	}
	return false, nil
}

// request is one HTTP call made through the policy.
type request struct {
	method      string
	url         string
	bearer      string      // Authorization: Bearer value, omitted when empty
	body        []byte      // sent as application/json (or contentType) when non-nil
	contentType string      // Content-Type of body; application/json when empty
	header      http.Header // extra headers (Mcp-Session-Id, ...) set last; an Authorization here replaces bearer
	mcpProtocol bool        // add MCP-Protocol-Version (requests to MCP servers)
	accept      string      // Accept header; application/json when empty
	// headersOnly closes the body unread: an MCP probe may be answered with
	// an endless event stream, and only its status and headers matter.
	headersOnly bool
	// noRetry sends a GET exactly once. RFC 7592 lets any answer on the
	// client URI rotate the registration access token, so a retried read
	// could present a token its lost first answer replaced.
	noRetry bool
}

// response is what came back, with the body read under the size cap.
type response struct {
	Status int
	Header http.Header
	Body   []byte
	URL    string // final URL after redirects
	// Truncated is set when an error status or HTML page exceeded the size
	// cap; Body then holds only its first MaxResponseBytes.
	Truncated bool
}

// do sends req under the policy. GET requests go through the retrying
// client; everything else is attempted exactly once.
func (c *Client) do(ctx context.Context, r request) (*response, error) {
	if err := ValidateURL(r.url, c.opts.AllowInsecureHTTP); err != nil {
		return nil, err
	}
	start := time.Now()
	httpReq, err := http.NewRequestWithContext(ctx, r.method, r.url, bodyReader(r.body))
	if err != nil {
		return nil, fmt.Errorf("building %s %s: %w", r.method, r.url, err)
	}
	if c.headersAllowed(httpReq.URL.Hostname(), len(c.opts.HeaderHosts) == 0) {
		for k, v := range c.opts.Headers {
			httpReq.Header.Set(k, v)
		}
	}
	if c.opts.UserAgent != "" {
		httpReq.Header.Set("User-Agent", c.opts.UserAgent)
	}
	accept := r.accept
	if accept == "" {
		accept = "application/json"
	}
	httpReq.Header.Set("Accept", accept)
	if r.body != nil {
		ct := r.contentType
		if ct == "" {
			ct = "application/json"
		}
		httpReq.Header.Set("Content-Type", ct)
	}
	if r.bearer != "" {
		httpReq.Header.Set("Authorization", "Bearer "+r.bearer)
	}
	if r.mcpProtocol {
		httpReq.Header.Set("MCP-Protocol-Version", MCPProtocolVersion)
	}
	for name, values := range r.header {
		httpReq.Header[http.CanonicalHeaderKey(name)] = values
	}

	trace := &writeTrace{}
	httpReq = httpReq.WithContext(trace.attach(ctx))
	var httpResp *http.Response
	if r.method == http.MethodGet && !r.noRetry {
		retryable, convErr := retryablehttp.FromRequest(httpReq)
		if convErr != nil {
			return nil, fmt.Errorf("building %s %s: %w", r.method, r.url, convErr)
		}
		httpResp, err = c.retrying.Do(retryable)
	} else {
		httpResp, err = c.plain.Do(httpReq)
	}
	ex := Exchange{Method: r.method, URL: r.url, RequestHeaders: c.redactRequestHeaders(httpReq.Header), RequestBody: RedactJSON(r.body)}
	if err != nil {
		ex.Err, ex.Duration = err, time.Since(start)
		c.log(ctx, ex)
		return nil, classifyTransport(r.method, r.url, err, trace.wasWritten())
	}
	defer httpResp.Body.Close()
	if r.headersOnly {
		resp := &response{Status: httpResp.StatusCode, Header: httpResp.Header, URL: httpResp.Request.URL.String()}
		ex.Status, ex.ResponseHeaders, ex.Duration = resp.Status, RedactHeaders(resp.Header), time.Since(start)
		c.log(ctx, ex)
		return resp, nil
	}
	body, readErr := io.ReadAll(io.LimitReader(httpResp.Body, c.maxBody+1))
	resp := &response{Status: httpResp.StatusCode, Header: httpResp.Header, Body: body, URL: httpResp.Request.URL.String()}
	ex.Status, ex.ResponseHeaders, ex.ResponseBody, ex.Duration = resp.Status, RedactHeaders(resp.Header), maskValue(RedactJSON(body), r.bearer), time.Since(start)
	switch {
	case readErr != nil:
		ex.Err = readErr
		c.log(ctx, ex)
		// Headers arrived, the body did not: the server acted, its answer is lost.
		return nil, &TransportError{Method: r.method, URL: r.url, Delivery: DeliveryAnswerLost,
			Timeout: classifyTransport(r.method, r.url, readErr, true).Timeout, Err: fmt.Errorf("reading the response: %w", readErr)}
	case int64(len(body)) > c.maxBody && (resp.Status/100 != 2 || looksLikeHTML(resp)):
		// An oversized error or HTML page is still an answer ("not here"):
		// callers decide by status and type, never by this truncated body.
		resp.Body, resp.Truncated = body[:c.maxBody], true
		ex.ResponseBody = "(truncated page, not logged)"
	case int64(len(body)) > c.maxBody:
		ex.Err = ErrResponseTooLarge
		ex.ResponseBody = ""
		c.log(ctx, ex)
		return resp, fmt.Errorf("%s %s: %w (%d bytes)", r.method, r.url, ErrResponseTooLarge, c.maxBody)
	}
	c.log(ctx, ex)
	return resp, nil
}

// redactRequestHeaders also hides the values of the user's extra headers:
// they often carry gateway keys, and nothing says which ones do.
func (c *Client) redactRequestHeaders(h http.Header) http.Header {
	out := RedactHeaders(h)
	for name := range c.opts.Headers {
		if out.Get(name) != "" {
			out.Set(name, Redacted)
		}
	}
	return out
}

func (c *Client) log(ctx context.Context, ex Exchange) {
	if c.opts.Logger != nil {
		c.opts.Logger.LogExchange(ctx, ex)
	}
}

func bodyReader(b []byte) io.Reader {
	if b == nil {
		return nil
	}
	return bytes.NewReader(b)
}

// isJSONContentType reports whether a Content-Type names JSON (application/json
// or any +json type). An empty type is treated as possibly JSON.
func isJSONContentType(ct string) bool {
	if ct == "" {
		return true
	}
	mt := strings.ToLower(strings.TrimSpace(strings.SplitN(ct, ";", 2)[0]))
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

// looksLikeHTML reports whether a response is an HTML page, as single-page
// apps return for every path with status 200.
func looksLikeHTML(resp *response) bool {
	ct := strings.ToLower(resp.Header.Get("Content-Type"))
	if strings.Contains(ct, "text/html") {
		return true
	}
	trimmed := bytes.TrimLeft(resp.Body, " \t\r\n\ufeff")
	return bytes.HasPrefix(bytes.ToLower(trimmed), []byte("<!doctype html")) || bytes.HasPrefix(bytes.ToLower(trimmed), []byte("<html"))
}

// statusText gives "404 Not Found" style text for messages.
func statusText(code int) string {
	if t := http.StatusText(code); t != "" {
		return strconv.Itoa(code) + " " + t
	}
	return strconv.Itoa(code)
}
