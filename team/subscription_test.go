package team

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"runwatch/poller/fakecloud"
	"runwatch/poller/lifecycle"
)

func TestNewInstallationIDMakesAValidSubscriptionIDEachTime(t *testing.T) {
	valid := regexp.MustCompile(`^[a-zA-Z][-a-zA-Z0-9._~%+]{2,254}$`) // Pub/Sub's rule for IDs
	seen := map[string]bool{}
	for range 100 {
		id := NewInstallationID()
		if !valid.MatchString(SubscriptionID(id)) || len(id) != 10 || seen[id] {
			t.Fatalf("id %q (subscription %q)", id, SubscriptionID(id))
		}
		seen[id] = true
	}
}

func TestEnsureSubscriptionMakesAnExpiringSubscriptionOnceAndLeaveRemovesIt(t *testing.T) {
	_, _, clients := fakes(t)
	ctx := testContext(t)
	if _, err := Setup(ctx, testProject, clients, false); err != nil {
		t.Fatal(err)
	}
	id := NewInstallationID()
	name, err := EnsureSubscription(ctx, clients.PubSub, testProject, id)
	if err != nil {
		t.Fatal(err)
	}
	if again, err := EnsureSubscription(ctx, clients.PubSub, testProject, id); err != nil || again != name {
		t.Fatalf("second EnsureSubscription: %q, %v", again, err)
	}
	sub, err := clients.PubSub.SubscriptionAdminClient.GetSubscription(ctx, &pubsubpb.GetSubscriptionRequest{Subscription: name})
	if err != nil {
		t.Fatal(err)
	}
	if name != "projects/acme-ml/subscriptions/runwatch-"+id || sub.GetTopic() != TopicName(testProject, ExecutionsTopic) ||
		sub.GetExpirationPolicy().GetTtl().AsDuration() != 7*24*time.Hour || sub.GetMessageRetentionDuration().AsDuration() != 24*time.Hour {
		t.Errorf("subscription %v", sub)
	}
	if gone, err := Leave(ctx, clients.PubSub, testProject, id); !gone || err != nil {
		t.Errorf("Leave: %v, %v", gone, err)
	}
	if gone, err := Leave(ctx, clients.PubSub, testProject, id); gone || err != nil {
		t.Errorf("second Leave: %v, %v", gone, err)
	}
}

func TestEnsureSubscriptionWithoutSetupSaysToRunIt(t *testing.T) {
	_, _, clients := fakes(t)
	_, err := EnsureSubscription(testContext(t), clients.PubSub, testProject, NewInstallationID())
	if err == nil || !strings.Contains(err.Error(), "run `runwatch team setup --project acme-ml` first") {
		t.Errorf("error %v", err)
	}
}

// received collects what Subscribe hands on.
type received struct {
	mu      sync.Mutex
	events  []Event
	skipped []error
}

func (r *received) event(e Event)  { r.mu.Lock(); r.events = append(r.events, e); r.mu.Unlock() }
func (r *received) skip(err error) { r.mu.Lock(); r.skipped = append(r.skipped, err); r.mu.Unlock() }
func (r *received) counts() (int, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.events), len(r.skipped)
}

// waitFor polls cond until it holds or 10 s pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestAFailedExecutionArrivesOnTheSubscriptionAsAnEvent(t *testing.T) {
	c, ps, clients := fakes(t)
	ctx := testContext(t)
	if _, err := Setup(ctx, testProject, clients, false); err != nil {
		t.Fatal(err)
	}
	sub, err := EnsureSubscription(ctx, clients.PubSub, testProject, NewInstallationID())
	if err != nil {
		t.Fatal(err)
	}
	var got received
	subCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- Subscribe(subCtx, clients.PubSub, sub, got.event, got.skip) }()

	created := time.Now().Add(-2 * time.Minute).Truncate(time.Second)
	spec := fakecloud.ExecutionSpec{Project: testProject, Region: "us-west3", Job: "vertex-ai-launcher", ID: "vertex-ai-launcher-x7k2p",
		State: fakecloud.Failed, Created: created, Failure: fakecloud.ExitFailure(1, 2)}
	c.Put(spec)
	// Something else on the topic: acknowledged and said, never delivered again.
	if err := ps.Publish(ctx, TopicName(testProject, ExecutionsTopic), []byte("not an entry")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the event and the skipped message", func() bool { e, s := got.counts(); return e == 1 && s == 1 })

	ev := got.events[0]
	want := Event{Project: testProject, Region: "us-west3", Job: "vertex-ai-launcher", Execution: "vertex-ai-launcher-x7k2p",
		Resource: spec.Name(), State: lifecycle.Failed, Reason: "NonZeroExitCode",
		Message:     "Task vertex-ai-launcher-x7k2p-task0 failed with message: The container exited with an error.",
		FailedCount: 1, RetriedCount: 2}
	if ev.Project != want.Project || ev.Region != want.Region || ev.Job != want.Job || ev.Execution != want.Execution ||
		ev.Resource != want.Resource || ev.State != want.State || ev.Reason != want.Reason || ev.Message != want.Message ||
		ev.FailedCount != 1 || ev.RetriedCount != 2 || !ev.Created.Equal(created) || ev.Completed.IsZero() || ev.LogURI == "" {
		t.Errorf("event %+v\nwant   %+v", ev, want)
	}
	if !errors.Is(got.skipped[0], ErrNotExecutionEnd) {
		t.Errorf("skipped %v", got.skipped[0])
	}

	// A success arrives too.
	spec.ID, spec.State, spec.Failure = "vertex-ai-launcher-s0k3d", fakecloud.Succeeded, nil
	c.Put(spec)
	waitFor(t, "the success", func() bool { e, _ := got.counts(); return e == 2 })
	time.Sleep(200 * time.Millisecond) // a message acknowledged is not delivered again
	if e, s := got.counts(); e != 2 || s != 1 || got.events[1].State != lifecycle.Succeeded {
		t.Errorf("%d events, %d skipped: %+v", e, s, got.events)
	}
	stop()
	if err := <-done; err != nil {
		t.Errorf("Subscribe after its context ended: %v", err)
	}
}

func TestSubscribeToASubscriptionThatIsGoneSaysSo(t *testing.T) {
	_, _, clients := fakes(t)
	err := Subscribe(testContext(t), clients.PubSub, SubscriptionName(testProject, "runwatch-gone"), func(Event) {}, nil)
	if status.Code(err) != codes.NotFound || !strings.Contains(err.Error(), "read subscription projects/acme-ml/subscriptions/runwatch-gone") {
		t.Errorf("error %v", err)
	}
}
