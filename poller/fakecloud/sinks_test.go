package fakecloud

import (
	"context"
	"math/rand/v2"
	"path"
	"strings"
	"testing"
	"time"

	vkit "cloud.google.com/go/logging/apiv2"
	"cloud.google.com/go/logging/apiv2/loggingpb"
	pubsub "cloud.google.com/go/pubsub/v2/apiv1"
	"cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"cloud.google.com/go/run/apiv2/runpb"
	"google.golang.org/genproto/googleapis/cloud/audit"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"runwatch/poller/fakecloud/fakepubsub"
)

// runJobEndsFilter is the filter of runwatch's sink (team.Filter), written
// out so this package's tests stand alone.
const runJobEndsFilter = `logName="projects/acme-ml-prod/logs/cloudaudit.googleapis.com%2Fsystem_event" AND resource.type="cloud_run_job" AND protoPayload.serviceName="run.googleapis.com" AND protoPayload.methodName="/Jobs.RunJob"`

func configClient(t *testing.T, c *Cloud) *vkit.ConfigClient {
	t.Helper()
	cc, err := vkit.NewConfigClient(context.Background(), clientOptions(c.LoggingAddr())...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cc.Close() })
	return cc
}

func TestSinkCallsThroughTheRealConfigClient(t *testing.T) {
	c := startCloud(t)
	cc := configClient(t, c)
	ctx := actionContext(t)
	name := "projects/" + testProject + "/sinks/runwatch-executions"
	if _, err := cc.GetSink(ctx, &loggingpb.GetSinkRequest{SinkName: name}); status.Code(err) != codes.NotFound {
		t.Fatalf("GetSink of no sink: %v", err)
	}
	sink := &loggingpb.LogSink{Name: "runwatch-executions", Destination: "pubsub.googleapis.com/projects/acme-ml-prod/topics/t1", Filter: runJobEndsFilter}
	got, err := cc.CreateSink(ctx, &loggingpb.CreateSinkRequest{Parent: "projects/" + testProject, Sink: sink, UniqueWriterIdentity: true})
	if err != nil {
		t.Fatal(err)
	}
	want := "serviceAccount:service-" + ProjectNumber(testProject) + "@gcp-sa-logging.iam.gserviceaccount.com"
	if got.GetWriterIdentity() != want || len(ProjectNumber(testProject)) != 12 {
		t.Errorf("writer identity %q, want %q", got.GetWriterIdentity(), want)
	}
	if _, err := cc.CreateSink(ctx, &loggingpb.CreateSinkRequest{Parent: "projects/" + testProject, Sink: sink}); status.Code(err) != codes.AlreadyExists {
		t.Errorf("second CreateSink: %v", err)
	}
	bad := &loggingpb.LogSink{Name: "bad", Destination: "pubsub.googleapis.com/x", Filter: `protoPayload.unknown="x"`}
	if _, err := cc.CreateSink(ctx, &loggingpb.CreateSinkRequest{Parent: "projects/" + testProject, Sink: bad}); status.Code(err) != codes.InvalidArgument {
		t.Errorf("CreateSink with a filter the fake cannot read: %v", err)
	}
	up, err := cc.UpdateSink(ctx, &loggingpb.UpdateSinkRequest{SinkName: name, UniqueWriterIdentity: true,
		Sink:       &loggingpb.LogSink{Destination: "pubsub.googleapis.com/projects/acme-ml-prod/topics/t2", Filter: "ignored"},
		UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"destination"}}})
	if err != nil {
		t.Fatal(err)
	}
	if up.GetDestination() != "pubsub.googleapis.com/projects/acme-ml-prod/topics/t2" || up.GetFilter() != runJobEndsFilter || up.GetWriterIdentity() != want {
		t.Errorf("updated %v", up)
	}
	list, err := cc.ListSinks(ctx, &loggingpb.ListSinksRequest{Parent: "projects/" + testProject}).Next()
	if err != nil || list.GetName() != "runwatch-executions" {
		t.Errorf("ListSinks: %v, %v", list, err)
	}
	if err := cc.DeleteSink(ctx, &loggingpb.DeleteSinkRequest{SinkName: name}); err != nil {
		t.Fatal(err)
	}
	if len(c.Sinks(testProject)) != 0 {
		t.Errorf("sinks after delete: %v", c.Sinks(testProject))
	}
	calls := strings.Join(c.SinkCalls(), " ")
	if calls != "GetSink CreateSink CreateSink CreateSink UpdateSink ListSinks DeleteSink" {
		t.Errorf("calls %s", calls)
	}
}

