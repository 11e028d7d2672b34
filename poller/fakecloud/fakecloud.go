// Package fakecloud is an in-process fake of the Google Cloud APIs runwatch
// reads and acts through: Cloud Run Admin v2 Executions (list, get,
// cancel), Tasks, Jobs (list, get, run) and the long-running operations that
// running and cancelling return, and Cloud Logging v2 ListLogEntries.
//
// It speaks real gRPC on 127.0.0.1, so tests and the --demo mode use the real
// client libraries (cloud.google.com/go/run/apiv2, cloud.google.com/go/logging)
// pointed at it with option.WithEndpoint, option.WithoutAuthentication and an
// insecure transport. Scenario data is put in with Put (an execution and its
// tasks), PutExecution, PutTask, PutJob, SetJobTemplate and SetLogs; faults
// are injected per region (latency, error, hang), per action
// (SetActionError) or for Logging (an error, partial pages). The requests
// received can be read back (ListExecutionsRequests, RunJobRequests, …).
package fakecloud

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"cloud.google.com/go/logging/apiv2/loggingpb"
	"cloud.google.com/go/longrunning/autogen/longrunningpb"
	"cloud.google.com/go/run/apiv2/runpb"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"
)

// Cloud is a fake Cloud Run v2 Executions, Tasks, Jobs and Operations +
// Cloud Logging v2 service. All are registered on one gRPC server, so
// RunAddr and LoggingAddr are the same address.
type Cloud struct {
	lis    net.Listener
	srv    *grpc.Server
	served chan struct{} // closed when srv.Serve returns

	// ctx ends when Close is called; demo scenarios derive from it so they
	// stop with the server.
	ctx     context.Context
	cancel  context.CancelFunc
	demos   sync.WaitGroup
	closing sync.Once

	locations *locationsServer // Cloud Run's Locations mixin (locations.go)

	mu         sync.Mutex
	executions map[string]*runpb.Execution         // by full resource name
	jobs       map[string]bool                     // jobs made by PutJob, by full resource name
	templates  map[string]*runpb.ExecutionTemplate // jobs' templates set by SetJobTemplate
	operations map[string]string                   // long-running operations: the execution each is about
	actionErrs map[string]error                    // by method: SetActionError
	// ran is told of each execution RunJob starts (a demo finishes them);
	// nil: they run until cancelled.
	ran        func(ExecutionSpec)
	tasks      map[string]*runpb.Task // by full resource name
	logs       map[logKey][]storedLog
	nextSeq    int64 // insertion order of log lines, also their insert_id
	faults     map[string]regionFaults
	loggingErr error
	tasksErr   error
	jobsErr    error
	logPaging  LogPaging
	listReqs   []*runpb.ListExecutionsRequest
	logReqs    []*loggingpb.ListLogEntriesRequest
	taskReqs   []*runpb.ListTasksRequest
	jobReqs    []*runpb.ListJobsRequest
	runReqs    []*runpb.RunJobRequest
	cancelReqs []*runpb.CancelExecutionRequest
	// Logging sinks (sinks.go), by full name, and what they published.
	sinks         map[string]*loggingpb.LogSink
	sinkCalls     []string
	sinkErr       error
	sinkPublisher SinkPublisher
	sinkMessages  []SinkMessage
}

// regionFaults is what SetRegion* injected for one region.
type regionFaults struct {
	latency time.Duration
	err     error
	hang    bool
}

// Start listens on 127.0.0.1:0 and serves both fake services until Close.
func Start() (*Cloud, error) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("fakecloud: listen: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	c := &Cloud{
		lis:        lis,
		srv:        grpc.NewServer(),
		served:     make(chan struct{}),
		ctx:        ctx,
		cancel:     cancel,
		executions: make(map[string]*runpb.Execution),
		jobs:       make(map[string]bool),
		templates:  make(map[string]*runpb.ExecutionTemplate),
		operations: make(map[string]string),
		actionErrs: make(map[string]error),
		tasks:      make(map[string]*runpb.Task),
		logs:       make(map[logKey][]storedLog),
		faults:     make(map[string]regionFaults),
		sinks:      make(map[string]*loggingpb.LogSink),
	}
	runpb.RegisterExecutionsServer(c.srv, &runServer{cloud: c})
	runpb.RegisterTasksServer(c.srv, &tasksServer{cloud: c})
	runpb.RegisterJobsServer(c.srv, &jobsServer{cloud: c})
	longrunningpb.RegisterOperationsServer(c.srv, &operationsServer{cloud: c})
	loggingpb.RegisterLoggingServiceV2Server(c.srv, &loggingServer{cloud: c})
	loggingpb.RegisterConfigServiceV2Server(c.srv, &configServer{cloud: c})
	c.locations = registerLocations(c.srv)
	go func() {
		defer close(c.served)
		_ = c.srv.Serve(lis) // returns when Close stops the server
	}()
	return c, nil
}

