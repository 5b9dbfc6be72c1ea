package oauth

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/go-cleanhttp"
)

// rawServer is a TCP listener that speaks just enough HTTP/1.1 to count
// requests and misbehave on purpose: handle gets the connection's request
// number (1 for the first request on a connection) and returns the raw
// answer to write, or "" to close the connection without answering (the
// request was read: the server acted, its answer is lost).
type rawServer struct {
	ln       net.Listener
	requests atomic.Int32
	wg       sync.WaitGroup
	mu       sync.Mutex
	conns    []net.Conn
}

func newRawServer(t *testing.T, handle func(nthOnConn int, req *http.Request) string) *rawServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &rawServer{ln: ln}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.conns = append(s.conns, conn)
			s.mu.Unlock()
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				defer conn.Close()
				br := bufio.NewReader(conn)
				for n := 1; ; n++ {
					req, err := http.ReadRequest(br)
					if err != nil {
						return
					}
					_, _ = io.Copy(io.Discard, req.Body)
					s.requests.Add(1)
					answer := handle(n, req)
					if answer == "" {
						return
					}
					closeAfter := strings.HasPrefix(answer, "!")
					if _, err := io.WriteString(conn, strings.TrimPrefix(answer, "!")); err != nil || closeAfter {
						return
					}
				}
			}()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		s.mu.Lock()
		for _, c := range s.conns {
			_ = c.Close()
		}
		s.mu.Unlock()
		s.wg.Wait()
	})
	return s
}

func (s *rawServer) url() string { return "http://" + s.ln.Addr().String() }

func jsonAnswer(status int, body string) string {
	return "HTTP/1.1 " + statusText(status) + "\r\nContent-Type: application/json\r\nContent-Length: " +
		itoa(len(body)) + "\r\n\r\n" + body
}

func itoa(n int) string { return strconv.Itoa(n) }

const clientAnswer = `{"client_id":"abc","registration_access_token":"rat"}`

// A server that closes a reused connection after reading the request: Go's
// http.Transport re-sends such a GET by itself; through the package's client
// it is sent once and reported as an answer lost.
func TestNoSilentResendOnReusedConnection(t *testing.T) {
	handle := func(n int, _ *http.Request) string {
		if n == 1 {
			return jsonAnswer(200, clientAnswer)
		}
		return "" // the second request on a connection: read, then hang up
	}

	// Control: the bare transport does re-send, so the test can tell.
	bare := newRawServer(t, handle)
	hc := &http.Client{Transport: cleanhttp.DefaultPooledTransport()}
	for range 2 {
		resp, err := hc.Get(bare.url())
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
		}
	}
	if got := bare.requests.Load(); got != 3 {
		t.Fatalf("control: the bare transport sent %d requests, want 3 (2 plus its own re-send)", got)
	}

	srv := newRawServer(t, handle)
	c, err := NewClient(Options{Retries: 3})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ReadClient(context.Background(), srv.url(), "rat"); err != nil {
		t.Fatalf("first read: %v", err)
	}
	_, err = c.ReadClient(context.Background(), srv.url(), "rat")
	var re *RegistrationError
	if !errors.As(err, &re) || !errors.Is(err, ErrAnswerLost) || re.Delivery != DeliveryAnswerLost || re.Attempts != 1 {
		t.Fatalf("want an answer lost after one attempt, got %#v", err)
	}
	if got := srv.requests.Load(); got != 2 {
		t.Errorf("the server got %d requests, want 2: nothing may be re-sent behind the policy's back", got)
	}
	if !strings.HasPrefix(re.ServerSaid(), "Answer lost: the request was sent") {
		t.Errorf("ServerSaid: %q", re.ServerSaid())
	}
}

