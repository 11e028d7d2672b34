package team

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/logging/apiv2/loggingpb"
	"cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"cloud.google.com/go/pubsub/v2/pstest"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"runwatch/poller/fakecloud"
	"runwatch/poller/fakecloud/fakepubsub"
)

const testProject = "acme-ml"

// fakes starts a fake cloud whose sinks publish to a fake Pub/Sub, and the
// real clients pointed at them (Pub/Sub through PUBSUB_EMULATOR_HOST, as
// at any emulator).
func fakes(t *testing.T, opts ...pstest.ServerReactorOption) (*fakecloud.Cloud, *fakepubsub.Server, Clients) {
	t.Helper()
	c, err := fakecloud.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	ps := fakepubsub.Start(opts...)
	t.Cleanup(func() { _ = ps.Close() })
	c.SetSinkPublisher(ps.Publish)
	t.Setenv("PUBSUB_EMULATOR_HOST", ps.Addr())
	clients, err := NewClients(testContext(t), testProject, Endpoints{Logging: c.LoggingAddr()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = clients.Close() })
	return c, ps, clients
}

func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func changedSteps(r Report) []string {
	var out []string
	for _, s := range r.Steps {
		if s.Changed {
			out = append(out, s.Said)
		}
	}
	return out
}

func TestSetupRoutesExecutionEndsToATopicTheWriterMayPublishToAndASecondRunChangesNothing(t *testing.T) {
	c, ps, clients := fakes(t)
	ctx := testContext(t)
	r, err := Setup(ctx, testProject, clients, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := changedSteps(r); len(got) != 4 {
		t.Fatalf("changed %q", got)
	}
	sinks := c.Sinks(testProject)
	if len(sinks) != 1 {
		t.Fatalf("sinks %v", sinks)
	}
	s := sinks[0]
	for _, part := range []string{"cloud_run_job", "Jobs.RunJob", "system_event"} {
		if !strings.Contains(s.GetFilter(), part) {
			t.Errorf("filter %q lacks %q", s.GetFilter(), part)
		}
	}
	topic := TopicName(testProject, ExecutionsTopic)
	if s.GetDestination() != "pubsub.googleapis.com/"+topic || !strings.HasPrefix(s.GetWriterIdentity(), "serviceAccount:service-") || r.WriterIdentity != s.GetWriterIdentity() {
		t.Errorf("sink %v, report's writer %q", s, r.WriterIdentity)
	}
	for _, id := range []string{ExecutionsTopic, ErrorsTopic} {
		if _, err := clients.PubSub.TopicAdminClient.GetTopic(ctx, &pubsubpb.GetTopicRequest{Topic: TopicName(testProject, id)}); err != nil {
			t.Errorf("topic %s: %v", id, err)
		}
	}
	if !hasBinding(ps, topic, PublisherRole, s.GetWriterIdentity()) {
		t.Errorf("policy of %s: %v", topic, ps.Policy(topic))
	}

	calls, sets := len(c.SinkCalls()), ps.SetIamPolicyCount()
	again, err := Setup(ctx, testProject, clients, false)
	if err != nil {
		t.Fatal(err)
	}
	if again.Changed() || len(changedSteps(again)) != 0 {
		t.Errorf("second run changed %q", changedSteps(again))
	}
	if more := c.SinkCalls()[calls:]; !slices.Equal(more, []string{"GetSink"}) || ps.SetIamPolicyCount() != sets {
		t.Errorf("second run's sink calls %q, IAM sets %d → %d", more, sets, ps.SetIamPolicyCount())
	}
}

func hasBinding(ps *fakepubsub.Server, resource, role, member string) bool {
	for _, b := range ps.Policy(resource).GetBindings() {
		if b.GetRole() == role && slices.Contains(b.GetMembers(), member) {
			return true
		}
	}
	return false
}

func TestSetupUpdatesASinkThatRoutesElsewhere(t *testing.T) {
	c, _, clients := fakes(t)
	ctx := testContext(t)
	old := &loggingpb.LogSink{Name: SinkID, Destination: "pubsub.googleapis.com/projects/acme-ml/topics/old", Filter: `resource.type="cloud_run_job"`}
	if _, err := clients.Sinks.CreateSink(ctx, &loggingpb.CreateSinkRequest{Parent: "projects/" + testProject, Sink: old}); err != nil {
		t.Fatal(err)
	}
	r, err := Setup(ctx, testProject, clients, false)
	if err != nil {
		t.Fatal(err)
	}
	s := c.Sinks(testProject)[0]
	if s.GetFilter() != Filter(testProject) || s.GetDestination() != SinkDestination(testProject) ||
		!strings.Contains(r.Steps[2].Said, "updated sink") || !strings.Contains(r.Steps[2].Gcloud, "gcloud logging sinks update") {
		t.Errorf("sink %v after %+v", s, r.Steps[2])
	}
	if !slices.Contains(c.SinkCalls(), "UpdateSink") || !strings.Contains(s.GetWriterIdentity(), "@gcp-sa-logging.") {
		t.Errorf("calls %q, writer %q", c.SinkCalls(), s.GetWriterIdentity())
	}
}

func TestSetupDryRunSaysTheGcloudCommandsAndCallsNothing(t *testing.T) {
	r, err := Setup(context.Background(), testProject, Clients{}, true) // nil clients: a call would panic
	if err != nil {
		t.Fatal(err)
	}
	cmds := r.Commands()
	for _, want := range []string{
		"gcloud pubsub topics create runwatch-executions --project=acme-ml\n",
		"gcloud pubsub topics create runwatch-errors --project=acme-ml\n",
		"gcloud logging sinks create runwatch-executions pubsub.googleapis.com/projects/acme-ml/topics/runwatch-executions --log-filter='" + Filter(testProject) + "' --project=acme-ml\n",
		"WRITER=$(gcloud logging sinks describe runwatch-executions --project=acme-ml --format='value(writerIdentity)')\n",
		`gcloud pubsub topics add-iam-policy-binding runwatch-executions --project=acme-ml --member="$WRITER" --role=roles/pubsub.publisher` + "\n",
	} {
		if !strings.Contains(cmds, want) {
			t.Errorf("commands lack %q:\n%s", want, cmds)
		}
	}
	if r.Changed() || !r.DryRun {
		t.Errorf("a dry run %+v", r)
	}
}

func TestSetupNamesTheRoleItLacks(t *testing.T) {
	denied := status.Error(codes.PermissionDenied, "The caller does not have permission")
	cases := []struct {
		name   string
		opts   []pstest.ServerReactorOption
		refuse func(*fakecloud.Cloud, *fakepubsub.Server)
		says   string
	}{
		{"topics", []pstest.ServerReactorOption{pstest.WithErrorInjection("GetTopic", codes.PermissionDenied, "denied")}, nil,
			"read topic projects/acme-ml/topics/runwatch-executions: permission denied: this needs roles/pubsub.editor"},
		{"sink", nil, func(c *fakecloud.Cloud, _ *fakepubsub.Server) { c.SetSinkError(denied) },
			"read sink projects/acme-ml/sinks/runwatch-executions: permission denied: this needs roles/logging.configWriter"},
		{"grant", nil, func(_ *fakecloud.Cloud, ps *fakepubsub.Server) { ps.SetIAMError(denied) },
			"read the IAM policy of projects/acme-ml/topics/runwatch-executions: permission denied: this needs roles/pubsub.admin"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, ps, clients := fakes(t, tc.opts...)
			if tc.refuse != nil {
				tc.refuse(c, ps)
			}
			_, err := Setup(testContext(t), testProject, clients, false)
			if err == nil || !strings.Contains(err.Error(), tc.says) {
				t.Errorf("error %v, want it to say %q", err, tc.says)
			}
		})
	}
}
