package main

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"cloud.google.com/go/iam/apiv1/iampb"
	"cloud.google.com/go/pubsub/v2"
	"cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"google.golang.org/api/iterator"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"runwatch/internal/startup"
	"runwatch/poller/fakecloud"
	"runwatch/poller/fakecloud/fakepubsub"
	"runwatch/poller/lifecycle"
	"runwatch/team"
)

// teamCloud is actionCloud with a fake Pub/Sub that its sinks publish to,
// reached through PUBSUB_EMULATOR_HOST as any emulator is.
func teamCloud(t *testing.T) (*fakecloud.Cloud, *fakepubsub.Server, []string) {
	t.Helper()
	c, endpoints := actionCloud(t)
	ps := fakepubsub.Start()
	t.Cleanup(func() { _ = ps.Close() })
	c.SetSinkPublisher(ps.Publish)
	t.Setenv("PUBSUB_EMULATOR_HOST", ps.Addr())
	return c, ps, endpoints
}

func teamContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// pubsubClient is the real Pub/Sub client on the fake.
func pubsubClient(t *testing.T, ps *fakepubsub.Server) *pubsub.Client {
	t.Helper()
	client, err := team.NewPubSubClient(teamContext(t), "p1", ps.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Close() })
	return client
}

func topicsOf(t *testing.T, client *pubsub.Client) []string {
	t.Helper()
	var out []string
	it := client.TopicAdminClient.ListTopics(teamContext(t), &pubsubpb.ListTopicsRequest{Project: "projects/p1"})
	for {
		topic, err := it.Next()
		if err == iterator.Done {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, topic.GetName())
	}
}

// The team-setup bar: against the fake, one sink routes the Cloud Run job
// audit entries to a topic that exists and its writer may publish to; a
// second run exits 0 and changes nothing; a failure then reaches a
// subscription as an Event.
func TestTeamSetupMakesOneSinkToATopicItsWriterMayPublishToAndASecondRunChangesNothing(t *testing.T) {
	c, ps, endpoints := teamCloud(t)
	code, out, errOut := runCmd(t, "", append([]string{"team", "setup", "--project", "p1"}, endpoints...)...)
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q, stdout %q", code, errOut, out)
	}
	for _, want := range []string{"created topic projects/p1/topics/runwatch-executions\n", "created topic projects/p1/topics/runwatch-errors\n",
		"created sink projects/p1/sinks/runwatch-executions", "granted serviceAccount:service-", "team mode is set up in p1"} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	sinks := c.Sinks("p1")
	if len(sinks) != 1 {
		t.Fatalf("sinks %v", sinks)
	}
	sink := sinks[0]
	for _, part := range []string{"cloud_run_job", "Jobs.RunJob", "system_event"} {
		if !strings.Contains(sink.GetFilter(), part) {
			t.Errorf("filter %q lacks %q", sink.GetFilter(), part)
		}
	}
	client := pubsubClient(t, ps)
	topic := strings.TrimPrefix(sink.GetDestination(), "pubsub.googleapis.com/")
	topics := topicsOf(t, client)
	if !slices.Contains(topics, topic) || len(topics) != 2 || !strings.Contains(sink.GetWriterIdentity(), "@gcp-sa-logging.iam.gserviceaccount.com") {
		t.Errorf("sink to %q (topics %q), writer %q", sink.GetDestination(), topics, sink.GetWriterIdentity())
	}
	granted := slices.ContainsFunc(ps.Policy(topic).GetBindings(), func(b *iampb.Binding) bool {
		return b.GetRole() == "roles/pubsub.publisher" && slices.Contains(b.GetMembers(), sink.GetWriterIdentity())
	})
	if !granted {
		t.Errorf("policy of %s: %v", topic, ps.Policy(topic))
	}

	calls, sets := len(c.SinkCalls()), ps.SetIamPolicyCount()
	code, out, errOut = runCmd(t, "", append([]string{"team", "setup", "--project", "p1"}, endpoints...)...)
	if code != 0 || errOut != "" || !strings.HasSuffix(out, "nothing to change: team mode was already set up in p1\n") || strings.Contains(out, "created") {
		t.Errorf("second run: exit %d, stderr %q, stdout:\n%s", code, errOut, out)
	}
	if more := c.SinkCalls()[calls:]; !slices.Equal(more, []string{"GetSink"}) || ps.SetIamPolicyCount() != sets || len(topicsOf(t, client)) != 2 {
		t.Errorf("second run called %q, set IAM %d times more", more, ps.SetIamPolicyCount()-sets)
	}

	// A failure in the fake reaches a subscription as an Event.
	ctx := teamContext(t)
	sub, err := team.EnsureSubscription(ctx, client, "p1", team.NewInstallationID())
	if err != nil {
		t.Fatal(err)
	}
	putLauncher(c, fakecloud.Failed, 0)
	subCtx, stop := context.WithCancel(ctx)
	defer stop()
	var once sync.Once
	events := make(chan team.Event, 1)
	go func() {
		_ = team.Subscribe(subCtx, client, sub, func(e team.Event) { once.Do(func() { events <- e }) }, nil)
	}()
	select {
	case e := <-events:
		if e.Resource != launcherExec || e.State != lifecycle.Failed || e.Project != "p1" || e.Region != "us-west3" ||
			e.Job != "vertex-ai-launcher" || e.Execution != "vertex-ai-launcher-x7k2p" || !strings.Contains(e.Message, "exited with an error") {
			t.Errorf("event %+v", e)
		}
	case <-ctx.Done():
		t.Fatal("no event on the subscription")
	}
}

