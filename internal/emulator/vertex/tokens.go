package vertex

import (
	"crypto"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/batchctl/batchctl/internal/emulator/core"
)

// The service account the emulator knows, whose key it keeps in its state
// directory and hands out in a key file (ServiceAccountFile).
const (
	Project             = "batchctl-emulator"
	ServiceAccountEmail = "batchctl@" + Project + ".iam.gserviceaccount.com"
	keyID               = "emulator-key-1"
)

// TokenPath is the fake OAuth2 token endpoint: the token_uri of the key
// file, where Google's libraries trade a JWT signed with the key for an
// access token (the JWT bearer grant, RFC 7523, as
// golang.org/x/oauth2/jwt sends it: grant_type and assertion, form-encoded).
const TokenPath = "/vertex/token"

// keys are the service account's private key and the secret access
// tokens are signed with, shared by every process of a state directory.
type keys struct {
	private *rsa.PrivateKey
	pem     []byte // PKCS #8
	secret  []byte
}

// openKeys reads the key of dir/gcp/service-account.pem, making it first
// if there is none. Two processes making it at once agree on the first one
// linked into place.
func openKeys(dir string) (*keys, error) {
	path := filepath.Join(dir, "gcp", "service-account.pem")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		if err := makeKey(path); err != nil {
			return nil, err
		}
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(raw)
	if block == nil {
		return nil, fmt.Errorf("%s: no PEM key", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	private, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("%s: not an RSA key", path)
	}
	secret := sha256.Sum256(block.Bytes)
	return &keys{private: private, pem: raw, secret: secret[:]}, nil
}

// makeKey writes a new RSA key to path unless one got there first.
func makeKey(path string) error {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return err
	}
	tmp := path + "." + core.NewID("") + ".tmp"
	if err := os.WriteFile(tmp, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		return err
	}
	defer os.Remove(tmp)
	if err := os.Link(tmp, path); err != nil && !errors.Is(err, os.ErrExist) {
		return err
	}
	return nil
}

// ServiceAccountFile is a service account key file, in the shape the
// Google Cloud console downloads
// (https://cloud.google.com/iam/docs/keys-create-delete), for the
// emulator whose state is in dir and which is served at root: its
// token_uri is the emulator's token endpoint. Point
// GOOGLE_APPLICATION_CREDENTIALS at it.
func ServiceAccountFile(dir, root string) ([]byte, error) {
	k, err := openKeys(dir)
	if err != nil {
		return nil, err
	}
	return k.serviceAccountFile(root), nil
}

func (k *keys) serviceAccountFile(root string) []byte {
	raw, _ := json.MarshalIndent(map[string]string{
		"type":           "service_account",
		"project_id":     Project,
		"private_key_id": keyID,
		"private_key":    string(k.pem),
		"client_email":   ServiceAccountEmail,
		"client_id":      "100000000000000000001",
		"token_uri":      strings.TrimSuffix(root, "/") + TokenPath,
	}, "", "  ")
	return raw
}

// Tokens serves the fake token endpoint.
type Tokens struct {
	host *core.Host
	keys *keys
}

// NewTokens opens the token endpoint with the key under dir/gcp.
func NewTokens(host *core.Host, dir string) (core.Protocol, error) {
	k, err := openKeys(dir)
	if err != nil {
		return nil, err
	}
	return &Tokens{host: host, keys: k}, nil
}

// CredentialsPath serves the service account key file
// (ServiceAccountFile) of the emulator at the root the request reached it
// at, without credentials: fetch it, and point
// GOOGLE_APPLICATION_CREDENTIALS at it.
const CredentialsPath = "/vertex/credentials.json"

// Register adds the token endpoint, whose server faults are the token
// operation's, and the key file.
func (t *Tokens) Register(mux *http.ServeMux) {
	d := t.host.Door(t)
	d.Handle(mux, "POST "+TokenPath, core.OpToken, t.issue)
	d.Handle(mux, "GET "+CredentialsPath, "", t.credentials)
}

// credentials answers the key file.
func (t *Tokens) credentials(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json")
	_, err := w.Write(t.keys.serviceAccountFile("http://" + r.Host))
	return err
}

// RequestIDHeader implements core.Protocol.
func (t *Tokens) RequestIDHeader() string { return "" }

// Authenticate implements core.Protocol: the assertion is the credential,
// checked by issue.
func (t *Tokens) Authenticate(*http.Request, func(string) bool) error { return nil }

// oauthError is an OAuth2 error answer (RFC 6749 section 5.2).
type oauthError struct {
	code, description string
}

