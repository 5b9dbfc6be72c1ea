package main

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// requestNote carries a short, token-free remark about a request (for
// example why it was rejected) into its log line.
type requestNote struct {
	mu   sync.Mutex
	text string
}

type noteKey struct{}

func noteFor(r *http.Request) *requestNote {
	n, _ := r.Context().Value(noteKey{}).(*requestNote)
	return n
}

func (n *requestNote) set(s string) {
	if n == nil {
		return
	}
	n.mu.Lock()
	n.text = s
	n.mu.Unlock()
}

func (n *requestNote) get() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.text
}

// statusRecorder remembers the response status. It exposes the underlying
// writer through Unwrap so http.ResponseController (used by the SDK's SSE
// streams) can still flush.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func (r *statusRecorder) Flush() {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// logRequests writes one line per request: method, path (never the query
// or any header), status, duration and a note. Tokens are never logged.
func (s *server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		note := &requestNote{}
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r.WithContext(context.WithValue(r.Context(), noteKey{}, note)))
		status := rec.status
		if status == 0 {
			status = http.StatusOK
		}
		msg := fmt.Sprintf("%s %s %d %s", r.Method, r.URL.EscapedPath(), status, time.Since(start).Round(time.Millisecond))
		if n := note.get(); n != "" {
			msg += " (" + n + ")"
		}
		s.log.Print(msg)
	})
}
