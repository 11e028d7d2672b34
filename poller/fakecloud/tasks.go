package fakecloud

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"cloud.google.com/go/run/apiv2/runpb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// defaultTasksPageSize is what ListTasks uses when page_size is 0.
const defaultTasksPageSize = 100

// tasksServer implements the Cloud Run Admin v2 Tasks service over the
// Cloud's tasks.
type tasksServer struct {
	runpb.UnimplementedTasksServer
	cloud *Cloud
}

// parseTaskName parses projects/P/locations/R/jobs/J/executions/E/tasks/T
// into the execution's full name and the task's ID.
func parseTaskName(s string) (execution string, job jobName, id string, ok bool) {
	execution, id, found := strings.Cut(s, "/tasks/")
	if !found || id == "" || strings.Contains(id, "/") {
		return "", jobName{}, "", false
	}
	job, _, ok = parseExecutionName(execution)
	return execution, job, id, ok
}

// PutTask stores a copy of t under t.Name, which must be the full resource
// name projects/P/locations/R/jobs/J/executions/E/tasks/T; a task with the
// same name is replaced. Put stores the tasks of an ExecutionSpec; PutTask
// is for tests that shape a task themselves.
func (c *Cloud) PutTask(t *runpb.Task) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.tasks[t.GetName()] = proto.CloneOf(t)
}

// Put stores the execution spec builds and its tasks, replacing any tasks
// the execution had. When it ends the execution, the sinks route its audit
// entry.
func (c *Cloud) Put(spec ExecutionSpec) {
	e, tasks := spec.Build(), spec.BuildTasks()
	c.mu.Lock()
	end := ended(c.executions[e.GetName()], e)
	defer func() {
		c.mu.Unlock()
		c.route(end)
	}()
	c.executions[e.GetName()] = e
	prefix := e.GetName() + "/tasks/"
	for name := range c.tasks {
		if strings.HasPrefix(name, prefix) {
			delete(c.tasks, name)
		}
	}
	for _, t := range tasks {
		c.tasks[t.GetName()] = t
	}
}

// SetTasksError makes every ListTasks fail with err (a status.Error such as
// codes.PermissionDenied), after the region's faults, while ListExecutions
// still answers. Nil clears it.
func (c *Cloud) SetTasksError(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.tasksErr = err
}

// ListTasksRequests returns copies of every ListTasks request received, in
// arrival order, including the ones that failed.
func (c *Cloud) ListTasksRequests() []*runpb.ListTasksRequest {
	c.mu.Lock()
	defer c.mu.Unlock()
	return cloneAll(c.taskReqs)
}

// ListTasks lists the parent execution's tasks by index, one page at a
// time. The region's latency, hang and error apply as to ListExecutions. An
// execution that is stored but has no tasks lists none; one that is not
// stored and has no tasks is NOT_FOUND.
func (s *tasksServer) ListTasks(ctx context.Context, req *runpb.ListTasksRequest) (*runpb.ListTasksResponse, error) {
	c := s.cloud
	c.mu.Lock()
	c.taskReqs = append(c.taskReqs, proto.CloneOf(req))
	c.mu.Unlock()

	job, _, ok := parseExecutionName(req.GetParent())
	if !ok {
		return nil, status.Errorf(codes.InvalidArgument, "parent %q is not of the form projects/{project}/locations/{location}/jobs/{job}/executions/{execution}", req.GetParent())
	}
	if err := c.regionDelay(ctx, job.region); err != nil {
		return nil, err
	}
	if err := c.faultsOf(job.region).err; err != nil {
		return nil, err
	}
	c.mu.Lock()
	err := c.tasksErr
	c.mu.Unlock()
	if err != nil {
		return nil, err
	}
	size := int(req.GetPageSize())
	switch {
	case size < 0:
		return nil, status.Errorf(codes.InvalidArgument, "page_size must not be negative, got %d", size)
	case size == 0:
		size = defaultTasksPageSize
	}
	query := queryHash("tasks", req.GetParent())
	after := -1 // index of the last task of the previous page
	if tok := req.GetPageToken(); tok != "" {
		t, err := decodePageToken(tok, query)
		if err != nil {
			return nil, status.Error(codes.InvalidArgument, err.Error())
		}
		after = int(t.Nanos)
	}

	all, known := c.listTasks(req.GetParent())
	if !known {
		return nil, status.Errorf(codes.NotFound, "Resource '%s' of kind 'EXECUTION' in region '%s' in project '%s' does not exist.", req.GetParent(), job.region, job.project)
	}
	all = slices.DeleteFunc(all, func(t *runpb.Task) bool { return int(t.GetIndex()) <= after })
	resp := &runpb.ListTasksResponse{}
	if len(all) > size {
		last := all[size-1]
		resp.NextPageToken = pageToken{Query: query, Nanos: int64(last.GetIndex()), Name: last.GetName()}.encode()
		all = all[:size]
	}
	resp.Tasks = all
	return resp, nil
}

// GetTask returns the task with the full resource name req.Name.
func (s *tasksServer) GetTask(ctx context.Context, req *runpb.GetTaskRequest) (*runpb.Task, error) {
	c := s.cloud
	_, job, _, ok := parseTaskName(req.GetName())
	if !ok {
		return nil, status.Errorf(codes.InvalidArgument, "name %q is not of the form projects/{project}/locations/{location}/jobs/{job}/executions/{execution}/tasks/{task}", req.GetName())
	}
	if err := c.regionDelay(ctx, job.region); err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	t, ok := c.tasks[req.GetName()]
	if !ok {
		return nil, status.Errorf(codes.NotFound, "Resource '%s' of kind 'TASK' in region '%s' in project '%s' does not exist.", req.GetName(), job.region, job.project)
	}
	return proto.CloneOf(t), nil
}

// listTasks returns copies of the execution's tasks by index, and whether
// the execution or any of its tasks is stored.
func (c *Cloud) listTasks(execution string) ([]*runpb.Task, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, known := c.executions[execution]
	var out []*runpb.Task
	for name, t := range c.tasks {
		if exec, _, _, ok := parseTaskName(name); ok && exec == execution {
			out = append(out, proto.CloneOf(t))
		}
	}
	slices.SortFunc(out, func(a, b *runpb.Task) int {
		return cmp.Or(cmp.Compare(a.GetIndex(), b.GetIndex()), strings.Compare(a.GetName(), b.GetName()))
	})
	return out, known || len(out) > 0
}
