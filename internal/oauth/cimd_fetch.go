package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// ClientMetadataDocumentRequest asks for a hosted document to be fetched the
// way an authorization server fetches it (draft section 5).
type ClientMetadataDocumentRequest struct {
	// URL is the client identifier URL.
	URL string
	// Expected, when set, is the document as rendered: the hosted one must
	// hold the same JSON value (formatting may differ).
	Expected []byte
	// MaxBytes caps the document; zero means CIMDMaxBytes.
	MaxBytes int
}

// ClientMetadataDocumentResult is what the fetch found.
type ClientMetadataDocumentResult struct {
	Status       int
	ContentType  string
	CacheControl string
	// Location is the redirect target when the server answered 3xx.
	Location string
	// Body is the document as served (up to MaxBytes + 1 bytes).
	Body []byte
	// SHA256 is the hex SHA-256 of Body.
	SHA256 string
	// SameAsExpected reports whether Body holds the same JSON value as
	// Expected (false when Expected was not given).
	SameAsExpected bool
	// Problems are the rules the hosting or the document breaks, warnings
	// included. The error returned with the result lists the same errors.
	Problems []CIMDProblem
}

// ClientMetadataDocumentError is returned when a hosted document would be
// refused by an authorization server.
type ClientMetadataDocumentError struct {
	URL      string
	Problems []CIMDProblem // errors only
}

func (e *ClientMetadataDocumentError) Error() string {
	lines := make([]string, 0, len(e.Problems))
	for _, p := range e.Problems {
		lines = append(lines, "- "+p.Error())
	}
	return fmt.Sprintf("the client ID metadata document at %s would be refused by an authorization server:\n%s", e.URL, strings.Join(lines, "\n"))
}

