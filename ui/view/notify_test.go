package view

import (
	"runwatch/poller/lifecycle"
	"strings"
	"testing"
	"time"
)

func TestNotificationWording(t *testing.T) {
	bad := change(lifecycle.NewFailure, "us-west3", "e2", `ValueError: bad <b>config</b> & more`)
	ns := NotificationsFor([]lifecycle.Change{bad}, nil, 0)
	if len(ns) != 1 || ns[0].Title != "vertex-ai-launcher failed in us-west3" || ns[0].Body != "ValueError: bad <b>config</b> & more" || ns[0].Resource != bad.Resource {
		t.Fatalf("%+v", ns)
	}
	again := change(lifecycle.SameError, "us-west3", "e3", "ValueError: bad")
	again.Occurrences, again.First = 4, now.Add(-time.Hour)
	ns = NotificationsFor([]lifecycle.Change{again}, nil, 0)
	if len(ns) != 1 || ns[0].Title != "vertex-ai-launcher still failing in us-west3" ||
		!strings.Contains(ns[0].Body, "same error as 3 earlier failures (first "+now.Add(-time.Hour).Local().Format("15:04")+")") {
		t.Fatalf("same error: %+v", ns)
	}
	kind := change(lifecycle.NewKindOfError, "us-east1", "e4", "ImagePullBackOff")
	if ns = NotificationsFor([]lifecycle.Change{kind}, nil, 0); ns[0].Title != "vertex-ai-launcher failed in us-east1 with a different error" {
		t.Fatalf("new kind: %+v", ns)
	}
	fixed := lifecycle.Change{Kind: lifecycle.Fixed, Scope: bad.Scope, Resource: bad.Resource + "-ok", Fixes: bad.Resource}
	if ns = NotificationsFor([]lifecycle.Change{fixed}, nil, 0); ns[0].Title != "vertex-ai-launcher fixed in us-west3" || ns[0].Body != "e2-ok succeeded after e2 failed" {
		t.Fatalf("fixed: %+v", ns)
	}
	ns = NotificationsFor([]lifecycle.Change{bad, again, fixed}, []lifecycle.Change{kind}, 0)
	if len(ns) != 2 || ns[0].Title != "vertex-ai-launcher: 1 failed, 1 still failing, 1 fixed" || strings.Count(ns[0].Body, "\n") != 2 {
		t.Fatalf("summary: %+v", ns)
	}
	if ns[1].Title != "While notifications were snoozed: vertex-ai-launcher: 1 failed with a different error" {
		t.Fatalf("snooze summary: %+v", ns[1])
	}
	if ns := NotificationsFor(nil, nil, 0); len(ns) != 0 {
		t.Fatal("a notification for nothing")
	}
	if got := EscapeMarkup("<b>&"); got != "&lt;b&gt;&amp;" {
		t.Fatalf("escaped %q", got)
	}
}

// A change is worded with its own job, not the one watched now: the poller
// hands out changes of another job after the settings switched jobs while a
// failure of the old one waited for its error.
// Found by the review of issue 7.
func TestNotificationNamesTheJobThatFailed(t *testing.T) {
	c := lifecycle.Change{Kind: lifecycle.NewFailure, Resource: "projects/p/locations/us-central1/jobs/nightly-eval/executions/eval-bad",
		Scope:  lifecycle.Scope{Project: "p", Job: "nightly-eval", Region: "us-central1"},
		Record: lifecycle.Record{State: lifecycle.Failed, Error: lifecycle.ErrorInfo{Line: "ValueError: x"}}}
	for _, n := range NotificationsFor([]lifecycle.Change{c}, nil, 0) {
		if !strings.Contains(n.Title, "nightly-eval") {
			t.Fatalf("a failure of nightly-eval notified as %q", n.Title)
		}
	}
}

// A notification server cuts a long title: what matters comes first (the
// job, what happened, the region), and no title speaks of a "new kind"
// (issue 14: "… failed with a new kind of error in …").
func TestNotificationTitlesLeadWithJobWhatHappenedAndRegion(t *testing.T) {
	for _, kind := range []lifecycle.Kind{lifecycle.NewFailure, lifecycle.SameError, lifecycle.NewKindOfError, lifecycle.Fixed, lifecycle.WasCancelled} {
		c := change(kind, "us-east1", "e4", "ImagePullBackOff")
		c.Fixes = c.Resource + "-before"
		n := NotificationsFor([]lifecycle.Change{c}, nil, 0)[0]
		const cut = 48 // about what xfce4-notifyd shows of a title on one line
		head := n.Title[:min(len(n.Title), cut)]
		if !strings.HasPrefix(head, "vertex-ai-launcher ") || !strings.Contains(head, "us-east1") {
			t.Errorf("%s: title %q: the first %d characters lack the job or the region", kind, n.Title, cut)
		}
		if strings.Contains(n.Title+n.Body, "new kind") {
			t.Errorf("%s: %q / %q speaks of a new kind", kind, n.Title, n.Body)
		}
		if n.Acts() && !strings.HasPrefix(n.Body, "ImagePullBackOff") {
			t.Errorf("%s: body %q does not start with the error line", kind, n.Body)
		}
	}
}
