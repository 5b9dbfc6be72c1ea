package oauth

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// Delivery says how far a request got before it failed. It is what a caller
// needs to decide whether the server may have acted on the request.
type Delivery string

const (
	// DeliveryAnswered: an HTTP answer arrived (usable or not).
	DeliveryAnswered Delivery = "answered"
	// DeliveryNotSent: the request certainly did not reach the server (the
	// name did not resolve, the connection was refused, TLS failed, the URL
	// was refused, or the connection broke before the request was written).
	// The server did not act on it.
	DeliveryNotSent Delivery = "not_sent"
	// DeliveryAnswerLost: the request was written to the server but no
	// answer arrived (the connection was reset or closed, or the time ran
	// out). The server may have acted on it.
	DeliveryAnswerLost Delivery = "answer_lost"
)

// ErrNotSent matches (errors.Is) any error of this package for a request
// that certainly did not reach the server.
var ErrNotSent = errors.New("the request was not sent")

// ErrAnswerLost matches (errors.Is) any error of this package for a request
// that was sent but whose answer never arrived: the server may have acted.
var ErrAnswerLost = errors.New("the request was sent but its answer was lost")

// TransportError is a request that got no HTTP answer. Its text is
// "METHOD URL: cause"; Delivery says whether it reached the server.
type TransportError struct {
	Method   string
	URL      string
	Delivery Delivery
	// Timeout is set when the time ran out (the request timeout or the
	// caller's deadline).
	Timeout bool
	Err     error
}

func (e *TransportError) Error() string { return fmt.Sprintf("%s %s: %v", e.Method, e.URL, e.Err) }
func (e *TransportError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrNotSent) and errors.Is(err, ErrAnswerLost) work.
func (e *TransportError) Is(target error) bool {
	return (target == ErrNotSent && e.Delivery == DeliveryNotSent) ||
		(target == ErrAnswerLost && e.Delivery == DeliveryAnswerLost)
}

// DeliveryOf reports how far the request behind err got: DeliveryNotSent or
// DeliveryAnswerLost for errors of this package that say so, else
// DeliveryAnswered (an answer arrived, or err is nil or not a request error).
func DeliveryOf(err error) Delivery {
	switch {
	case errors.Is(err, ErrNotSent):
		return DeliveryNotSent
	case errors.Is(err, ErrAnswerLost):
		return DeliveryAnswerLost
	}
	return DeliveryAnswered
}

// writeTrace records, through httptrace, whether a request was written in
// full to a connection. It is the only sure sign that the server may have
// seen it: an error before that means it did not act.
type writeTrace struct {
	mu      sync.Mutex
	written bool
	reused  bool
}

func (w *writeTrace) attach(ctx context.Context) context.Context {
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GotConn: func(info httptrace.GotConnInfo) {
			w.mu.Lock()
			w.reused = w.reused || info.Reused
			w.mu.Unlock()
		},
		WroteRequest: func(info httptrace.WroteRequestInfo) {
			if info.Err == nil {
				w.mu.Lock()
				w.written = true
				w.mu.Unlock()
			}
		},
	})
}

func (w *writeTrace) wasWritten() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.written
}

// classifyTransport wraps a request error in a *TransportError that says
// whether the request reached the server.
func classifyTransport(method, url string, err error, written bool) *TransportError {
	te := &TransportError{Method: method, URL: url, Err: err, Delivery: DeliveryAnswerLost}
	var netErr net.Error
	te.Timeout = errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout())
	if !written || refusedBeforeSending(err) {
		te.Delivery = DeliveryNotSent
	}
	return te
}

// refusedBeforeSending reports errors that show the request never left: the
// connection could not be made (refused, name not resolved, dial timeout),
// the server's certificate was refused, or the URL policy refused it.
func refusedBeforeSending(err error) bool {
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "dial" {
		return true
	}
	var dnsErr *net.DNSError
	var certErr *tls.CertificateVerificationError
	var recordErr tls.RecordHeaderError
	return errors.As(err, &dnsErr) || errors.As(err, &certErr) || errors.As(err, &recordErr) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, ErrInsecureTransport) || errors.Is(err, ErrUserInfo)
}

// permanentNotSent reports failures before sending that a retry cannot fix:
// a refused URL or certificate, or a name that does not exist.
func permanentNotSent(err error) bool {
	var certErr *tls.CertificateVerificationError
	var dnsErr *net.DNSError
	var recordErr tls.RecordHeaderError
	if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
		return true
	}
	return errors.As(err, &certErr) || errors.As(err, &recordErr) || errors.Is(err, ErrInsecureTransport) ||
		errors.Is(err, ErrUserInfo) || errors.Is(err, ErrRedirectRefused)
}

// noReplayTransport keeps net/http from re-sending requests on its own.
// http.Transport silently re-sends a request it considers replayable (a GET
// or HEAD without a body) when a reused connection breaks after the request
// was written: the server may have acted on the first one, and RFC 7592 lets
// a read rotate the registration access token. A body that cannot be rewound
// makes a request non-replayable; an empty one sends nothing on the wire
// (the transport probes it and drops it). Re-sending is then decided only by
// this package's policies.
type noReplayTransport struct{ base http.RoundTripper }

func (t noReplayTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body == nil || req.Body == http.NoBody {
		r := req.WithContext(req.Context()) // a shallow copy: a RoundTripper must not change req
		r.Body, r.GetBody = emptyBody{}, nil
		return t.base.RoundTrip(r)
	}
	return t.base.RoundTrip(req)
}

func (t noReplayTransport) CloseIdleConnections() {
	if c, ok := t.base.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

type emptyBody struct{}

func (emptyBody) Read([]byte) (int, error) { return 0, io.EOF }
func (emptyBody) Close() error             { return nil }

// Backoff bounds for the management retry policy.
const (
	retryBaseWait = 300 * time.Millisecond
	retryMaxWait  = 3 * time.Second
)

// retryAfter parses a Retry-After header (delay seconds or an HTTP date).
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := h.Get("Retry-After")
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.Atoi(v); err == nil && secs >= 0 {
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d, true
		}
		return 0, true
	}
	return 0, false
}

// backoff is the wait before attempt n+1 (n >= 1): exponential, bounded.
func (c *Client) backoff(n int) time.Duration {
	base := c.retryBase
	if base <= 0 {
		base = retryBaseWait
	}
	d := base << (n - 1)
	if d > retryMaxWait || d <= 0 {
		d = retryMaxWait
	}
	return d
}

// serverDidNotAct reports answers that say the server did not process the
// request: 503 Service Unavailable and 429 Too Many Requests.
func serverDidNotAct(status int) bool {
	return status == http.StatusServiceUnavailable || status == http.StatusTooManyRequests
}

// sleepCtx waits d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