// sinkToPubSub is a fake cloud whose sink routes execution ends to a topic
// of a fake Pub/Sub.
func sinkToPubSub(t *testing.T, filter string) (*Cloud, *fakepubsub.Server, string) {
	t.Helper()
	c := startCloud(t)
	ps := fakepubsub.Start()
	t.Cleanup(func() { _ = ps.Close() })
	c.SetSinkPublisher(ps.Publish)
	ctx := actionContext(t)
	topic := "projects/" + testProject + "/topics/runwatch-executions"
	sink := &loggingpb.LogSink{Name: "runwatch-executions", Destination: "pubsub.googleapis.com/" + topic, Filter: filter}
	if _, err := configClient(t, c).CreateSink(ctx, &loggingpb.CreateSinkRequest{Parent: "projects/" + testProject, Sink: sink, UniqueWriterIdentity: true}); err != nil {
		t.Fatal(err)
	}
	return c, ps, topic
}

func createTopic(t *testing.T, ps *fakepubsub.Server, topic string) {
	t.Helper()
	client, err := pubsubAdmin(ps)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	if _, err := client.CreateTopic(actionContext(t), &pubsubpb.Topic{Name: topic}); err != nil {
		t.Fatal(err)
	}
}

func TestAnEndingExecutionIsPublishedOnceToTheSinksTopic(t *testing.T) {
	c, ps, topic := sinkToPubSub(t, runJobEndsFilter)
	createTopic(t, ps, topic)
	spec := ExecutionSpec{Project: testProject, Region: "us-west3", Job: testJob, ID: testJob + "-x7k2p", State: Running, Created: base}
	c.Put(spec)
	if n := len(c.SinkMessages()); n != 0 {
		t.Fatalf("%d messages for a running execution", n)
	}
	spec.State, spec.Failure = Failed, ExitFailure(1, 2)
	c.Put(spec)
	c.Put(spec) // the same end again: no new entry
	msgs := c.SinkMessages()
	if len(msgs) != 1 || msgs[0].Err != nil || msgs[0].Topic != topic {
		t.Fatalf("messages %v", msgs)
	}
	if got := ps.Messages(); len(got) != 1 || string(got[0].Data) != string(msgs[0].Data) {
		t.Fatalf("Pub/Sub holds %d messages", len(got))
	}
	var entry loggingpb.LogEntry
	if err := protojson.Unmarshal(msgs[0].Data, &entry); err != nil {
		t.Fatal(err)
	}
	var a audit.AuditLog
	if err := entry.GetProtoPayload().UnmarshalTo(&a); err != nil {
		t.Fatal(err)
	}
	md := a.GetResponse().GetFields()["metadata"].GetStructValue().GetFields()
	st := a.GetResponse().GetFields()["status"].GetStructValue().GetFields()
	cond := st["conditions"].GetListValue().GetValues()[0].GetStructValue().GetFields()
	checks := []struct{ what, got, want string }{
		{"logName", entry.GetLogName(), "projects/acme-ml-prod/logs/cloudaudit.googleapis.com%2Fsystem_event"},
		{"severity", entry.GetSeverity().String(), "ERROR"},
		{"execution label", entry.GetLabels()["run.googleapis.com/execution_name"], spec.ID},
		{"location", entry.GetResource().GetLabels()["location"], "us-west3"},
		{"status", a.GetStatus().GetMessage(), "Execution vertex-ai-launcher-x7k2p has failed to complete, 0/1 tasks were a success."},
		{"namespace", md["namespace"].GetStringValue(), ProjectNumber(testProject)},
		{"job label", md["labels"].GetStructValue().GetFields()["run.googleapis.com/job"].GetStringValue(), testJob},
		{"condition", cond["type"].GetStringValue() + " " + cond["status"].GetStringValue() + " " + cond["reason"].GetStringValue(), "Completed False NonZeroExitCode"},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s %q, want %q", ch.what, ch.got, ch.want)
		}
	}
	if st["retriedCount"].GetNumberValue() != 2 || st["failedCount"].GetNumberValue() != 1 {
		t.Errorf("status %v", st)
	}
}

