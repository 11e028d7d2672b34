package main

// Team mode end to end: the real tray process (and status --follow) in
// team mode against the fake cloud, whose sink publishes each execution's
// end to the fake Pub/Sub, after `team setup` against the same fakes.

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"

	"runwatch/internal/testenv"
	"runwatch/poller/fakecloud"
	"runwatch/poller/fakecloud/fakepubsub"
	"runwatch/team"
)

// teamFakes starts the fake cloud and a fake Pub/Sub its sink publishes
// to, and does team setup for project p1 against them.
func teamFakes(t *testing.T) (*fakecloud.Cloud, *fakepubsub.Server) {
	t.Helper()
	cloud, err := fakecloud.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cloud.Close)
	ps := fakepubsub.Start()
	t.Cleanup(func() { _ = ps.Close() })
	cloud.SetSinkPublisher(ps.Publish)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	clients, err := team.NewClients(ctx, "p1", team.Endpoints{Logging: cloud.LoggingAddr(), PubSub: ps.Addr()})
	if err != nil {
		t.Fatal(err)
	}
	defer clients.Close()
	if _, err := team.Setup(ctx, "p1", clients, false); err != nil {
		t.Fatal(err)
	}
	return cloud, ps
}

// subscriptions counts the subscriptions of p1 on the fake Pub/Sub.
func subscriptions(t *testing.T, ps *fakepubsub.Server) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	client, err := team.NewPubSubClient(ctx, "p1", ps.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	n := 0
	it := client.SubscriptionAdminClient.ListSubscriptions(ctx, &pubsubpb.ListSubscriptionsRequest{Project: "projects/p1"})
	for {
		if _, err := it.Next(); err != nil {
			return n
		}
		n++
	}
}

// The bar push-is-fast: the app in team mode, polling every 10 minutes,
// notifies a failure with its error line within 8 s of the execution
// ending; the end delivered again, late, announces nothing more.
func TestPushIsFast(t *testing.T) {
	requireDesktop(t)
	bus := startBus(t)
	startTrayHost(t, bus)
	notes := startNotificationServer(t, bus)
	cloud, ps := teamFakes(t)

	const region = "us-central1"
	spec := fakecloud.ExecutionSpec{Project: "p1", Region: region, Job: "vertex-ai-launcher",
		ID: "vertex-ai-launcher-push1", State: fakecloud.Running, Created: time.Now().Add(-3 * time.Minute)}
	cloud.PutExecution(spec.Build())

	configHome := t.TempDir()
	app := startApp(t, bus.addr, configHome, "--team", "--interval", "10m", "--project", "p1", "--regions", region,
		"--run-endpoint", cloud.RunAddr(), "--logging-endpoint", cloud.LoggingAddr(), "--pubsub-endpoint", ps.Addr())
	waitRefreshes(t, app, cloud, region, 1, 60*time.Second)
	waitUntil(t, app, time.Now().Add(30*time.Second), "the installation's subscriptions (to the executions and the relay's errors)", func() (bool, string) {
		n := subscriptions(t, ps)
		return n == 2, fmt.Sprintf("%d subscriptions", n)
	})
	lists := listsOf(cloud, region)

	spec.State, spec.Completed = fakecloud.Failed, time.Now()
	cloud.SetLogs(spec.Project, spec.Job, spec.ID, traceback(spec.Completed))
	ended := time.Now()
	cloud.PutExecution(spec.Build()) // the sink publishes its end
	const wantBody = "ValueError: bad &lt;b&gt;config&lt;/b&gt; &amp; more"
	waitUntil(t, app, ended.Add(8*time.Second), "the failure's notification within 8 s", func() (bool, string) {
		return len(notes.calls()) > 0, "none yet"
	})
	took := time.Since(ended)
	calls := notes.calls()
	if len(calls) != 1 || !strings.Contains(calls[0].body, wantBody) {
		t.Fatalf("notifications %+v, want one with the error line %q", calls, wantBody)
	}
	t.Logf("push-is-fast: notified %s after the execution ended: %q / %q", took.Round(time.Millisecond), calls[0].summary, calls[0].body)
	if n := listsOf(cloud, region); n != lists {
		t.Errorf("%d listings for the push, want none (the next is in 10 minutes)", n-lists)
	}

	// The same end delivered again, late (at-least-once delivery).
	msgs := cloud.SinkMessages()
	if len(msgs) == 0 {
		t.Fatal("the sink published nothing")
	}
	last := msgs[len(msgs)-1]
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for range 2 {
		if err := ps.Publish(ctx, last.Topic, last.Data); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(3 * time.Second)
	if n := len(notes.calls()); n != 1 {
		t.Fatalf("%d notifications after the end came twice more, want still 1: %+v", n, notes.calls())
	}
}

// With team mode on and Pub/Sub out of reach, the menu's first line says
// so and the refreshes go on at the normal interval.
func TestTeamModeWithoutPubSubSaysSoAndPollsAtTheInterval(t *testing.T) {
	requireDesktop(t)
	bus := startBus(t)
	startTrayHost(t, bus)
	cloud, err := fakecloud.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cloud.Close)
	const region = "us-central1"
	app := startApp(t, bus.addr, t.TempDir(), "--team", "--interval", "2s", "--project", "p1", "--regions", region,
		"--run-endpoint", cloud.RunAddr(), "--logging-endpoint", cloud.LoggingAddr(), "--pubsub-endpoint", "127.0.0.1:1")
	item := fmt.Sprintf("org.kde.StatusNotifierItem-%d-1", app.pid())
	const want = "runwatch: team mode: can't reach Pub/Sub — polling every 2s"
	waitUntil(t, app, time.Now().Add(60*time.Second), "the menu saying Pub/Sub cannot be reached", func() (bool, string) {
		labels, err := bus.menuLabels(item)
		if err != nil || len(labels) == 0 {
			return false, fmt.Sprintf("labels %q, err %v", labels, err)
		}
		return labels[0] == want, fmt.Sprintf("first line %q", labels[0])
	})
	waitRefreshes(t, app, cloud, region, 3, 20*time.Second)
}

