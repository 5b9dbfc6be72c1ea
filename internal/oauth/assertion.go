package oauth

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"time"
)

// AssertionSigners' algorithms (RFC 7518).
var AssertionAlgorithms = []string{"RS256", "RS384", "RS512", "PS256", "ES256", "ES384"}

// AssertionSigner signs private_key_jwt client assertions (RFC 7523).
type AssertionSigner struct {
	key   crypto.Signer
	alg   string
	keyID string
}

// NewAssertionSigner parses a PEM private key (PKCS #8, PKCS #1 RSA or SEC 1
// EC) and checks alg against it; alg "" picks RS256 for RSA keys and ES256
// or ES384 for P-256 or P-384 keys.
func NewAssertionSigner(keyPEM, alg, keyID string) (*AssertionSigner, error) {
	block, _ := pem.Decode([]byte(keyPEM))
	if block == nil {
		return nil, errors.New("the private key is not PEM")
	}
	var key any
	var err error
	switch block.Type {
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(block.Bytes)
	default:
		return nil, fmt.Errorf("PEM block %q is not a private key (want PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)", block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("the private key does not parse: %w", err)
	}
	s := &AssertionSigner{alg: alg, keyID: keyID}
	switch k := key.(type) {
	case *rsa.PrivateKey:
		if s.alg == "" {
			s.alg = "RS256"
		}
		if s.alg[0] != 'R' && s.alg[0] != 'P' {
			return nil, fmt.Errorf("algorithm %s does not fit an RSA key: use RS256, RS384, RS512 or PS256", s.alg)
		}
		s.key = k
	case *ecdsa.PrivateKey:
		want := map[elliptic.Curve]string{elliptic.P256(): "ES256", elliptic.P384(): "ES384"}[k.Curve]
		if want == "" {
			return nil, errors.New("only P-256 and P-384 EC keys are supported")
		}
		if s.alg == "" {
			s.alg = want
		}
		if s.alg != want {
			return nil, fmt.Errorf("algorithm %s does not fit this EC key: use %s", s.alg, want)
		}
		s.key = k
	default:
		return nil, fmt.Errorf("unsupported key type %T: use an RSA or EC (P-256, P-384) key", key)
	}
	if _, ok := hashFor(s.alg); !ok {
		return nil, fmt.Errorf("unsupported algorithm %q", s.alg)
	}
	return s, nil
}

// Algorithm is the JWS algorithm the signer uses.
func (s *AssertionSigner) Algorithm() string { return s.alg }

// Public returns the public key, for tests and for publishing a JWKS.
func (s *AssertionSigner) Public() crypto.PublicKey { return s.key.Public() }

func hashFor(alg string) (crypto.Hash, bool) {
	switch alg {
	case "RS256", "PS256", "ES256":
		return crypto.SHA256, true
	case "RS384", "ES384":
		return crypto.SHA384, true
	case "RS512":
		return crypto.SHA512, true
	}
	return 0, false
}

// Assertion returns a signed JWT with iss and sub clientID, aud audience
// (the token endpoint), a random jti, and a one-minute lifetime from now.
func (s *AssertionSigner) Assertion(clientID, audience string, now time.Time) (string, error) {
	jti := make([]byte, 16)
	if _, err := rand.Read(jti); err != nil {
		return "", err
	}
	header := map[string]string{"alg": s.alg, "typ": "JWT"}
	if s.keyID != "" {
		header["kid"] = s.keyID
	}
	claims := map[string]any{
		"iss": clientID, "sub": clientID, "aud": audience, "jti": hex.EncodeToString(jti),
		"iat": now.Unix(), "exp": now.Add(time.Minute).Unix(),
	}
	h, _ := json.Marshal(header)
	c, _ := json.Marshal(claims)
	input := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(c)
	hash, _ := hashFor(s.alg)
	var digest []byte
	switch hash {
	case crypto.SHA256:
		d := sha256.Sum256([]byte(input))
		digest = d[:]
	case crypto.SHA384:
		d := sha512.Sum384([]byte(input))
		digest = d[:]
	default:
		d := sha512.Sum512([]byte(input))
		digest = d[:]
	}
	var sig []byte
	var err error
	switch k := s.key.(type) {
	case *rsa.PrivateKey:
		if s.alg[0] == 'P' {
			sig, err = rsa.SignPSS(rand.Reader, k, hash, digest, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
		} else {
			sig, err = rsa.SignPKCS1v15(rand.Reader, k, hash, digest)
		}
	case *ecdsa.PrivateKey:
		var r, ss *big.Int
		r, ss, err = ecdsa.Sign(rand.Reader, k, digest)
		if err == nil {
			size := (k.Curve.Params().BitSize + 7) / 8
			sig = make([]byte, 2*size)
			r.FillBytes(sig[:size])
			ss.FillBytes(sig[size:])
		}
	}
	if err != nil {
		return "", fmt.Errorf("signing the client assertion: %w", err)
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}
