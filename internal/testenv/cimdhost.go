package testenv

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// TestCA is a throwaway certificate authority for the test environment: the
// document host's certificate is signed by it, and Keycloak
// (--truststore-paths) and node-oidc-provider (NODE_EXTRA_CA_CERTS) trust it.
type TestCA struct {
	// CertPEM is the CA certificate.
	CertPEM []byte
	// CertFile holds CertPEM on disk.
	CertFile string

	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

// NewTestCA creates a CA valid for a day and writes its certificate to
// dir/test-ca.pem.
func NewTestCA(dir string) (*TestCA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: "terraform-provider-mcp test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	ca := &TestCA{CertPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), cert: cert, key: key}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	ca.CertFile = filepath.Join(dir, "test-ca.pem")
	if err := os.WriteFile(ca.CertFile, ca.CertPEM, 0o644); err != nil {
		return nil, err
	}
	return ca, nil
}

// ServerCertificate issues a certificate for localhost and 127.0.0.1.
func (ca *TestCA) ServerCertificate() (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: "localhost"},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der, ca.cert.Raw}, PrivateKey: key}, nil
}

// DocumentHost is an HTTPS server, in this process, that serves Client ID
// Metadata Documents (and anything else a test puts there) for the
// authorization servers to fetch. Its certificate comes from a TestCA.
type DocumentHost struct {
	// BaseURL is https://localhost:PORT.
	BaseURL string
	// CA signed the server's certificate.
	CA *TestCA

	srv    *http.Server
	ln     net.Listener
	mu     sync.Mutex
	routes map[string]hostedResponse
	hits   map[string]int
}

type hostedResponse struct {
	status      int
	contentType string
	body        []byte
	header      http.Header
}

// StartDocumentHost serves on a free loopback port until Stop.
func StartDocumentHost(ctx context.Context, ca *TestCA) (*DocumentHost, error) {
	cert, err := ca.ServerCertificate()
	if err != nil {
		return nil, err
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	h := &DocumentHost{
		BaseURL: fmt.Sprintf("https://localhost:%d", ln.Addr().(*net.TCPAddr).Port),
		CA:      ca,
		ln:      ln,
		routes:  map[string]hostedResponse{},
		hits:    map[string]int{},
	}
	h.srv = &http.Server{
		Handler:           http.HandlerFunc(h.serve),
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
		ReadHeaderTimeout: 10 * time.Second,
	}
	go func() { _ = h.srv.ServeTLS(ln, "", "") }()
	return h, nil
}

func (h *DocumentHost) serve(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	resp, ok := h.routes[r.URL.Path]
	h.hits[r.URL.Path]++
	h.mu.Unlock()
	if !ok || r.Method != http.MethodGet {
		http.NotFound(w, r)
		return
	}
	for k, v := range resp.header {
		w.Header()[k] = v
	}
	if resp.contentType != "" {
		w.Header().Set("Content-Type", resp.contentType)
	}
	w.WriteHeader(resp.status)
	_, _ = w.Write(resp.body)
}

// Put serves body as application/json at path (which starts with "/") and
// returns its URL.
func (h *DocumentHost) Put(path string, body []byte) string {
	return h.PutResponse(path, http.StatusOK, "application/json", body, nil)
}

// PutResponse serves any answer at path and returns its URL.
func (h *DocumentHost) PutResponse(path string, status int, contentType string, body []byte, header http.Header) string {
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.routes[path] = hostedResponse{status: status, contentType: contentType, body: body, header: header}
	return h.BaseURL + path
}

// Redirect answers 302 to target at path and returns the path's URL.
func (h *DocumentHost) Redirect(path, target string) string {
	return h.PutResponse(path, http.StatusFound, "text/plain", nil, http.Header{"Location": {target}})
}

// Hits is how many requests path received.
func (h *DocumentHost) Hits(path string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.hits[path]
}

// Stop stops the server. Safe on nil and more than once.
func (h *DocumentHost) Stop() error {
	if h == nil || h.srv == nil {
		return nil
	}
	err := h.srv.Close()
	h.srv = nil
	return err
}
