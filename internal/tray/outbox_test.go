package tray

import (
	"errors"
	"slices"
	"testing"

	"runwatch/internal/notifier"
	"runwatch/poller"
	"runwatch/poller/lifecycle"
	"runwatch/ui/view/viewtest"
)

// Two snoozes end while no notification server runs: the second's summary
// joins the first's, which still waits; it does not replace it.
// Found by the review of issue 13.
func TestASecondSnoozeSummaryDoesNotDropTheFirstUndelivered(t *testing.T) {
	o := newOutbox()
	f1 := viewtest.Change(lifecycle.NewFailure, "us-west3", "f1", "boom")
	f2 := viewtest.Change(lifecycle.NewFailure, "us-east1", "f2", "bang")
	o.add(poller.Result{Missed: []lifecycle.Change{f1}})
	sent := o.next()
	if len(sent.Missed) != 1 {
		t.Fatalf("set-up: first summary not sent: %+v", sent)
	}
	o.settle(notifier.Told{Missed: resources(sent.Missed)}, errors.New("no notification server"))
	o.add(poller.Result{Missed: []lifecycle.Change{f2}}) // the second snooze ended
	res := o.next()
	if !slices.ContainsFunc(res.Missed, func(c lifecycle.Change) bool { return c.Resource == f1.Resource }) {
		t.Fatalf("what waits for a server: missed %v — f1, held back by the first snooze and never delivered, is gone", resources(res.Missed))
	}
}

func resources(cs []lifecycle.Change) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Resource)
	}
	return out
}
