package ui

// Review of issue 7's change (branch review-7): each test here proves a
// defect of the current code and FAILS on it.

import (
	"strings"
	"testing"
	"time"

	"runwatch/poller"
	"runwatch/poller/lifecycle"
)

// A change carries its own scope, but NotificationsFor words it with the
// job the app watches (UI.Apply passes snap.Job). The poller does hand out
// changes of other jobs (poller.TestReviewAppAnnouncesOnlyTheJobItWatches:
// a `runwatch status --job other` run, or a job switched in Settings while
// a failure of the old one waited for its error), so a nightly-eval
// failure is notified as "vertex-ai-launcher failed in us-central1".
func TestReviewNotificationNamesTheJobThatFailed(t *testing.T) {
	c := lifecycle.Change{Kind: lifecycle.NewFailure, Resource: "projects/p/locations/us-central1/jobs/nightly-eval/executions/eval-bad",
		Scope:  lifecycle.Scope{Project: "p", Job: "nightly-eval", Region: "us-central1"},
		Record: lifecycle.Record{State: lifecycle.Failed, Error: lifecycle.ErrorInfo{Line: "ValueError: x"}}}
	for _, n := range NotificationsFor([]lifecycle.Change{c}, nil, 0) {
		if !strings.Contains(n.Title, "nightly-eval") {
			t.Fatalf("a failure of nightly-eval notified as %q", n.Title)
		}
	}
}

// Claim 6 ("the header says never refreshed when nothing answered"): after
// Settings switch to another project whose regions all refuse (say
// permission denied), the header names the new project with the OLD
// project's last refresh: LastSuccess is never reset on a new
// configuration.
func TestReviewHeaderAfterSwitchingToAProjectThatNeverAnswered(t *testing.T) {
	u, _, _ := newTestUI(t)
	u.Apply(poller.Result{Snapshot: snapshot(execution("us-east1", "e1", poller.StateSucceeded, time.Hour))})
	other := poller.Snapshot{Project: "other-project", Job: "vertex-ai-launcher", RegionErrors: map[string]string{}, RegionsAsked: 2, TakenAt: now.Add(time.Minute)}
	for _, r := range []string{"us-east1", "us-west3"} {
		other.RegionErrors[r] = "list executions in " + r + ": permission denied"
	}
	u.Apply(poller.Result{Snapshot: other})
	if !strings.Contains(u.Header.Text, "never refreshed") {
		t.Fatalf("header %q: other-project never answered", u.Header.Text)
	}
}