// RunAddr is the host:port to give the Run client as its endpoint.
func (c *Cloud) RunAddr() string { return c.lis.Addr().String() }

// LoggingAddr is the host:port to give the Logging client as its endpoint.
func (c *Cloud) LoggingAddr() string { return c.lis.Addr().String() }

// Close stops the demo scenarios, aborts calls in flight (hanging regions
// included) and stops the server. It is safe to call more than once.
func (c *Cloud) Close() {
	c.closing.Do(func() {
		c.cancel()
		c.srv.Stop()
		<-c.served
		c.demos.Wait()
	})
}

// PutExecution stores a copy of e under e.Name, which must be the full
// resource name projects/P/locations/R/jobs/J/executions/E; an execution with
// the same name is replaced. A malformed name is stored but never listed.
// When it ends the execution (a completion time it did not have), the
// sinks route its audit entry.
func (c *Cloud) PutExecution(e *runpb.Execution) {
	c.mu.Lock()
	end := ended(c.executions[e.GetName()], e)
	c.executions[e.GetName()] = proto.CloneOf(e)
	c.mu.Unlock()
	c.route(end)
}

// SetRegionLatency makes the Run calls in region (list and get, executions
// and tasks) wait d, or until the caller's context ends, before answering.
// Zero clears it.
func (c *Cloud) SetRegionLatency(region string, d time.Duration) {
	c.updateFaults(region, func(f *regionFaults) { f.latency = d })
}

// SetRegionError makes ListExecutions and ListTasks in region fail with err,
// typically a status.Error such as codes.PermissionDenied. Nil clears it.
func (c *Cloud) SetRegionError(region string, err error) {
	c.updateFaults(region, func(f *regionFaults) { f.err = err })
}

// SetRegionHang makes the Run calls in region never answer; a call ends only
// when the client's context does (or at Close).
func (c *Cloud) SetRegionHang(region string) {
	c.updateFaults(region, func(f *regionFaults) { f.hang = true })
}

// ClearRegionFaults removes latency, error and hang from region, so a test
// can show a region recovering.
func (c *Cloud) ClearRegionFaults(region string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.faults, region)
}

func (c *Cloud) updateFaults(region string, set func(*regionFaults)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f := c.faults[region]
	set(&f)
	c.faults[region] = f
}

func (c *Cloud) faultsOf(region string) regionFaults {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.faults[region]
}

// SetLoggingError makes every ListLogEntries fail with err before anything
// else is checked. Nil clears it.
func (c *Cloud) SetLoggingError(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.loggingErr = err
}

// ListExecutionsRequests returns copies of every ListExecutions request
// received, in arrival order, including the ones that failed.
func (c *Cloud) ListExecutionsRequests() []*runpb.ListExecutionsRequest {
	c.mu.Lock()
	defer c.mu.Unlock()
	return cloneAll(c.listReqs)
}

// ListExecutionsRequestsSince returns copies of the ListExecutions requests
// received after the first n, in arrival order: what one step of a long
// test asked, without copying all that came before.
func (c *Cloud) ListExecutionsRequestsSince(n int) []*runpb.ListExecutionsRequest {
	c.mu.Lock()
	defer c.mu.Unlock()
	return cloneAll(c.listReqs[min(n, len(c.listReqs)):])
}

// ListExecutionsRequestCount returns how many ListExecutions requests were
// received.
func (c *Cloud) ListExecutionsRequestCount() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.listReqs)
}

// LogRequests returns copies of every ListLogEntries request received, in
// arrival order, including the ones that failed.
func (c *Cloud) LogRequests() []*loggingpb.ListLogEntriesRequest {
	c.mu.Lock()
	defer c.mu.Unlock()
	return cloneAll(c.logReqs)
}

// cloneAll copies recorded requests, so callers cannot change the record.
func cloneAll[M proto.Message](reqs []M) []M {
	out := make([]M, len(reqs))
	for i, r := range reqs {
		out[i] = proto.CloneOf(r)
	}
	return out
}

// DeleteExecutions removes every execution of a job in a region, and their
// tasks, as deleting the job does in Cloud Run.
func (c *Cloud) DeleteExecutions(project, region, job string) {
	prefix := jobName{project, region, job}.String() + "/executions/"
	c.mu.Lock()
	defer c.mu.Unlock()
	for name := range c.executions {
		if strings.HasPrefix(name, prefix) {
			delete(c.executions, name)
		}
	}
	for name := range c.tasks {
		if strings.HasPrefix(name, prefix) {
			delete(c.tasks, name)
		}
	}
	delete(c.jobs, jobName{project, region, job}.String())
}
