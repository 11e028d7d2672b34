package fakecloud

import (
	"context"
	"slices"
	"strings"

	"cloud.google.com/go/run/apiv2/runpb"
	"google.golang.org/genproto/googleapis/api"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// defaultJobsPageSize is what ListJobs uses when page_size is 0.
const defaultJobsPageSize = 100

// jobsServer implements ListJobs of the Cloud Run Admin v2 Jobs service:
// the jobs made with PutJob and those the Cloud's executions belong to.
type jobsServer struct {
	runpb.UnimplementedJobsServer
	cloud *Cloud
}

// PutJob makes the job projects/project/locations/region/jobs/job exist,
// though it has no execution yet; a job with executions exists anyway.
func (c *Cloud) PutJob(project, region, job string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.jobs[jobName{project: project, region: region, job: job}.String()] = true
}

// ListJobsRequests returns copies of every ListJobs request received, in
// arrival order, including the ones that failed.
func (c *Cloud) ListJobsRequests() []*runpb.ListJobsRequest {
	c.mu.Lock()
	defer c.mu.Unlock()
	return cloneAll(c.jobReqs)
}

// SetListJobsError makes every ListJobs fail with err (the listing of
// executions goes on). Nil clears it.
func (c *Cloud) SetListJobsError(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.jobsErr = err
}

// parseLocationName parses projects/P/locations/R.
func parseLocationName(s string) (project, region string, ok bool) {
	p := strings.Split(s, "/")
	if len(p) != 4 || p[0] != "projects" || p[2] != "locations" || p[1] == "" || p[3] == "" || p[3] == "-" {
		return "", "", false
	}
	return p[1], p[3], true
}

// ListJobs lists the jobs of the parent location by name, one page at a
// time, with the region's faults.
func (s *jobsServer) ListJobs(ctx context.Context, req *runpb.ListJobsRequest) (*runpb.ListJobsResponse, error) {
	c := s.cloud
	c.mu.Lock()
	c.jobReqs = append(c.jobReqs, proto.CloneOf(req))
	jobsErr := c.jobsErr
	c.mu.Unlock()
	if jobsErr != nil {
		return nil, jobsErr
	}

	project, region, ok := parseLocationName(req.GetParent())
	if !ok {
		return nil, status.Errorf(codes.InvalidArgument, "parent %q is not of the form projects/{project}/locations/{location}", req.GetParent())
	}
	if err := c.regionDelay(ctx, region); err != nil {
		return nil, err
	}
	if err := c.faultsOf(region).err; err != nil {
		return nil, err
	}
	size := int(req.GetPageSize())
	switch {
	case size < 0:
		return nil, status.Errorf(codes.InvalidArgument, "page_size must not be negative, got %d", size)
	case size == 0:
		size = defaultJobsPageSize
	}
	query := queryHash("jobs", req.GetParent())
	after := ""
	if tok := req.GetPageToken(); tok != "" {
		t, err := decodePageToken(tok, query)
		if err != nil {
			return nil, status.Error(codes.InvalidArgument, err.Error())
		}
		after = t.Name
	}
	names := c.jobsIn(project, region)
	names = slices.DeleteFunc(names, func(n string) bool { return n <= after })
	resp := &runpb.ListJobsResponse{}
	if len(names) > size {
		names = names[:size]
		resp.NextPageToken = pageToken{Query: query, Name: names[size-1]}.encode()
	}
	for _, n := range names {
		resp.Jobs = append(resp.Jobs, &runpb.Job{Name: n})
	}
	return resp, nil
}

// jobsIn returns the names of the jobs of a project in a region, sorted.
func (c *Cloud) jobsIn(project, region string) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	add := func(j jobName) {
		if n := j.String(); j.project == project && j.region == region && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	for name := range c.jobs {
		if j, ok := parseJobName(name); ok {
			add(j)
		}
	}
	for name := range c.executions {
		if j, _, ok := parseExecutionName(name); ok {
			add(j)
		}
	}
	slices.Sort(out)
	return out
}

// SetJobTemplate makes the job projects/project/locations/region/jobs/job
// exist with the template its new executions start from (GetJob shows it,
// RunJob copies it); a job without one has one container, one task and
// TaskTimeout, as the executions ExecutionSpec builds.
func (c *Cloud) SetJobTemplate(project, region, job string, t *runpb.ExecutionTemplate) {
	c.mu.Lock()
	defer c.mu.Unlock()
	name := jobName{project: project, region: region, job: job}.String()
	c.jobs[name] = true
	c.templates[name] = proto.CloneOf(t)
}

// jobTemplate returns a copy of the job's template, and whether the job
// exists (put with PutJob or SetJobTemplate, or with executions). The
// caller holds c.mu.
func (c *Cloud) jobTemplate(j jobName) (*runpb.ExecutionTemplate, bool) {
	name := j.String()
	if t, ok := c.templates[name]; ok {
		return proto.CloneOf(t), true
	}
	exists := c.jobs[name]
	for e := range c.executions {
		if ej, _, ok := parseExecutionName(e); ok && ej == j {
			exists = true
			break
		}
	}
	return &runpb.ExecutionTemplate{TaskCount: 1, Template: taskTemplate(j.project, j.job)}, exists
}

// GetJob returns the job with its template, or NotFound as Cloud Run words
// it; SetActionError("GetJob", …) makes it fail.
func (s *jobsServer) GetJob(ctx context.Context, req *runpb.GetJobRequest) (*runpb.Job, error) {
	c := s.cloud
	j, ok := parseJobName(req.GetName())
	if !ok {
		return nil, status.Errorf(codes.InvalidArgument, "name %q is not of the form projects/{project}/locations/{location}/jobs/{job}", req.GetName())
	}
	if err := c.regionDelay(ctx, j.region); err != nil {
		return nil, err
	}
	if err := c.actionError("GetJob"); err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	t, ok := c.jobTemplate(j)
	if !ok {
		return nil, jobNotFound(j)
	}
	return &runpb.Job{Name: j.String(), Template: t, LaunchStage: api.LaunchStage_GA}, nil
}

// jobNotFound is Cloud Run's answer about a job it does not have.
func jobNotFound(j jobName) error {
	return status.Errorf(codes.NotFound, "Resource '%s' of kind 'JOB' in region '%s' in project '%s' does not exist.", j.job, j.region, j.project)
}