func (e *oauthError) Error() string { return e.code + ": " + e.description }

// WriteError implements core.Protocol: {"error","error_description"}.
func (t *Tokens) WriteError(w http.ResponseWriter, err error) {
	var e *oauthError
	status := http.StatusBadRequest
	if !errors.As(err, &e) {
		e, status = &oauthError{"internal_failure", core.Failure(err)}, http.StatusInternalServerError
	}
	core.WriteJSON(w, status, map[string]string{"error": e.code, "error_description": e.description})
}

// WriteFault implements core.Protocol: an OAuth2 error naming the
// status (RFC 6749 has no code for a server's trouble but
// temporarily_unavailable).
func (t *Tokens) WriteFault(w http.ResponseWriter, f core.Fault) {
	if f.Status == http.StatusTooManyRequests && !f.Bare {
		w.Header().Set("Retry-After", "1")
	}
	core.WriteJSON(w, f.Status, map[string]string{"error": "temporarily_unavailable", "error_description": http.StatusText(f.Status) + " (emulated server fault)"})
}

// jwtBearer is the grant type of a service account's token request.
const jwtBearer = "urn:ietf:params:oauth:grant-type:jwt-bearer"

// issue answers a token request whose assertion the service account's
// key signed with an access token lasting host.TokenLifetime.
func (t *Tokens) issue(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return &oauthError{"invalid_request", err.Error()}
	}
	if gt := r.PostForm.Get("grant_type"); gt != jwtBearer {
		return &oauthError{"unsupported_grant_type", fmt.Sprintf("Invalid grant_type: %s", gt)}
	}
	if err := t.checkAssertion(r.PostForm.Get("assertion")); err != nil {
		return err
	}
	life := t.host.TokenLifetime()
	core.WriteJSON(w, http.StatusOK, map[string]any{
		"access_token": t.keys.token(time.Now().Add(life)),
		"expires_in":   int(life / time.Second),
		"token_type":   "Bearer",
	})
	return nil
}

// checkAssertion verifies a JWT signed with RS256 by the service
// account's key, issued by its email, asking for a scope.
func (t *Tokens) checkAssertion(jwt string) error {
	invalid := &oauthError{"invalid_grant", "Invalid JWT Signature."}
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return invalid
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return invalid
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if rsa.VerifyPKCS1v15(&t.keys.private.PublicKey, crypto.SHA256, sum[:], sig) != nil {
		return invalid
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return invalid
	}
	var claims struct {
		Iss   string `json:"iss"`
		Scope string `json:"scope"`
	}
	if json.Unmarshal(payload, &claims) != nil || claims.Iss != ServiceAccountEmail {
		return &oauthError{"invalid_grant", "Invalid JWT: iss is not the emulator's service account."}
	}
	if claims.Scope == "" {
		return &oauthError{"invalid_scope", "Invalid OAuth scope or ID token audience provided."}
	}
	return nil
}

// tokenPrefix starts every access token the emulator issues.
const tokenPrefix = "ya29.emulator."

// token is an access token valid until expiry: the expiry and its MAC.
func (k *keys) token(expiry time.Time) string {
	exp := strconv.FormatInt(expiry.UnixNano(), 10)
	return tokenPrefix + exp + "." + base64.RawURLEncoding.EncodeToString(k.mac(exp))
}

func (k *keys) mac(s string) []byte {
	m := hmac.New(sha256.New, k.secret)
	m.Write([]byte(s))
	return m.Sum(nil)
}

// Errors of a call whose bearer token is missing, or not good (Google's
// messages for both).
var (
	errNoToken  = &apiError{code: http.StatusUnauthorized, message: "Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project."}
	errBadToken = &apiError{code: http.StatusUnauthorized, message: "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project."}
)

// checkBearer accepts a call with an access token the emulator issued that
// has not expired. Tokens live in real time, the clients' own, not on the
// batches' clock (which tests move).
func (k *keys) checkBearer(r *http.Request) error {
	now := time.Now()
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || tok == "" {
		return errNoToken
	}
	exp, mac, ok := strings.Cut(strings.TrimPrefix(tok, tokenPrefix), ".")
	sum, err := base64.RawURLEncoding.DecodeString(mac)
	if !ok || err != nil || !hmac.Equal(sum, k.mac(exp)) {
		return errBadToken
	}
	nanos, err := strconv.ParseInt(exp, 10, 64)
	if err != nil || !now.Before(time.Unix(0, nanos)) {
		return errBadToken
	}
	return nil
}
