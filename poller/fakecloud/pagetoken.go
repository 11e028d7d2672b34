package fakecloud

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"hash/fnv"
)

// pageToken is the opaque next_page_token of both services. It names the
// last item returned (its sort key) rather than an offset, so items added
// while a client pages (the demo keeps adding) do not shift later pages, and
// it carries a hash of the query so a token cannot be replayed on another.
type pageToken struct {
	Query string `json:"q"` // queryHash of the request's parameters
	Nanos int64  `json:"t"` // sort time of the last item returned
	Name  string `json:"n"` // tie-break of the last item returned
	// Fresh: no item returned yet (after an empty page), so Nanos and Name
	// mean nothing.
	Fresh bool `json:"f,omitempty"`
	// Empties counts the empty pages this query was answered with so far.
	Empties int `json:"e,omitempty"`
}

func (t pageToken) encode() string {
	b, err := json.Marshal(t)
	if err != nil {
		panic(fmt.Sprintf("fakecloud: encode page token: %v", err)) // cannot happen for this struct
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodePageToken parses s and checks it was made for the query with hash
// query.
func decodePageToken(s, query string) (pageToken, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return pageToken{}, fmt.Errorf("invalid page_token %q: %w", s, err)
	}
	var t pageToken
	if err := json.Unmarshal(b, &t); err != nil {
		return pageToken{}, fmt.Errorf("invalid page_token %q: %w", s, err)
	}
	if t.Query != query {
		return pageToken{}, fmt.Errorf("invalid page_token %q: it belongs to a different query", s)
	}
	return t, nil
}

// queryHash fingerprints the request parameters a page token is bound to.
func queryHash(parts ...string) string {
	h := fnv.New64a()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return fmt.Sprintf("%016x", h.Sum64())
}
