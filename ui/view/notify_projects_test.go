package view

import (
	"strings"
	"testing"

	"runwatch/poller"
	"runwatch/poller/lifecycle"
)

// inProject moves a change of the launcher to project.
func inProject(c lifecycle.Change, project string) lifecycle.Change {
	c.Scope.Project = project
	c.Resource = strings.Replace(c.Resource, "projects/p/", "projects/"+project+"/", 1)
	return c
}

// Notifications name the job; with several projects watched (--project
// prod,staging) the same job name is two jobs, each with its own
// lifecycle, and the tray menu says project/job for them (jobLabel). A
// notification of one refresh with prod's failure and staging's fix of
// the same-named job must say which is which; it reads "vertex-ai-launcher:
// 1 failed, 1 fixed / us-west3: failed … / us-west3: fixed", the one job
// failing and fixed in the same region at once.
func TestNotificationsSayTheProjectOfASameNamedJob(t *testing.T) {
	failed := inProject(change(lifecycle.NewFailure, "us-west3", "vertex-ai-launcher-a1", "ValueError: bad shard"), "prod")
	fixed := inProject(change(lifecycle.Fixed, "us-west3", "vertex-ai-launcher-b2", ""), "staging")
	fixed.Record.State, fixed.Fixes = poller.StateSucceeded, "projects/staging/locations/us-west3/jobs/vertex-ai-launcher/executions/vertex-ai-launcher-b1"
	ns := NotificationsFor([]lifecycle.Change{failed, fixed}, nil, 0)
	if len(ns) != 1 {
		t.Fatalf("%d notifications, want one summary", len(ns))
	}
	text := ns[0].Title + "\n" + ns[0].Body
	if !strings.Contains(text, "prod") || !strings.Contains(text, "staging") {
		t.Fatalf("summary %q does not say which project failed and which was fixed", text)
	}
}
