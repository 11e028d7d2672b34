package ipc

import (
	"context"
	"testing"
	"time"
)

func TestHubWaitsForANewerVersion(t *testing.T) {
	h := NewHub(map[string]bool{"project": true})
	first := h.WaitNewer(context.Background(), 0, time.Second)
	if first.Version == 0 || !first.Flags["project"] {
		t.Fatalf("first state %+v", first)
	}
	got := make(chan State, 1)
	go func() { got <- h.WaitNewer(context.Background(), first.Version, 10*time.Second) }()
	time.Sleep(50 * time.Millisecond)
	h.Update(func(s *State) { s.Status.Problem = "no credentials"; s.TrayHost = true })
	select {
	case st := <-got:
		if st.Version <= first.Version || st.Status.Problem != "no credentials" || !st.TrayHost {
			t.Fatalf("newer state %+v", st)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the waiter was not woken by the change")
	}
	start := time.Now()
	if st := h.WaitNewer(context.Background(), h.Get().Version, 100*time.Millisecond); st.Version != h.Get().Version || time.Since(start) < 100*time.Millisecond {
		t.Fatalf("without a change: %+v after %v", st, time.Since(start))
	}
}
