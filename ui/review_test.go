package ui

// Review of issue 7's change (branch review-7): each test here proves a
// defect of the current code and FAILS on it.

import (
	"strings"
	"testing"

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
	for _, n := range NotificationsFor("vertex-ai-launcher", []lifecycle.Change{c}, nil) {
		if !strings.Contains(n.Title, "nightly-eval") {
			t.Fatalf("a failure of nightly-eval notified as %q", n.Title)
		}
	}
}
