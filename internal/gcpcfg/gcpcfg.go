// Package gcpcfg finds Google Cloud credentials the way Google's tools
// do, Application Default Credentials
// (https://cloud.google.com/docs/authentication/application-default-credentials):
// the file GOOGLE_APPLICATION_CREDENTIALS names (a service account key,
// or any credential file gcloud writes), gcloud's
// application_default_credentials.json (`gcloud auth application-default
// login`: ~/.config/gcloud, %APPDATA%\gcloud on Windows; golang.org/x/oauth2
// google/default.go wellKnownFile, which does not read CLOUDSDK_CONFIG),
// or the metadata server of the Compute Engine, Cloud Run or GKE
// machine batchctl runs on; and the project and location to use. Nothing
// is stored by batchctl.
package gcpcfg

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"time"

	"cloud.google.com/go/compute/metadata"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/google"
)

// Scope is the OAuth2 scope of every call: Vertex AI and Cloud Storage
// both take cloud-platform.
const Scope = "https://www.googleapis.com/auth/cloud-platform"

// ProbeTimeout bounds the search for credentials. Without a credential
// file, the library asks whether it runs on Google's cloud (metadata.OnGCE
// in cloud.google.com/go/compute/metadata: an HTTP probe of 169.254.169.254
// raced with a DNS lookup of metadata.google.internal, waiting longer only
// when the machine's DMI product name says Google). Off a cloud with a
// resolver that does not answer, that can take seconds, so the search
// gives up after ProbeTimeout.
const ProbeTimeout = 2 * time.Second

// Credentials are the credentials found and the project they imply.
type Credentials struct {
	TokenSource oauth2.TokenSource
	// Project is the credentials' own project (a service account key's,
	// the metadata server's); "" for a user's gcloud login.
	Project string
	// Source says where they were found, never a secret.
	Source string
}

// Find looks for Application Default Credentials, within ProbeTimeout.
// hc, when set, fetches the tokens. A search that times out is left to
// finish in the background (the library's probe takes no context); its
// answer is dropped.
func Find(ctx context.Context, hc *http.Client) (*Credentials, error) {
	if hc != nil {
		ctx = context.WithValue(ctx, oauth2.HTTPClient, hc)
	}
	type found struct {
		creds *google.Credentials
		err   error
	}
	ch := make(chan found, 1)
	go func() {
		c, err := google.FindDefaultCredentials(ctx, Scope)
		ch <- found{c, err}
	}()
	select {
	case f := <-ch:
		if f.err != nil {
			return nil, errors.New("no Google credentials found: set GOOGLE_APPLICATION_CREDENTIALS to a service account key file, or run `gcloud auth application-default login`")
		}
		return &Credentials{TokenSource: f.creds.TokenSource, Project: f.creds.ProjectID, Source: describe(ctx, f.creds.JSON)}, nil
	case <-time.After(ProbeTimeout):
		return nil, fmt.Errorf("no Google credentials found within %s (no credential file, and no metadata server answered)", ProbeTimeout)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// credentialFile is what describe reads of a credential file: its type and
// the account it names. Its secrets are not read.
type credentialFile struct {
	Type        string `json:"type"`
	ClientEmail string `json:"client_email"`
}

// describe names credentials found, short enough for a table: a service
// account by its email, a gcloud login as such, another credential file by
// its type and path, the metadata server by its account.
func describe(ctx context.Context, raw []byte) string {
	if raw == nil {
		return "metadata server" + metadataAccount(ctx)
	}
	var f credentialFile
	json.Unmarshal(raw, &f)
	path := os.Getenv("GOOGLE_APPLICATION_CREDENTIALS")
	switch {
	case f.Type == "service_account":
		return "service account " + f.ClientEmail
	case f.Type == "authorized_user" && path == "":
		return "gcloud user login"
	case path == "":
		return f.Type + " (gcloud application default credentials)"
	}
	return f.Type + " " + path
}

// metadataAccount is " <account email>" of the machine's default service
// account, or "" when the metadata server does not say within
// ProbeTimeout.
func metadataAccount(ctx context.Context) string {
	ctx, cancel := context.WithTimeout(ctx, ProbeTimeout)
	defer cancel()
	email, err := metadata.EmailWithContext(ctx, "default")
	if err != nil || email == "" {
		return ""
	}
	return " " + email
}

// ProjectFrom is the project a profile names, else the environment's
// (GOOGLE_CLOUD_PROJECT, as the gcloud tools and the Gen AI SDK read it),
// else the credentials'.
func ProjectFrom(profile string, creds *Credentials) string {
	switch {
	case profile != "":
		return profile
	case os.Getenv("GOOGLE_CLOUD_PROJECT") != "":
		return os.Getenv("GOOGLE_CLOUD_PROJECT")
	case creds != nil:
		return creds.Project
	}
	return ""
}

// LocationFrom is the location a profile names, else the environment's
// (GOOGLE_CLOUD_LOCATION, as the Gen AI SDK reads it), else us-central1.
func LocationFrom(profile string) string {
	switch {
	case profile != "":
		return profile
	case os.Getenv("GOOGLE_CLOUD_LOCATION") != "":
		return os.Getenv("GOOGLE_CLOUD_LOCATION")
	}
	return "us-central1"
}