func TestTeamSetupDryRunPrintsTheGcloudCommandsAndCallsNothing(t *testing.T) {
	c, ps, endpoints := teamCloud(t)
	code, out, errOut := runCmd(t, "", append([]string{"team", "setup", "--project", "p1", "--dry-run"}, endpoints...)...)
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	for _, want := range []string{
		"gcloud pubsub topics create runwatch-executions --project=p1\n",
		"gcloud pubsub topics create runwatch-errors --project=p1\n",
		"gcloud logging sinks create runwatch-executions pubsub.googleapis.com/projects/p1/topics/runwatch-executions --log-filter='logName=\"projects/p1/logs/cloudaudit.googleapis.com%2Fsystem_event\" AND resource.type=\"cloud_run_job\"",
		"--member=\"$WRITER\" --role=roles/pubsub.publisher\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	if calls := c.SinkCalls(); len(calls) != 0 || len(topicsOf(t, pubsubClient(t, ps))) != 0 {
		t.Errorf("a dry run called %q or made topics", calls)
	}
}

func TestTeamSetupRefusedSaysTheRoleItNeedsAndExits1(t *testing.T) {
	c, _, endpoints := teamCloud(t)
	c.SetSinkError(status.Error(codes.PermissionDenied, "Permission 'logging.sinks.get' denied"))
	code, _, errOut := runCmd(t, "", append([]string{"team", "setup", "--project", "p1"}, endpoints...)...)
	if code != 1 || !strings.Contains(errOut, "runwatch team setup: read sink projects/p1/sinks/runwatch-executions: permission denied: this needs roles/logging.configWriter") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}

func TestTeamCommandsRefuseBadArgumentsWithExit2(t *testing.T) {
	actionCloud(t)
	for _, args := range [][]string{
		{"team"}, {"team", "join"}, {"team", "setup", "--nope"}, {"team", "setup", "p1"}, {"team", "leave", "--dry-run"},
	} {
		if code, _, errOut := runCmd(t, "", args...); code != 2 || errOut == "" {
			t.Errorf("%q: exit %d, stderr %q", args, code, errOut)
		}
	}
	code, out, _ := runCmd(t, "", "team", "setup", "--help")
	if code != 0 || !strings.Contains(out, "roles/logging.configWriter") || strings.Contains(out, "endpoint") {
		t.Errorf("help: exit %d:\n%s", code, out)
	}
	code, _, errOut := runCmd(t, "", "team", "setup", "--logging-endpoint", "127.0.0.1:1")
	if code != 1 || !strings.Contains(errOut, "pass --project") {
		t.Errorf("endpoints without a project: exit %d, stderr %q", code, errOut)
	}
}

func TestTeamLeaveRemovesThisInstallationsSubscription(t *testing.T) {
	c, ps, endpoints := teamCloud(t)
	t.Setenv("PUBSUB_EMULATOR_HOST", "") // --pubsub-endpoint instead
	endpoints = append(endpoints, "--pubsub-endpoint", ps.Addr())

	code, out, _ := runCmd(t, "", append([]string{"team", "leave", "--project", "p1"}, endpoints...)...)
	if code != 0 || !strings.Contains(out, "never joined team mode") {
		t.Errorf("before joining: exit %d, stdout %q", code, out)
	}
	if code, _, errOut := runCmd(t, "", append([]string{"team", "setup", "--project", "p1"}, endpoints...)...); code != 0 {
		t.Fatalf("setup: exit %d, stderr %q", code, errOut)
	}
	dir, err := startup.StorageDir(startup.AppID)
	if err != nil {
		t.Fatal(err)
	}
	id, err := team.Installation(dir)
	if err != nil {
		t.Fatal(err)
	}
	client := pubsubClient(t, ps)
	sub, err := team.EnsureSubscription(teamContext(t), client, "p1", id)
	if err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCmd(t, "", append([]string{"team", "leave", "--project", "p1"}, endpoints...)...)
	if code != 0 || out != "removed "+sub+": this installation no longer gets the team's execution events\n" {
		t.Errorf("leave: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if _, err := client.SubscriptionAdminClient.GetSubscription(teamContext(t), &pubsubpb.GetSubscriptionRequest{Subscription: sub}); status.Code(err) != codes.NotFound {
		t.Errorf("subscription after leave: %v", err)
	}
	code, out, _ = runCmd(t, "", append([]string{"team", "leave", "--project", "p1"}, endpoints...)...)
	if code != 0 || !strings.Contains(out, "does not exist") {
		t.Errorf("second leave: exit %d, stdout %q", code, out)
	}
	if len(c.Sinks("p1")) != 1 {
		t.Error("leave removed the team's sink")
	}
}