func TestManagementRetryPolicy(t *testing.T) {
	type step struct {
		status int
		header string // extra header line
		body   string
	}
	for _, tt := range []struct {
		name     string
		op       string
		steps    []step // answers in order; the last repeats
		timeout  time.Duration
		wantOK   bool
		wantSent int
		gaveUp   bool
	}{
		{name: "read 503 then 200", op: OpRead, steps: []step{{status: 503}, {status: 200, body: clientAnswer}}, wantOK: true, wantSent: 2},
		{name: "read 429 with Retry-After then 200", op: OpRead, steps: []step{{status: 429, header: "Retry-After: 0"}, {status: 200, body: clientAnswer}}, wantOK: true, wantSent: 2},
		{name: "delete 503 then 204", op: OpDelete, steps: []step{{status: 503}, {status: 204}}, wantOK: true, wantSent: 2},
		{name: "read 503 until the attempts run out", op: OpRead, steps: []step{{status: 503}}, wantSent: 3, gaveUp: true},
		{name: "Retry-After beyond the budget", op: OpRead, steps: []step{{status: 503, header: "Retry-After: 120"}}, timeout: 2 * time.Second, wantSent: 1, gaveUp: true},
		{name: "read 500 is not retried", op: OpRead, steps: []step{{status: 500}}, wantSent: 1},
		{name: "read 401 is not retried", op: OpRead, steps: []step{{status: 401}}, wantSent: 1},
		{name: "register 503 is not retried", op: OpRegister, steps: []step{{status: 503}}, wantSent: 1},
		{name: "update 503 is not retried", op: OpUpdate, steps: []step{{status: 503}}, wantSent: 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var calls atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n := int(calls.Add(1))
				st := tt.steps[min(n, len(tt.steps))-1]
				if name, value, ok := strings.Cut(st.header, ": "); ok {
					w.Header().Set(name, value)
				}
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(st.status)
				_, _ = io.WriteString(w, st.body)
			}))
			defer srv.Close()
			c, err := NewClient(Options{Retries: 2, Timeout: tt.timeout})
			if err != nil {
				t.Fatal(err)
			}
			c.retryBase = time.Millisecond
			ctx := context.Background()
			switch tt.op {
			case OpRead:
				_, err = c.ReadClient(ctx, srv.URL, "rat")
			case OpDelete:
				err = c.DeleteClient(ctx, srv.URL, "rat")
			case OpRegister:
				_, err = c.RegisterClient(ctx, srv.URL, ClientMetadata{ClientName: "x"}, "iat")
			case OpUpdate:
				_, err = c.UpdateClient(ctx, srv.URL, "rat", ClientUpdate{ClientID: "abc"})
			}
			if got := int(calls.Load()); got != tt.wantSent {
				t.Errorf("sent %d times, want %d", got, tt.wantSent)
			}
			if (err == nil) != tt.wantOK {
				t.Fatalf("err = %v, want ok %v", err, tt.wantOK)
			}
			if err != nil {
				var re *RegistrationError
				if !errors.As(err, &re) || re.Attempts != tt.wantSent || re.RetryGaveUp != tt.gaveUp || re.Delivery != DeliveryAnswered {
					t.Errorf("got attempts %d, gave up %v, delivery %s; want %d, %v, answered", re.Attempts, re.RetryGaveUp, re.Delivery, tt.wantSent, tt.gaveUp)
				}
			}
		})
	}
}

func TestRetryAfterHonoured(t *testing.T) {
	var calls atomic.Int32
	var first time.Time
	var waited time.Duration
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if calls.Add(1) == 1 {
			first = time.Now()
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		waited = time.Since(first)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	c, _ := NewClient(Options{Retries: 1, Timeout: 5 * time.Second})
	c.retryBase = time.Millisecond
	if err := c.DeleteClient(context.Background(), srv.URL, "rat"); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 2 || waited < 900*time.Millisecond {
		t.Errorf("calls %d, waited %v: want a second attempt after the second Retry-After asked for", calls.Load(), waited)
	}
}

// Failures are named by how far the request got.
func TestDeliveryClassification(t *testing.T) {
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()

	hangUp := newRawServer(t, func(int, *http.Request) string { return "" })
	var release sync.Once
	stop := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { <-stop }))
	defer slow.Close()
	defer release.Do(func() { close(stop) })
	cutBody := newRawServer(t, func(int, *http.Request) string {
		return "!HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"client_id\":\"abc\""
	})

	for _, tt := range []struct {
		name     string
		url      string
		op       string
		want     Delivery
		attempts int
		timedOut bool
	}{
		{"refused read is retried, then not sent", closedURL, OpRead, DeliveryNotSent, 3, false},
		{"refused delete is retried, then not sent", closedURL, OpDelete, DeliveryNotSent, 3, false},
		{"refused registration is not sent, once", closedURL, OpRegister, DeliveryNotSent, 1, false},
		{"hang-up after the request: answer lost", hangUp.url(), OpRead, DeliveryAnswerLost, 1, false},
		{"hang-up after a registration: answer lost", hangUp.url(), OpRegister, DeliveryAnswerLost, 1, false},
		{"timeout after the request: answer lost", slow.URL, OpRead, DeliveryAnswerLost, 1, true},
		{"body cut short by the connection: answer lost", cutBody.url(), OpDelete, DeliveryAnswerLost, 1, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := NewClient(Options{Retries: 2, Timeout: 300 * time.Millisecond})
			c.retryBase = time.Millisecond
			ctx := context.Background()
			var err error
			switch tt.op {
			case OpRead:
				_, err = c.ReadClient(ctx, tt.url, "rat")
			case OpDelete:
				err = c.DeleteClient(ctx, tt.url, "rat")
			case OpRegister:
				_, err = c.RegisterClient(ctx, tt.url, ClientMetadata{ClientName: "x"}, "")
			}
			var re *RegistrationError
			if !errors.As(err, &re) {
				t.Fatalf("want a *RegistrationError, got %v", err)
			}
			if re.Delivery != tt.want || re.Attempts != tt.attempts || re.TimedOut != tt.timedOut || DeliveryOf(err) != tt.want {
				t.Errorf("delivery %s, attempts %d, timed out %v; want %s, %d, %v (%v)", re.Delivery, re.Attempts, re.TimedOut, tt.want, tt.attempts, tt.timedOut, err)
			}
			if errors.Is(err, ErrNotSent) != (tt.want == DeliveryNotSent) || errors.Is(err, ErrAnswerLost) != (tt.want == DeliveryAnswerLost) {
				t.Errorf("errors.Is does not match the delivery %s", tt.want)
			}
			if re.MayHaveBeenApplied() != (tt.want == DeliveryAnswerLost) {
				t.Errorf("MayHaveBeenApplied %v for %s", re.MayHaveBeenApplied(), tt.want)
			}
		})
	}
}
