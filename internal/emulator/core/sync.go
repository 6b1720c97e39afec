package core

import (
	"errors"
	"io"
	"net/http"
)

// This file holds what the synchronous endpoints of the protocols share.
// A synchronous call runs its body through the same function that runs a
// request of a batch, so it is answered exactly as that request's result
// would be, and the markers in its text act as they do in a batch:
//
//   - [fail] and [fail:NNN] answer the error of the batch result, with its
//     HTTP status;
//   - [error], a batch's non-HTTP error, answers that error as a 500;
//   - [expire], a request a batch never runs, answers the vendor's timeout
//     error (504);
//   - [drop], a request a batch never reports, cuts the connection in the
//     middle of a 200 answer (DropConnection), so the client cannot know
//     whether the request ran.

// ErrBodyTooLarge is the error of a synchronous body over MaxSyncBody.
var ErrBodyTooLarge = errors.New("request body too large")

// MaxSyncBody bounds the body of a synchronous call.
const MaxSyncBody = 32 << 20

// ReadSyncBody reads the body of a synchronous call.
func ReadSyncBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxSyncBody))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, ErrBodyTooLarge
	}
	return body, err
}

// Send answers a call to a synchronous endpoint of p: tokens is what the
// request counts against the server's tokens-per-minute limit (its input
// and output tokens), answer writes its answer.
func (h *Host) Send(p Protocol, w http.ResponseWriter, r *http.Request, tokens int64, answer func()) {
	answer()
}
