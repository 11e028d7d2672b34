package ipc

import (
	"context"
	"errors"
	"sync"
	"time"

	"runwatch/poller"
)

// Hub keeps the tray process's State and lets window processes wait for a
// newer one (the long poll behind State). Its methods may be called from
// any goroutine.
type Hub struct {
	mu      sync.Mutex
	state   State
	changed chan struct{} // closed, and replaced, at each change
}

// NewHub starts a hub at version 1 with the flags that win over settings.
func NewHub(flags map[string]bool) *Hub {
	return &Hub{state: State{Version: 1, Flags: flags}, changed: make(chan struct{})}
}

// Update changes the state, wakes who waits for it and returns the new
// state. change runs under the hub's lock: it must only set fields.
func (h *Hub) Update(change func(*State)) State {
	h.mu.Lock()
	defer h.mu.Unlock()
	change(&h.state)
	h.state.Version++
	close(h.changed)
	h.changed = make(chan struct{})
	return h.state
}

// Get returns the state now.
func (h *Hub) Get() State {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.state
}

// Snapshot returns the last refresh's snapshot, as `runwatch status`
// asks for it, or an error before the first refresh.
func (h *Hub) Snapshot() (poller.Snapshot, error) {
	st := h.Get().Status
	if !st.HasSnapshot {
		return poller.Snapshot{}, errors.New("no refresh yet")
	}
	return st.Snapshot, nil
}

// WaitNewer returns the state once its version is past since, or the state
// as it is after at most wait, or when ctx ends.
func (h *Hub) WaitNewer(ctx context.Context, since uint64, wait time.Duration) State {
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		h.mu.Lock()
		st, changed := h.state, h.changed
		h.mu.Unlock()
		if st.Version > since {
			return st
		}
		select {
		case <-changed:
		case <-timer.C:
			return h.Get()
		case <-ctx.Done():
			return h.Get()
		}
	}
}
