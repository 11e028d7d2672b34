package view

// The look of snapshots the real poller takes (against the in-process fake
// cloud, with the real Google clients), not of hand-made ones: each job's
// summary is what poller.Refresh sums up.

import (
	"context"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/run/apiv2/runpb"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"runwatch/poller"
	"runwatch/poller/fakecloud"
)

// pollerWorld is a fake cloud and what connects the real clients to it;
// intercept, when set, sees every unary call the Cloud Run clients make.
type pollerWorld struct {
	t     *testing.T
	cloud *fakecloud.Cloud
}

func newPollerWorld(t *testing.T) *pollerWorld {
	t.Helper()
	cloud, err := fakecloud.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cloud.Close)
	return &pollerWorld{t: t, cloud: cloud}
}

// clients connects the real clients to the fake cloud; a non-nil
// intercept sits in front of every Cloud Run call.
func (w *pollerWorld) clients(intercept grpc.UnaryClientInterceptor) poller.Clients {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	clients, err := poller.NewClients(ctx, poller.Endpoints{Run: w.cloud.RunAddr(), Logging: w.cloud.LoggingAddr()})
	if err != nil {
		w.t.Fatal(err)
	}
	w.t.Cleanup(func() { clients.Close() })
	if intercept != nil {
		runs, err := newInterceptedExecutionsClient(ctx, w.cloud.RunAddr(), intercept)
		if err != nil {
			w.t.Fatal(err)
		}
		w.t.Cleanup(func() { runs.Close() })
		clients.Run = runs
	}
	return clients
}

// put adds an execution of project/job in region, created ago before Now
// and ended a minute later (unless it runs).
func (w *pollerWorld) put(project, job, region, id string, state fakecloud.State, ago time.Duration, errLine string) {
	created := now.Add(-ago)
	spec := fakecloud.ExecutionSpec{Project: project, Region: region, Job: job, ID: id, State: state,
		Created: created, Started: created.Add(5 * time.Second)}
	if state != fakecloud.Running && state != fakecloud.Pending {
		spec.Completed = created.Add(time.Minute)
	}
	w.cloud.PutExecution(spec.Build())
	if errLine != "" {
		w.cloud.SetLogs(project, job, id, []fakecloud.LogLine{{Time: created.Add(10 * time.Second), Text: errLine, Severity: "ERROR"}})
	}
}

// status is the UI's status after one refresh of cfg at Now.
func (w *pollerWorld) status(cfg poller.Config, clients poller.Clients) Status {
	w.t.Helper()
	cfg.Top = max(cfg.Top, 10)
	p := poller.New(cfg, clients, &poller.MemoryOnly{}, poller.Options{Now: func() time.Time { return now }, LogReadTimeout: 2 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st := Status{Interval: 30 * time.Second}
	st.Take(p.Refresh(ctx).Snapshot)
	return st
}

// CCMenu's rule for one job: the tray shows the last finished result; a
// job's newest run cancelled after a success shows cancelled. With several
// jobs the worst job's look wins, cancelled before succeeded. The poller's
// job summaries (Snapshot.Jobs) hold each job's last success or failure,
// never a cancellation, and lastFinished now decides from them alone: the
// cancellation is never shown, not even with one job.
func TestTrayShowsACancelledLastRunFromThePollersSnapshot(t *testing.T) {
	for name, cfg := range map[string]poller.Config{
		"one job":  {Project: "p", Job: "nightly-train", Regions: []string{"us-west3"}},
		"all jobs": {Project: "p", AllJobs: true, Regions: []string{"us-west3", "us-east1"}},
	} {
		t.Run(name, func(t *testing.T) {
			w := newPollerWorld(t)
			w.put("p", "nightly-train", "us-west3", "nightly-train-ok", fakecloud.Succeeded, 2*time.Hour, "")
			w.put("p", "nightly-train", "us-west3", "nightly-train-stop", fakecloud.Cancelled, time.Hour, "")
			if cfg.AllJobs {
				w.put("p", "etl-daily", "us-east1", "etl-daily-ok", fakecloud.Succeeded, 10*time.Minute, "")
			}
			st := w.status(cfg, w.clients(nil))
			if got := TrayLookOf(st, now); got != LookCancelled {
				t.Fatalf("look %s, want cancelled (nightly-train's last run was cancelled); jobs %+v", got, st.Snapshot.Jobs)
			}
		})
	}
}

// denyProject refuses every Cloud Run call about project, as Cloud Run
// does for an account without run.executions.list there.
func denyProject(project string) grpc.UnaryClientInterceptor {
	return func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		if l, ok := req.(*runpb.ListExecutionsRequest); ok && strings.HasPrefix(l.GetParent(), "projects/"+project+"/") {
			return status.Errorf(codes.PermissionDenied, "Permission 'run.executions.list' denied on resource '%s'", l.GetParent())
		}
		return invoker(ctx, method, req, reply, cc, opts...)
	}
}

// A failing region does not blank the others, nor does a failing project:
// with two projects watched, one refusing every listing, the other answers
// in every region with a failure. RegionErrors is keyed by region alone, so
// the refused project fills every region's entry, and the view reads that
// as no region answering: the tray says offline ("can't reach Cloud Run"),
// LastSuccess never moves, and the answering project's failure is hidden.
func TestOneRefusedProjectDoesNotMakeTheOthersLookOffline(t *testing.T) {
	w := newPollerWorld(t)
	w.put("prod", "nightly-train", "us-west3", "nightly-train-bad", fakecloud.Failed, 20*time.Minute, "ValueError: bad shard")
	w.put("prod", "nightly-train", "us-east1", "nightly-train-ok", fakecloud.Succeeded, 30*time.Minute, "")
	cfg := poller.Config{Project: "staging,prod", Job: "nightly-train", Regions: []string{"us-west3", "us-east1"}}
	st := w.status(cfg, w.clients(denyProject("staging")))
	if len(st.Snapshot.Failing) != 1 {
		t.Fatalf("failing %+v, want prod's nightly-train-bad", st.Snapshot.Failing)
	}
	if got := TrayLookOf(st, now); got != LookFailed {
		t.Fatalf("look %s, want failed (prod answered in every region); region errors %v", got, st.Snapshot.RegionErrors)
	}
	if got := TraySummary(st, now); !strings.Contains(got, "nightly-train failed in us-west3") {
		t.Fatalf("first line %q, want prod's failure named", got)
	}
	if st.LastSuccess.IsZero() {
		t.Fatalf("LastSuccess not moved though prod answered in every region")
	}
}
