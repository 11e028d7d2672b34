package fakecloud

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"cloud.google.com/go/run/apiv2/runpb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// defaultExecutionsPageSize is what ListExecutions uses when page_size is 0.
const defaultExecutionsPageSize = 100

// runServer implements the Cloud Run Admin v2 Executions service over the
// Cloud's executions.
type runServer struct {
	runpb.UnimplementedExecutionsServer
	cloud *Cloud
}

// jobName is a parsed projects/P/locations/R/jobs/J.
type jobName struct{ project, region, job string }

func (j jobName) String() string {
	return "projects/" + j.project + "/locations/" + j.region + "/jobs/" + j.job
}

// parseJobName parses projects/P/locations/R/jobs/J.
func parseJobName(s string) (jobName, bool) {
	p := strings.Split(s, "/")
	if len(p) != 6 || p[0] != "projects" || p[2] != "locations" || p[4] != "jobs" ||
		p[1] == "" || p[3] == "" || p[5] == "" {
		return jobName{}, false
	}
	return jobName{project: p[1], region: p[3], job: p[5]}, true
}

// parseExecutionName parses projects/P/locations/R/jobs/J/executions/E.
func parseExecutionName(s string) (job jobName, id string, ok bool) {
	parent, id, found := strings.Cut(s, "/executions/")
	if !found || id == "" || strings.Contains(id, "/") {
		return jobName{}, "", false
	}
	job, ok = parseJobName(parent)
	return job, id, ok
}

// ListExecutions lists the parent job's executions newest create_time first,
// as the real API does, one page at a time; the job "-" lists every job's.
func (s *runServer) ListExecutions(ctx context.Context, req *runpb.ListExecutionsRequest) (*runpb.ListExecutionsResponse, error) {
	c := s.cloud
	c.mu.Lock()
	c.listReqs = append(c.listReqs, proto.CloneOf(req))
	c.mu.Unlock()

	parent, ok := parseJobName(req.GetParent())
	if !ok {
		return nil, status.Errorf(codes.InvalidArgument, "parent %q is not of the form projects/{project}/locations/{location}/jobs/{job}", req.GetParent())
	}
	if err := c.regionDelay(ctx, parent.region); err != nil {
		return nil, err
	}
	if err := c.faultsOf(parent.region).err; err != nil {
		return nil, err
	}
	size := int(req.GetPageSize())
	switch {
	case size < 0:
		return nil, status.Errorf(codes.InvalidArgument, "page_size must not be negative, got %d", size)
	case size == 0:
		size = defaultExecutionsPageSize
	}
	query := queryHash("executions", parent.String())
	var after *pageToken
	if tok := req.GetPageToken(); tok != "" {
		t, err := decodePageToken(tok, query)
		if err != nil {
			return nil, status.Error(codes.InvalidArgument, err.Error())
		}
		after = &t
	}

	all := c.listExecutions(parent)
	if after != nil {
		// Resume after the last item of the previous page.
		all = slices.DeleteFunc(all, func(e *runpb.Execution) bool {
			return compareExecutions(e, after.Nanos, after.Name) <= 0
		})
	}
	resp := &runpb.ListExecutionsResponse{}
	if len(all) > size {
		last := all[size-1]
		resp.NextPageToken = pageToken{Query: query, Nanos: createNanos(last), Name: last.GetName()}.encode()
		all = all[:size]
	}
	resp.Executions = all
	return resp, nil
}

// GetExecution returns the execution with the full resource name req.Name.
func (s *runServer) GetExecution(ctx context.Context, req *runpb.GetExecutionRequest) (*runpb.Execution, error) {
	c := s.cloud
	job, _, ok := parseExecutionName(req.GetName())
	if !ok {
		return nil, status.Errorf(codes.InvalidArgument, "name %q is not of the form projects/{project}/locations/{location}/jobs/{job}/executions/{execution}", req.GetName())
	}
	if err := c.regionDelay(ctx, job.region); err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.executions[req.GetName()]
	if !ok {
		return nil, status.Errorf(codes.NotFound, "Resource '%s' of kind 'EXECUTION' in region '%s' in project '%s' does not exist.", req.GetName(), job.region, job.project)
	}
	return proto.CloneOf(e), nil
}

// regionDelay applies the region's hang and latency, returning the gRPC
// status of ctx if it ends first.
func (c *Cloud) regionDelay(ctx context.Context, region string) error {
	f := c.faultsOf(region)
	if f.hang {
		<-ctx.Done()
		return status.FromContextError(ctx.Err()).Err()
	}
	if f.latency <= 0 {
		return nil
	}
	t := time.NewTimer(f.latency)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return status.FromContextError(ctx.Err()).Err()
	}
}

// listExecutions returns copies of parent's executions, newest first; a
// parent job of "-" stands for every job of its project and region, as in
// Cloud Run.
func (c *Cloud) listExecutions(parent jobName) []*runpb.Execution {
	c.mu.Lock()
	var out []*runpb.Execution
	for name, e := range c.executions {
		job, _, ok := parseExecutionName(name)
		if ok && job.project == parent.project && job.region == parent.region && (parent.job == "-" || job.job == parent.job) {
			out = append(out, proto.CloneOf(e))
		}
	}
	c.mu.Unlock()
	slices.SortFunc(out, func(a, b *runpb.Execution) int {
		return compareExecutions(a, createNanos(b), b.GetName())
	})
	return out
}

// compareExecutions orders e against the key (nanos, name) in listing order:
// newest create_time first, then by name.
func compareExecutions(e *runpb.Execution, nanos int64, name string) int {
	if c := cmp.Compare(nanos, createNanos(e)); c != 0 {
		return c
	}
	return strings.Compare(e.GetName(), name)
}

func createNanos(e *runpb.Execution) int64 {
	if e.GetCreateTime() == nil {
		return 0
	}
	return e.GetCreateTime().AsTime().UnixNano()
}
