package view

import (
	"errors"
	"slices"
	"testing"
	"time"

	"runwatch/poller"
)

func TestDetailsOfferRunAgainForAFinishedExecutionAndCancelForARunningOne(t *testing.T) {
	for _, c := range []struct {
		state            poller.State
		runAgain, cancel bool
	}{
		{poller.StateFailed, true, false},
		{poller.StateSucceeded, true, false},
		{poller.StateCancelled, true, false},
		{poller.StateRunning, false, true},
		{poller.StatePending, false, true},
	} {
		e := execution("us-west3", "vertex-ai-launcher-x7k2p", c.state, time.Minute)
		if got := Offered(e, ConfirmRunAgain); got != c.runAgain {
			t.Errorf("%s: run again offered %v", c.state, got)
		}
		if got := Offered(e, ConfirmCancel); got != c.cancel {
			t.Errorf("%s: cancel offered %v", c.state, got)
		}
	}
}

func TestConfirmationsNameJobRegionAndExecution(t *testing.T) {
	e := execution("us-west3", "vertex-ai-launcher-x7k2p", poller.StateFailed, time.Minute)
	for _, c := range []struct{ got, want string }{
		{RunAgainQuestion(e), "Run vertex-ai-launcher again in us-west3? (run again of vertex-ai-launcher-x7k2p)"},
		{CancelQuestion(e), "Cancel vertex-ai-launcher-x7k2p in us-west3? Its running tasks are stopped."},
		{OverridesChoice("args --epochs 3 · env LR=0.1"), "with the same overrides: args --epochs 3 · env LR=0.1"},
		{OverridesChoice(""), ""},
		{RunningAgain(e), "starting vertex-ai-launcher in us-west3…"},
		{Cancelling(e), "cancelling vertex-ai-launcher-x7k2p…"},
		{Started("projects/p/locations/us-west3/jobs/vertex-ai-launcher/executions/vertex-ai-launcher-ab12c"), "started vertex-ai-launcher-ab12c"},
		{Cancelled(e), "cancelled vertex-ai-launcher-x7k2p"},
		{ActionFailed(errors.New("permission denied: running vertex-ai-launcher in us-west3 needs run.jobs.run\nmore")), "permission denied: running vertex-ai-launcher in us-west3 needs run.jobs.run"},
	} {
		if c.got != c.want {
			t.Errorf("got  %q\nwant %q", c.got, c.want)
		}
	}
}

func TestGcloudCommandsNameTheExecutionItsRegionAndProject(t *testing.T) {
	e := execution("us-west3", "vertex-ai-launcher-x7k2p", poller.StateFailed, time.Minute)
	e.Resource = "projects/my-project/locations/us-west3/jobs/vertex-ai-launcher/executions/vertex-ai-launcher-x7k2p"
	if got, want := GcloudDescribe(e), "gcloud run jobs executions describe vertex-ai-launcher-x7k2p --region us-west3 --project my-project"; got != want {
		t.Errorf("describe:\n got %q\nwant %q", got, want)
	}
	if got, want := GcloudLogs(e), "gcloud beta run jobs executions logs read vertex-ai-launcher-x7k2p --region us-west3 --project my-project"; got != want {
		t.Errorf("logs:\n got %q\nwant %q", got, want)
	}
	odd := poller.Execution{Project: "p q", Region: "r", Name: "it's"}
	if got, want := GcloudDescribe(odd), `gcloud run jobs executions describe 'it'\''s' --region r --project 'p q'`; got != want {
		t.Errorf("quoted:\n got %q\nwant %q", got, want)
	}
}

// The menu offers to run again the failure it offers to acknowledge, and
// to cancel the newest execution while it runs; neither acts by itself.
func TestMenuOffersRunAgainForTheColouringFailureAndCancelForTheRunningOne(t *testing.T) {
	bad := execution("us-west3", "vertex-ai-launcher-x7k2p", poller.StateFailed, 10*time.Minute)
	running := execution("us-east1", "vertex-ai-launcher-a1b2c", poller.StateRunning, time.Minute)
	st := Status{HasSnapshot: true, Snapshot: snapshot(running, bad), LastSuccess: now, Interval: 30 * time.Second}
	lines := TrayMenuOf(st, now, false)
	find := func(a MenuAction) (MenuLine, bool) {
		i := slices.IndexFunc(lines, func(l MenuLine) bool { return l.Action == a })
		if i < 0 {
			return MenuLine{}, false
		}
		return lines[i], true
	}
	ack, _ := find(ActAcknowledge)
	run, ok := find(ActRunAgain)
	if !ok || run.Label != "Run vertex-ai-launcher again in us-west3…" || run.Resource != bad.Resource || run.Resource != ack.Resource {
		t.Errorf("run again line %+v (acknowledge %+v)", run, ack)
	}
	cancel, ok := find(ActCancel)
	if !ok || cancel.Label != "Cancel vertex-ai-launcher-a1b2c…" || cancel.Resource != running.Resource {
		t.Errorf("cancel line %+v", cancel)
	}

	st.Snapshot = snapshot(execution("us-east1", "vertex-ai-launcher-ok", poller.StateSucceeded, time.Minute), bad)
	lines = TrayMenuOf(st, now, false)
	if _, ok := find(ActCancel); ok {
		t.Error("cancel offered while nothing runs")
	}
	st.Snapshot = snapshot(execution("us-east1", "vertex-ai-launcher-ok", poller.StateSucceeded, time.Minute))
	lines = TrayMenuOf(st, now, false)
	if _, ok := find(ActRunAgain); ok {
		t.Error("run again offered with no failure colouring the icon")
	}
}