func TestACancelThroughTheRunAPIIsPublished(t *testing.T) {
	c, ps, topic := sinkToPubSub(t, runJobEndsFilter)
	createTopic(t, ps, topic)
	spec := ExecutionSpec{Project: testProject, Region: "us-west3", Job: testJob, ID: testJob + "-c4nc1", State: Running, Created: base}
	c.Put(spec)
	if _, err := runClient(t, c).CancelExecution(actionContext(t), &runpb.CancelExecutionRequest{Name: spec.Name()}); err != nil {
		t.Fatal(err)
	}
	msgs := c.SinkMessages()
	if len(msgs) != 1 || !strings.Contains(string(msgs[0].Data), `"cancelledCount":1`) || !strings.Contains(string(msgs[0].Data), `"reason":"Cancelled"`) {
		t.Fatalf("messages %v\n%s", msgs, msgs[0].Data)
	}
}

func TestASinkPublishesOnlyWhatItsFilterMatchesAndRecordsAMissingTopic(t *testing.T) {
	c, _, _ := sinkToPubSub(t, `resource.type="cloud_run_job" AND protoPayload.methodName="/Services.ReplaceService"`)
	spec := ExecutionSpec{Project: testProject, Region: "us-west3", Job: testJob, ID: testJob + "-aaaaa", State: Succeeded, Created: base}
	c.Put(spec)
	if n := len(c.SinkMessages()); n != 0 {
		t.Fatalf("a sink of another method published %d messages", n)
	}

	c2, _, topic := sinkToPubSub(t, runJobEndsFilter) // its topic never made
	c2.Put(spec)
	msgs := c2.SinkMessages()
	if len(msgs) != 1 || status.Code(msgs[0].Err) != codes.NotFound || msgs[0].Topic != topic {
		t.Fatalf("messages %v", msgs)
	}
}

// pubsubAdmin is the real Pub/Sub admin client pointed at ps.
func pubsubAdmin(ps *fakepubsub.Server) (*pubsub.TopicAdminClient, error) {
	return pubsub.NewTopicAdminClient(context.Background(), clientOptions(ps.Addr())...)
}

func TestTheDemoEndingAnExecutionRunJobStartedPublishesItsEnd(t *testing.T) {
	c, ps, topic := sinkToPubSub(t, runJobEndsFilter)
	createTopic(t, ps, topic)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if _, err := c.RunDemo(ctx, Demo{Project: testProject, Job: testJob, Regions: demoRegions,
		Rand: rand.New(rand.NewPCG(3, 4)), Unit: 2 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	op, err := jobsClient(t, c).RunJob(actionContext(t), &runpb.RunJobRequest{Name: "projects/" + testProject + "/locations/" + demoRegions[0] + "/jobs/" + testJob})
	if err != nil {
		t.Fatal(err)
	}
	started, err := op.Metadata()
	if err != nil {
		t.Fatal(err)
	}
	label := `"run.googleapis.com/execution_name":"` + path.Base(started.GetName()) + `"`
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		for _, m := range c.SinkMessages() {
			if strings.Contains(string(m.Data), label) {
				if m.Err != nil {
					t.Fatal(m.Err)
				}
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no end of %s published (%d messages)", started.GetName(), len(c.SinkMessages()))
		}
	}
}
