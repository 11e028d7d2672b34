package team

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"

	"runwatch/poller/lifecycle"
)

const testExecution = "projects/acme-ml/locations/us-west3/jobs/vertex-ai-launcher/executions/vertex-ai-launcher-x7k2p"

// gotErrors collects what ReceiveErrors hands on.
type gotErrors struct {
	mu         sync.Mutex
	reports    []ErrorReport
	heartbeats []Heartbeat
}

func (g *gotErrors) report(r ErrorReport) {
	g.mu.Lock()
	g.reports = append(g.reports, r)
	g.mu.Unlock()
}
func (g *gotErrors) beat(h Heartbeat) {
	g.mu.Lock()
	g.heartbeats = append(g.heartbeats, h)
	g.mu.Unlock()
}
func (g *gotErrors) counts() (int, int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.reports), len(g.heartbeats)
}

func TestErrorReportsAndHeartbeatsReachAnInstallationsOrderedErrorsSubscription(t *testing.T) {
	_, ps, clients := fakes(t)
	ctx := testContext(t)
	if _, err := Setup(ctx, testProject, clients, false); err != nil {
		t.Fatal(err)
	}
	id := NewInstallationID()
	name, err := EnsureErrorsSubscription(ctx, clients.PubSub, testProject, id)
	if err != nil {
		t.Fatal(err)
	}
	if again, err := EnsureErrorsSubscription(ctx, clients.PubSub, testProject, id); err != nil || again != name {
		t.Fatalf("second EnsureErrorsSubscription: %q, %v", again, err)
	}
	sub, err := clients.PubSub.SubscriptionAdminClient.GetSubscription(ctx, &pubsubpb.GetSubscriptionRequest{Subscription: name})
	if err != nil {
		t.Fatal(err)
	}
	if name != "projects/acme-ml/subscriptions/runwatch-"+id+"-errors" || sub.GetTopic() != TopicName(testProject, ErrorsTopic) ||
		!sub.GetEnableMessageOrdering() || sub.GetExpirationPolicy().GetTtl().AsDuration() != SubscriptionExpiry {
		t.Errorf("subscription %v", sub)
	}

	var got gotErrors
	subCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- ReceiveErrors(subCtx, clients.PubSub, name, got.report, got.beat) }()

	publisher := ErrorsPublisher(clients.PubSub, testProject)
	defer publisher.Stop()
	exit := int32(1)
	at := time.Date(2026, 5, 4, 3, 2, 1, 0, time.UTC)
	report := ErrorReport{Execution: testExecution, Project: testProject, Region: "us-west3", Job: "vertex-ai-launcher",
		Line: "ValueError: bad learning rate", Category: "Python exception", Rule: "python-exception", Fingerprint: "abc",
		Source: "logs", ExitCode: &exit, Reason: "NonZeroExitCode", Logs: "read",
		Context: []string{"Traceback (most recent call last):", "ValueError: bad learning rate"}, Matched: 1, RelayID: "r1", At: at}
	if err := PublishError(ctx, publisher, report); err != nil {
		t.Fatal(err)
	}
	beat := Heartbeat{RelayID: "r1", Project: testProject, At: at, Every: time.Minute}
	if err := PublishHeartbeat(ctx, publisher, beat); err != nil {
		t.Fatal(err)
	}
	// Something else on the topic is dropped.
	if err := ps.Publish(ctx, TopicName(testProject, ErrorsTopic), []byte("not a report")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the report and the heartbeat", func() bool { r, h := got.counts(); return r == 1 && h == 1 })
	time.Sleep(200 * time.Millisecond)
	stop()
	if err := <-done; err != nil {
		t.Errorf("ReceiveErrors after its context ended: %v", err)
	}
	r, h := got.reports[0], got.heartbeats[0]
	if len(got.reports) != 1 || len(got.heartbeats) != 1 {
		t.Errorf("%d reports, %d heartbeats", len(got.reports), len(got.heartbeats))
	}
	if r.Execution != report.Execution || r.Line != report.Line || *r.ExitCode != 1 || !r.At.Equal(at) ||
		!slices.Equal(r.Context, report.Context) || r.Matched != 1 || r.Logs != "read" || r.RelayID != "r1" {
		t.Errorf("report %+v", r)
	}
	if h != beat {
		t.Errorf("heartbeat %+v, want %+v", h, beat)
	}

	// On the wire: the ordering key and the kinds.
	kinds := map[string]string{}
	for _, m := range ps.Messages() {
		kinds[m.Attributes[KindAttribute]] = m.OrderingKey
		if m.Attributes[KindAttribute] == KindHeartbeat {
			var fields map[string]any
			if err := json.Unmarshal(m.Data, &fields); err != nil || fields["every_s"] != 60.0 || fields["relay_id"] != "r1" {
				t.Errorf("heartbeat on the wire %s (%v)", m.Data, err)
			}
		}
	}
	if key, ok := kinds[KindError]; !ok || key != testExecution {
		t.Errorf("error report's ordering key %q (%v)", key, ok)
	}
	if key, ok := kinds[KindHeartbeat]; !ok || key != "" {
		t.Errorf("heartbeat's ordering key %q (%v)", key, ok)
	}
}