// FetchClientMetadataDocument fetches the document at req.URL as an
// authorization server does: one GET, redirects not followed, only 200
// accepted, a JSON content type, at most MaxBytes read, then every document
// rule checked, and (with Expected) the content compared with the rendered
// one. It uses the client's TLS settings (a private CA) and timeout, but not
// its extra headers or retries: the server sends neither. The result is
// returned whenever a response arrived; the error is a
// *ClientMetadataDocumentError when the document would be refused.
func (c *Client) FetchClientMetadataDocument(ctx context.Context, req ClientMetadataDocumentRequest) (*ClientMetadataDocumentResult, error) {
	maxBytes := req.MaxBytes
	if maxBytes <= 0 {
		maxBytes = CIMDMaxBytes
	}
	if errs := CIMDErrors(CheckClientIDURL(req.URL)); len(errs) > 0 {
		return nil, &ClientMetadataDocumentError{URL: req.URL, Problems: errs}
	}
	httpReq, err := http.NewRequestWithContext(ctx, http.MethodGet, req.URL, nil)
	if err != nil {
		return nil, fmt.Errorf("building GET %s: %w", req.URL, err)
	}
	httpReq.Header.Set("Accept", "application/json")
	if c.opts.UserAgent != "" {
		httpReq.Header.Set("User-Agent", c.opts.UserAgent)
	}
	noRedirects := &http.Client{
		Transport:     c.plain.Transport,
		Timeout:       c.opts.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	start := time.Now()
	ex := Exchange{Method: http.MethodGet, URL: req.URL, RequestHeaders: RedactHeaders(httpReq.Header)}
	httpResp, err := noRedirects.Do(httpReq)
	if err != nil {
		ex.Err, ex.Duration = err, time.Since(start)
		c.log(ctx, ex)
		return nil, fmt.Errorf("GET %s: %w", req.URL, err)
	}
	defer httpResp.Body.Close()
	body, readErr := io.ReadAll(io.LimitReader(httpResp.Body, int64(maxBytes)+1))
	ex.Status, ex.ResponseHeaders, ex.Duration = httpResp.StatusCode, RedactHeaders(httpResp.Header), time.Since(start)
	ex.ResponseBody = RedactJSON(body)
	ex.Err = readErr
	c.log(ctx, ex)
	if readErr != nil {
		return nil, fmt.Errorf("GET %s: reading the response: %w", req.URL, readErr)
	}

	res := &ClientMetadataDocumentResult{
		Status:       httpResp.StatusCode,
		ContentType:  httpResp.Header.Get("Content-Type"),
		CacheControl: httpResp.Header.Get("Cache-Control"),
		Location:     httpResp.Header.Get("Location"),
		Body:         body,
		SHA256:       SHA256Hex(body),
	}
	res.Problems = checkHostedDocument(req, res, maxBytes)
	if errs := CIMDErrors(res.Problems); len(errs) > 0 {
		return res, &ClientMetadataDocumentError{URL: req.URL, Problems: errs}
	}
	return res, nil
}

// checkHostedDocument applies the hosting rules (section 5, 8.7), then the
// document rules, then the comparison with the rendered document.
func checkHostedDocument(req ClientMetadataDocumentRequest, res *ClientMetadataDocumentResult, maxBytes int) []CIMDProblem {
	const fetchSrc = CIMDDraft + " section 5"
	problem := func(rule, src, detail string) []CIMDProblem {
		return []CIMDProblem{{Rule: rule, Source: src, Detail: detail}}
	}
	switch {
	case res.Status >= 300 && res.Status < 400:
		return problem("the document URL must not redirect", fetchSrc,
			fmt.Sprintf("it answered %s to %q; servers do not follow redirects: serve the document at the client_id URL itself (and make that URL the client_id)", statusText(res.Status), res.Location))
	case res.Status != http.StatusOK:
		return problem("the document must be served with 200 OK", fetchSrc,
			fmt.Sprintf("it answered %s; check that the hosting resource was created and the URL is public", statusText(res.Status)))
	}
	if len(res.Body) > maxBytes {
		p, _ := sizeProblem(len(res.Body), maxBytes)
		p.Detail = fmt.Sprintf("more than %d bytes were served; servers may stop reading at that size and refuse the document", maxBytes)
		return []CIMDProblem{p}
	}
	var out []CIMDProblem
	if !isStrictJSONContentType(res.ContentType) {
		out = append(out, CIMDProblem{Rule: "the document must be served as JSON", Source: CIMDDraft + " section 4",
			Detail: fmt.Sprintf("Content-Type is %q; set it to application/json on the hosting resource", res.ContentType)})
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(trimDocument(res.Body), &fields); err != nil || fields == nil {
		return append(out, CIMDProblem{Rule: "the document must be a JSON object", Source: CIMDDraft + " section 4",
			Detail: "the body is not a JSON object: " + shorten(strings.TrimSpace(string(res.Body)), 80)})
	}
	out = append(out, CheckClientMetadataDocument(req.URL, fields)...)
	if len(req.Expected) > 0 {
		var want map[string]json.RawMessage
		if err := json.Unmarshal(req.Expected, &want); err != nil {
			out = append(out, CIMDProblem{Rule: "the expected document is not a JSON object", Source: "this check", Detail: err.Error()})
		} else if diff := differingMembers(want, fields); len(diff) > 0 {
			out = append(out, CIMDProblem{Rule: "the hosted document differs from the rendered one", Source: "this check",
				Detail: "members that differ: " + strings.Join(diff, ", ") + "; the hosting resource serves other content (an old version, or a cache in front of it)"})
		} else {
			res.SameAsExpected = true
		}
	}
	return out
}

// isStrictJSONContentType: application/json or any +json type; unlike
// isJSONContentType, an absent type does not count.
func isStrictJSONContentType(ct string) bool {
	return strings.TrimSpace(ct) != "" && isJSONContentType(ct)
}

// IsClientMetadataDocumentError reports whether err says the hosted document
// would be refused (as opposed to a network or TLS failure).
func IsClientMetadataDocumentError(err error) bool {
	var e *ClientMetadataDocumentError
	return errors.As(err, &e)
}
