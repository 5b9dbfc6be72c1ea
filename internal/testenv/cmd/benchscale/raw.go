package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// rawClient is one registered client as the raw loop keeps it.
type rawClient struct {
	ClientID string `json:"client_id"`
	URI      string `json:"registration_client_uri"`
	RAT      string `json:"registration_access_token"`
}

// rawLoop does the provider's requests with plain net/http at the given
// concurrency: the floor that the provider's wall time is compared with.
type rawLoop struct {
	hc          *http.Client
	endpoint    string
	concurrency int
	clients     []rawClient
}

func newRawLoop(endpoint string, concurrency int) *rawLoop {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = concurrency
	return &rawLoop{hc: &http.Client{Transport: tr, Timeout: 60 * time.Second}, endpoint: endpoint, concurrency: concurrency}
}

func rawMetadata(name string, i int) map[string]any {
	return map[string]any{
		"client_name":                fmt.Sprintf("%s %d", name, i),
		"redirect_uris":              []string{"http://127.0.0.1:8888/callback"},
		"grant_types":                []string{"authorization_code", "client_credentials"},
		"response_types":             []string{"code"},
		"scope":                      "mcp:read mcp:write",
		"token_endpoint_auth_method": "client_secret_post",
	}
}

// each runs fn(i) for i in [0,n) on r.concurrency workers; the first error wins.
func (r *rawLoop) each(n int, fn func(i int) error) error {
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	next := make(chan int)
	for w := 0; w < r.concurrency; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := fn(i); err != nil {
					once.Do(func() { first = err })
				}
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	return first
}

func (r *rawLoop) do(ctx context.Context, method, u, bearer string, body any, want int, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+bearer)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := r.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != want {
		return fmt.Errorf("raw %s %s: status %d: %.200s", method, u, resp.StatusCode, b)
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

func (r *rawLoop) register(ctx context.Context, n int, iat string) error {
	r.clients = make([]rawClient, n)
	return r.each(n, func(i int) error {
		return r.do(ctx, http.MethodPost, r.endpoint, iat, rawMetadata("bench raw", i), http.StatusCreated, &r.clients[i])
	})
}

// readOne is a refresh of one client (Keycloak rotates the token on every use).
func (r *rawLoop) readOne(ctx context.Context, c *rawClient) error {
	var got rawClient
	if err := r.do(ctx, http.MethodGet, c.URI, c.RAT, nil, http.StatusOK, &got); err != nil {
		return err
	}
	if got.RAT != "" {
		c.RAT = got.RAT
	}
	return nil
}

func (r *rawLoop) read(ctx context.Context) error {
	return r.each(len(r.clients), func(i int) error { return r.readOne(ctx, &r.clients[i]) })
}

// update is what an apply that changes every client sends: a refresh, then the update.
func (r *rawLoop) update(ctx context.Context) error {
	return r.each(len(r.clients), func(i int) error {
		c := &r.clients[i]
		if err := r.readOne(ctx, c); err != nil {
			return err
		}
		md := rawMetadata("bench raw updated", i)
		md["client_id"] = c.ClientID
		var got rawClient
		if err := r.do(ctx, http.MethodPut, c.URI, c.RAT, md, http.StatusOK, &got); err != nil {
			return err
		}
		if got.RAT != "" {
			c.RAT = got.RAT
		}
		return nil
	})
}

// remove is what a destroy sends: a refresh, then the delete.
func (r *rawLoop) remove(ctx context.Context) error {
	return r.each(len(r.clients), func(i int) error {
		c := &r.clients[i]
		if err := r.readOne(ctx, c); err != nil {
			return err
		}
		return r.do(ctx, http.MethodDelete, c.URI, c.RAT, nil, http.StatusNoContent, nil)
	})
}
