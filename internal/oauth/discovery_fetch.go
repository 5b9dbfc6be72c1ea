package oauth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// The rules for moving on versus failing, shared by every discovery step:
//
//   - try the next URL: a 4xx, a 502 (a proxy with nothing behind that path),
//     any status other than 200 below 500, an HTML page with status 200 (single-page
//     apps answer every path; a body that is a JSON object is decoded whatever
//     its Content-Type), a body that is not a JSON object, JSON without
//     the required field or with a documented field of the wrong type, a
//     document that fails the resource or issuer check, and a redirect the
//     policy refused (nothing was fetched from the refused URL, so nothing
//     insecure was trusted);
//   - stop with an error: any other 5xx, network and TLS errors, a body over
//     the size cap, a cancelled context.
//
// Every URL tried becomes an Attempt, so the caller can show the whole trace.

// candidateResult is the outcome of fetching one candidate URL.
type candidateResult struct {
	resp    *response // set when the body should be decoded
	attempt Attempt   // filled in except when resp is set
	stop    error     // set when discovery must stop
}

// fetchCandidate GETs one candidate metadata URL and classifies the answer.
func (c *Client) fetchCandidate(ctx context.Context, url string, mcpServer bool) candidateResult {
	resp, err := c.do(ctx, request{method: http.MethodGet, url: url, mcpProtocol: mcpServer})
	if err != nil {
		a := Attempt{URL: url, Detail: err.Error()}
		if resp != nil {
			a.Status = resp.Status
		}
		switch {
		case errors.Is(err, ErrRedirectRefused):
			// Keep the policy's words, not the url.Error wrapping around them.
			if i := strings.Index(a.Detail, ErrRedirectRefused.Error()); i >= 0 {
				a.Detail = a.Detail[i:]
			}
			a.Outcome = OutcomeRejected
			return candidateResult{attempt: a}
		case errors.Is(err, ErrResponseTooLarge):
			a.Outcome, a.Detail = OutcomeFailed, fmt.Sprintf("the body is larger than the %d-byte limit", c.maxBody)
		default:
			a.Outcome = OutcomeFailed
		}
		return candidateResult{attempt: a, stop: err}
	}
	a := Attempt{URL: url, Status: resp.Status}
	switch {
	case resp.Status == http.StatusOK:
		// A JSON object served as text/html is still tried as JSON; only a
		// body that is not one is taken for a single-page app's page.
		if looksLikeHTML(resp) && !looksLikeJSONObject(resp.Body) {
			a.Outcome, a.Detail = OutcomeNotHere, "an HTML page, not a metadata document"+redirectNote(url, resp)
			return candidateResult{attempt: a}
		}
		return candidateResult{resp: resp}
	case resp.Status == http.StatusBadGateway:
		a.Outcome, a.Detail = OutcomeNotHere, statusText(resp.Status)+" (treated as not served here)"
		return candidateResult{attempt: a}
	case resp.Status >= 500:
		a.Outcome, a.Detail = OutcomeFailed, statusText(resp.Status)+" from the server"+serverErrorHint(resp)
		return candidateResult{attempt: a, stop: fmt.Errorf("GET %s: %s", url, statusText(resp.Status))}
	default:
		a.Outcome, a.Detail = OutcomeNotHere, statusText(resp.Status)+redirectNote(url, resp)
		return candidateResult{attempt: a}
	}
}

// judgeFunc decodes the document fetched from candidate i and checks it against the request.
// It returns the Attempt detail when the document is accepted, a
// *MismatchError (MetadataURL and Attempts left empty) when the document
// names another resource or issuer, or the decoder's error.
type judgeFunc func(i int, body []byte) (found string, mismatch *MismatchError, err error)

// discoverFirst is the loop every discovery step shares: it fetches the
// candidate URLs in order, appending an Attempt for each to attempts, and
// returns the index of the first one whose document judge accepts. When
// none does it returns a *MismatchError if some document named another
// resource or issuer (the first such), else a *DiscoveryError; a real
// failure stops the loop with a *DiscoveryError carrying it.
func (c *Client) discoverFirst(ctx context.Context, sought string, candidates []string, mcpServer bool,
	attempts []Attempt, judge judgeFunc) (int, []Attempt, error) {
	var mismatch *MismatchError
	for i, candidate := range candidates {
		cr := c.fetchCandidate(ctx, candidate, mcpServer)
		if cr.resp == nil {
			attempts = append(attempts, cr.attempt)
			if cr.stop != nil {
				return -1, attempts, &DiscoveryError{Sought: sought, Attempts: attempts, Err: cr.stop}
			}
			continue
		}
		found, mm, err := judge(i, cr.resp.Body)
		switch {
		case err != nil:
			attempts = append(attempts, decodeFailureAttempt(candidate, cr.resp, err))
		case mm != nil:
			attempts = append(attempts, Attempt{URL: candidate, Status: cr.resp.Status, Outcome: OutcomeRejected, Detail: mm.attemptDetail()})
			if mismatch == nil {
				mm.MetadataURL = candidate
				mismatch = mm
			}
		default:
			attempts = append(attempts, Attempt{URL: candidate, Status: cr.resp.Status, Outcome: OutcomeFound,
				Detail: found + redirectNote(candidate, cr.resp)})
			return i, attempts, nil
		}
	}
	if mismatch != nil {
		mismatch.Attempts = attempts
		return -1, attempts, mismatch
	}
	return -1, attempts, &DiscoveryError{Sought: sought, Attempts: attempts}
}

// decodeFailureAttempt turns a decoder error into the attempt for that URL.
func decodeFailureAttempt(url string, resp *response, err error) Attempt {
	a := Attempt{URL: url, Status: resp.Status, Outcome: OutcomeRejected}
	switch {
	case errors.Is(err, ErrNotJSONObject):
		a.Outcome = OutcomeNotHere
		ct := resp.Header.Get("Content-Type")
		if ct == "" {
			ct = "no Content-Type"
		}
		a.Detail = "the body is not a JSON object (" + ct + ")"
	default:
		a.Detail = err.Error()
	}
	a.Detail += redirectNote(url, resp)
	return a
}

// redirectNote mentions where a response really came from when redirects
// were followed, since that is what the user has to fix.
func redirectNote(requested string, resp *response) string {
	if resp.URL != "" && resp.URL != requested {
		return " (after redirects, from " + resp.URL + ")"
	}
	return ""
}

// serverErrorHint quotes the start of a JSON 5xx body (secrets redacted),
// which often names the real problem.
func serverErrorHint(resp *response) string {
	if len(resp.Body) == 0 || looksLikeHTML(resp) || !isJSONContentType(resp.Header.Get("Content-Type")) {
		return ""
	}
	s := RedactJSON(resp.Body)
	if strings.HasPrefix(s, "(") { // not JSON after all
		return ""
	}
	return ": " + shorten(s, 200)
}