// status --waybar --follow --team, without an app, prints a new line
// within seconds of a failure although its interval is long.
func TestStatusWaybarFollowTeamPrintsAFailureWithinSeconds(t *testing.T) {
	testenv.PrivateDirs(t)
	cloud, ps := teamFakes(t)
	putExecution(cloud, "us-east1", "e-1", fakecloud.Running, time.Minute, "")
	args := append([]string{"--waybar", "--follow", "--team", "--interval", "10m", "--pubsub-endpoint", ps.Addr()}, endpointFlags(cloud, "us-east1")...)
	lines, _ := followStatus(t, args...)
	if first := nextBarLine(t, lines); first.Alt != "running" {
		t.Fatalf("first line %+v", first)
	}
	deadline := time.Now().Add(20 * time.Second)
	for subscriptions(t, ps) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("status --follow --team made no subscription")
		}
		time.Sleep(50 * time.Millisecond)
	}
	listed := len(cloud.ListExecutionsRequests())
	ended := time.Now()
	cloud.SetLogs("p1", "vertex-ai-launcher", "e-1", []fakecloud.LogLine{{Time: ended.Add(-time.Second), Text: "KeyError: 'lr'"}})
	putExecution(cloud, "us-east1", "e-1", fakecloud.Failed, time.Minute, "KeyError: 'lr'")
	for {
		line := nextBarLine(t, lines)
		if line.Alt == "failed" {
			t.Logf("the failure's line came %s after it ended", time.Since(ended).Round(time.Millisecond))
			break
		}
	}
	if took := time.Since(ended); took > 8*time.Second {
		t.Errorf("the failure's line took %v", took)
	}
	if n := len(cloud.ListExecutionsRequests()); n != listed {
		t.Errorf("%d listings for the push, want none", n-listed)
	}
}
