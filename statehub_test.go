package main

import (
	"context"
	"runwatch/ui/view"
	"testing"
	"time"
)

func TestStateHubWaitsForANewerVersion(t *testing.T) {
	h := newStateHub(map[string]bool{"project": true})
	first := h.waitNewer(context.Background(), 0, time.Second)
	if first.Version == 0 || !first.Flags["project"] {
		t.Fatalf("first state %+v", first)
	}
	got := make(chan windowState, 1)
	go func() { got <- h.waitNewer(context.Background(), first.Version, 10*time.Second) }()
	time.Sleep(50 * time.Millisecond)
	h.update(func(s *windowState) { s.Status.Problem = "no credentials"; s.TrayHost = true })
	select {
	case st := <-got:
		if st.Version <= first.Version || st.Status.Problem != "no credentials" || !st.TrayHost {
			t.Fatalf("newer state %+v", st)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the waiter was not woken by the change")
	}
	start := time.Now()
	if st := h.waitNewer(context.Background(), h.get().Version, 100*time.Millisecond); st.Version != h.get().Version || time.Since(start) < 100*time.Millisecond {
		t.Fatalf("without a change: %+v after %v", st, time.Since(start))
	}
	_ = view.Status{}
}