func TestErrorsSubscriptionWithoutSetupSaysToRunIt(t *testing.T) {
	_, _, clients := fakes(t)
	_, err := EnsureErrorsSubscription(testContext(t), clients.PubSub, testProject, NewInstallationID())
	if err == nil || !strings.Contains(err.Error(), "run `runwatch team setup --project acme-ml` first") {
		t.Errorf("error %v", err)
	}
}

func TestRelayIsAliveUntilThreeHeartbeatsAreMissed(t *testing.T) {
	at := time.Date(2026, 5, 4, 3, 2, 1, 0, time.UTC)
	for _, tc := range []struct {
		name  string
		last  Heartbeat
		after time.Duration
		alive bool
	}{
		{"no heartbeat", Heartbeat{}, 0, false},
		{"just now", Heartbeat{At: at, Every: time.Minute}, time.Second, true},
		{"two missed", Heartbeat{At: at, Every: time.Minute}, 179 * time.Second, true},
		{"three missed", Heartbeat{At: at, Every: time.Minute}, 3 * time.Minute, false},
		{"no period: a minute", Heartbeat{At: at}, 2 * time.Minute, true},
		{"no period, long ago", Heartbeat{At: at}, time.Hour, false},
		{"a short period", Heartbeat{At: at, Every: 10 * time.Second}, 31 * time.Second, false},
	} {
		if got := RelayAlive(tc.last, at.Add(tc.after)); got != tc.alive {
			t.Errorf("%s: alive %v, want %v", tc.name, got, tc.alive)
		}
	}
}

func TestNewErrorReportCarriesTheErrorAndCutsItsContext(t *testing.T) {
	exit := int32(137)
	var lines []string
	for i := range 30 {
		lines = append(lines, strings.Repeat("é", 300)+" line "+string(rune('A'+i)))
	}
	info := lifecycle.ErrorInfo{Line: "killed", Category: "out of memory", Rule: "oom", Source: "cloud_run", Fingerprint: "f1",
		Context: lines, Matched: 20, Logs: lifecycle.LogsRead,
		CloudRun: &lifecycle.CloudRunReason{Reason: "NonZeroExitCode", ExitCode: &exit, Signal: "SIGKILL (9)", Category: "killed"}}
	r := NewErrorReport(testExecution, info)
	if r.Project != "acme-ml" || r.Region != "us-west3" || r.Job != "vertex-ai-launcher" || r.Execution != testExecution ||
		r.Line != "killed" || r.Category != "out of memory" || r.Source != "cloud_run" || *r.ExitCode != 137 ||
		r.Signal != "SIGKILL (9)" || r.Reason != "NonZeroExitCode" || r.Logs != "read" || r.Fingerprint != "f1" {
		t.Errorf("report %+v", r)
	}
	if len(r.Context) != MaxContextLines || r.Context[r.Matched] != lines[20][:MaxContextLineLen] {
		t.Errorf("%d lines of context, matched %d", len(r.Context), r.Matched)
	}
	for _, l := range r.Context {
		if len(l) > MaxContextLineLen || !utf8.ValidString(l) {
			t.Errorf("line of %d bytes, valid UTF-8 %v", len(l), utf8.ValidString(l))
		}
	}
	back := r.ErrorInfo()
	if back.Line != info.Line || back.Logs != info.Logs || back.Fingerprint != "f1" || *back.CloudRun.ExitCode != 137 || !back.Settled() {
		t.Errorf("ErrorInfo %+v", back)
	}

	// No line matched: the last lines.
	info.Matched = -1
	if r := NewErrorReport(testExecution, info); len(r.Context) != MaxContextLines || r.Matched != -1 ||
		r.Context[MaxContextLines-1] != lines[29][:MaxContextLineLen] {
		t.Errorf("unmatched context: %d lines, matched %d", len(r.Context), r.Matched)
	}
}
