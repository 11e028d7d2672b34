package main

import (
	"context"
	"runwatch/ui/view"
	"sync"
	"time"
)

// windowState is what the tray process tells the window process: the
// status to show, whether a tray host is there (a window forced open for
// want of one goes when one comes) and the flags that win over settings.
type windowState struct {
	Version  uint64          `json:"version"`
	Status   view.Status     `json:"status"`
	TrayHost bool            `json:"tray_host"`
	Flags    map[string]bool `json:"flags"`
}

// stateHub keeps the tray process's status and lets window processes wait
// for a newer one (a long poll over the instance socket).
type stateHub struct {
	mu      sync.Mutex
	state   windowState
	changed chan struct{} // closed, and replaced, at each change
}

func newStateHub(flags map[string]bool) *stateHub {
	return &stateHub{state: windowState{Version: 1, Flags: flags}, changed: make(chan struct{})}
}

// update changes the state and wakes who waits for it.
func (h *stateHub) update(change func(*windowState)) windowState {
	h.mu.Lock()
	defer h.mu.Unlock()
	change(&h.state)
	h.state.Version++
	close(h.changed)
	h.changed = make(chan struct{})
	return h.state
}

// get is the state now.
func (h *stateHub) get() windowState {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.state
}

// waitNewer returns the state once its version is past since, or the state
// as it is after at most wait, or when ctx ends.
func (h *stateHub) waitNewer(ctx context.Context, since uint64, wait time.Duration) windowState {
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
			return h.get()
		case <-ctx.Done():
			return h.get()
		}
	}
}
