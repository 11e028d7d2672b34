package poller

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"cloud.google.com/go/run/apiv2/runpb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"
)

// actionTimeout bounds each call an action makes (reading the execution or
// its job, running, cancelling, waiting for the cancel to end).
const actionTimeout = 30 * time.Second

// ExecutionName is a parsed execution resource name,
// projects/PROJECT/locations/REGION/jobs/JOB/executions/ID.
type ExecutionName struct {
	Project, Region, Job, ID string
}

// String returns the full resource name.
func (n ExecutionName) String() string { return n.JobResource() + "/executions/" + n.ID }

// JobResource returns the name of the execution's job,
// projects/PROJECT/locations/REGION/jobs/JOB.
func (n ExecutionName) JobResource() string {
	return "projects/" + n.Project + "/locations/" + n.Region + "/jobs/" + n.Job
}

// notFound says the execution does not exist.
func (n ExecutionName) notFound() string {
	return fmt.Sprintf("%s not found in %s (project %s)", n.ID, n.Region, n.Project)
}

// jobNotFound says the execution's job does not exist.
func (n ExecutionName) jobNotFound() string {
	return fmt.Sprintf("job %s not found in %s (project %s)", n.Job, n.Region, n.Project)
}

// projectID is a Google Cloud project ID, domain-scoped or not
// (example.com:my-project): lower-case letters, digits and hyphens, from a
// letter (Google's own are 6 to 30 long; emulators' may be shorter).
var projectID = regexp.MustCompile(`^([a-z0-9][a-z0-9.-]*[a-z0-9]:)?[a-z]([a-z0-9-]*[a-z0-9])?$`)

// ValidProjectID reports whether s is one project ID.
func ValidProjectID(s string) bool { return projectID.MatchString(s) }

// namePart is what a project, region, job or execution ID may be made of
// (a domain-scoped project, example.com:proj, has a colon).
var namePart = regexp.MustCompile(`^[a-z0-9][a-z0-9.:_-]*$`)

// ParseExecution reads an execution's full resource name
// (projects/P/locations/R/jobs/J/executions/E), or REGION/EXECUTION, whose
// project is left empty for the caller to fill and whose job is read from
// the execution ID: Cloud Run names an execution JOB-xxxxx.
func ParseExecution(s string) (ExecutionName, error) {
	p := strings.Split(s, "/")
	bad := func(why string) (ExecutionName, error) {
		return ExecutionName{}, fmt.Errorf("%q is not an execution: %s; give projects/PROJECT/locations/REGION/jobs/JOB/executions/EXECUTION, or REGION/EXECUTION", s, why)
	}
	var n ExecutionName
	switch len(p) {
	case 8:
		if p[0] != "projects" || p[2] != "locations" || p[4] != "jobs" || p[6] != "executions" {
			return bad("not a resource name")
		}
		n = ExecutionName{Project: p[1], Region: p[3], Job: p[5], ID: p[7]}
	case 1:
		return bad("no region")
	case 2:
		i := strings.LastIndexByte(p[1], '-')
		if i <= 0 || i == len(p[1])-1 {
			return bad("an execution ID is its job's name and a suffix, such as vertex-ai-launcher-x7k2p")
		}
		n = ExecutionName{Region: p[0], Job: p[1][:i], ID: p[1]}
	default:
		return bad("not a resource name")
	}
	for _, part := range []string{n.Project, n.Region, n.Job, n.ID} {
		if part != "" && !namePart.MatchString(part) {
			return bad(fmt.Sprintf("%q is not a name", part))
		}
	}
	if n.Region == "" || n.Job == "" || n.ID == "" || (len(p) == 8 && n.Project == "") {
		return bad("a part is empty")
	}
	return n, nil
}

// Overrides are what an execution ran with that its job's template (as it
// is now) does not say: what RunJob's overrides can set. Env holds plain
// values only: a variable read from a secret is not an override runwatch
// repeats.
type Overrides struct {
	Containers []ContainerOverride
	TaskCount  int32         // 0: the job's
	Timeout    time.Duration // each task's; 0: the job's
}

// ContainerOverride is what one container ran with besides its job's
// template.
type ContainerOverride struct {
	Name      string // the container's name; "" for a job's only, unnamed one
	Args      []string
	ClearArgs bool // it ran without the args the job gives
	Env       []EnvVar
}

// EnvVar is an environment variable with a plain value.
type EnvVar struct{ Name, Value string }

// Empty reports whether the execution ran as its job says.
func (o Overrides) Empty() bool {
	return len(o.Containers) == 0 && o.TaskCount == 0 && o.Timeout == 0
}

// String says the overrides in words, "" when there are none:
// "args --epochs 3 · env LR=0.1 · 4 tasks · timeout 20m".
func (o Overrides) String() string {
	var parts []string
	named := len(o.Containers) > 1
	for _, c := range o.Containers {
		prefix := ""
		if named && c.Name != "" {
			prefix = c.Name + ": "
		}
		switch {
		case c.ClearArgs:
			parts = append(parts, prefix+"no args")
		case len(c.Args) > 0:
			parts = append(parts, prefix+"args "+quoteArgs(c.Args))
		}
		if len(c.Env) > 0 {
			vars := make([]string, len(c.Env))
			for i, e := range c.Env {
				vars[i] = e.Name + "=" + quoteArg(e.Value)
			}
			parts = append(parts, prefix+"env "+strings.Join(vars, " "))
		}
	}
	switch {
	case o.TaskCount == 1:
		parts = append(parts, "1 task")
	case o.TaskCount > 1:
		parts = append(parts, fmt.Sprintf("%d tasks", o.TaskCount))
	}
	if o.Timeout > 0 {
		parts = append(parts, "timeout "+formatTimeout(o.Timeout))
	}
	return strings.Join(parts, " · ")
}

// quoteArgs joins args as a shell shows them, quoting those that need it.
func quoteArgs(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = quoteArg(a)
	}
	return strings.Join(out, " ")
}

func quoteArg(a string) string {
	if a == "" || strings.ContainsAny(a, " \t\n\"'\\") {
		return strconv.Quote(a)
	}
	return a
}

// formatTimeout says a timeout without zero units: "20m", "1h30m", "45s".
func formatTimeout(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// proto returns the overrides as RunJob takes them; nil when there are
// none.
func (o Overrides) proto() *runpb.RunJobRequest_Overrides {
	if o.Empty() {
		return nil
	}
	out := &runpb.RunJobRequest_Overrides{TaskCount: o.TaskCount}
	if o.Timeout > 0 {
		out.Timeout = durationpb.New(o.Timeout)
	}
	for _, c := range o.Containers {
		co := &runpb.RunJobRequest_Overrides_ContainerOverride{Name: c.Name, Args: slices.Clone(c.Args), ClearArgs: c.ClearArgs}
		for _, e := range c.Env {
			co.Env = append(co.Env, &runpb.EnvVar{Name: e.Name, Values: &runpb.EnvVar_Value{Value: e.Value}})
		}
		out.ContainerOverrides = append(out.ContainerOverrides, co)
	}
	return out
}

// OverridesOf reads the execution and its job and returns what the
// execution ran with that the job's template does not say: args, env, task
// count, timeout. A job changed since the execution ran shows its changes
// as overrides too: Cloud Run keeps no record of which were asked for.
func OverridesOf(ctx context.Context, clients Clients, resource string) (Overrides, error) {
	n, err := ParseExecution(resource)
	if err != nil {
		return Overrides{}, err
	}
	callCtx, cancel := context.WithTimeout(ctx, actionTimeout)
	defer cancel()
	e, err := clients.Run.GetExecution(callCtx, &runpb.GetExecutionRequest{Name: n.String()})
	if err != nil {
		return Overrides{}, actionError("reading "+n.ID, n.notFound(), err, "run.executions.get (roles/run.viewer)")
	}
	job, err := clients.Jobs.GetJob(callCtx, &runpb.GetJobRequest{Name: n.JobResource()})
	if err != nil {
		return Overrides{}, actionError("reading job "+n.Job, n.jobNotFound(), err, "run.jobs.get (roles/run.viewer)")
	}
	return overridesBetween(job.GetTemplate(), e), nil
}

// overridesBetween compares an execution with its job's template.
func overridesBetween(job *runpb.ExecutionTemplate, e *runpb.Execution) Overrides {
	var o Overrides
	if n := e.GetTaskCount(); n > 0 && n != max(job.GetTaskCount(), 1) {
		o.TaskCount = n
	}
	if d := e.GetTemplate().GetTimeout(); d != nil && d.AsDuration() != job.GetTemplate().GetTimeout().AsDuration() {
		o.Timeout = d.AsDuration()
	}
	jobContainers := job.GetTemplate().GetContainers()
	for i, c := range e.GetTemplate().GetContainers() {
		var base *runpb.Container
		if k := slices.IndexFunc(jobContainers, func(j *runpb.Container) bool { return j.GetName() == c.GetName() }); k >= 0 {
			base = jobContainers[k]
		} else if c.GetName() == "" && i < len(jobContainers) {
			base = jobContainers[i]
		}
		co := ContainerOverride{Name: c.GetName()}
		if !slices.Equal(c.GetArgs(), base.GetArgs()) {
			co.Args = slices.Clone(c.GetArgs())
			co.ClearArgs = len(c.GetArgs()) == 0
		}
		for _, v := range c.GetEnv() {
			if v.GetValueSource() != nil {
				continue
			}
			k := slices.IndexFunc(base.GetEnv(), func(b *runpb.EnvVar) bool { return b.GetName() == v.GetName() })
			if k < 0 || base.GetEnv()[k].GetValueSource() != nil || base.GetEnv()[k].GetValue() != v.GetValue() {
				co.Env = append(co.Env, EnvVar{Name: v.GetName(), Value: v.GetValue()})
			}
		}
		if len(co.Args) > 0 || co.ClearArgs || len(co.Env) > 0 {
			o.Containers = append(o.Containers, co)
		}
	}
	return o
}

// RunAgain starts a new execution of resource's job, with the overrides
// resource ran with when withOverrides (see RunWith), and returns the new
// execution's resource name.
func RunAgain(ctx context.Context, clients Clients, resource string, withOverrides bool) (newExecution string, err error) {
	var o Overrides
	if withOverrides {
		if o, err = OverridesOf(ctx, clients, resource); err != nil {
			return "", err
		}
	}
	return RunWith(ctx, clients, resource, o)
}

// RunWith starts a new execution of resource's job with the overrides o
// (none when o is empty) and returns the new execution's resource name. It
// returns once Cloud Run has created the execution, not when it ends:
// RunJob's operation is done only when its execution is, so the new
// execution is read from the operation's metadata.
func RunWith(ctx context.Context, clients Clients, resource string, o Overrides) (newExecution string, err error) {
	n, err := ParseExecution(resource)
	if err != nil {
		return "", err
	}
	req := &runpb.RunJobRequest{Name: n.JobResource(), Overrides: o.proto()}
	permission := "run.jobs.run (roles/run.invoker or roles/run.developer)"
	if req.Overrides != nil {
		permission = "run.jobs.runWithOverrides (roles/run.developer)"
	}
	ctx, cancel := context.WithTimeout(ctx, actionTimeout)
	defer cancel()
	doing := fmt.Sprintf("running %s in %s", n.Job, n.Region)
	op, err := clients.Jobs.RunJob(ctx, req)
	if err != nil {
		return "", actionError(doing, n.jobNotFound(), err, permission)
	}
	if e, err := op.Metadata(); err == nil && e.GetName() != "" {
		return e.GetName(), nil
	}
	// Not in the first answer: ask once more (a finished operation has it
	// as its response).
	e, err := op.Poll(ctx)
	if err != nil {
		return "", actionError(doing+" (started; reading which execution)", n.jobNotFound(), err, "run.operations.get (roles/run.viewer)")
	}
	if e == nil {
		if e, err = op.Metadata(); err != nil {
			return "", fmt.Errorf("%s: started, but Cloud Run did not say which execution: %w", doing, err)
		}
	}
	if e.GetName() == "" {
		return "", fmt.Errorf("%s: started, but Cloud Run did not say which execution (operation %s)", doing, op.Name())
	}
	return e.GetName(), nil
}

// ErrAlreadyFinished says an execution to cancel had already finished.
var ErrAlreadyFinished = errors.New("already finished")

// Cancel cancels a running or pending execution and waits, within the
// action's time, for Cloud Run to finish cancelling it; a cancel Cloud Run
// accepted but has not finished by then is not an error. Cancelling a
// finished execution is ErrAlreadyFinished, worded with how and when it
// ended.
func Cancel(ctx context.Context, clients Clients, resource string) error {
	n, err := ParseExecution(resource)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, actionTimeout)
	defer cancel()
	op, err := clients.Run.CancelExecution(ctx, &runpb.CancelExecutionRequest{Name: n.String()})
	if status.Code(err) == codes.FailedPrecondition {
		return finishedError(ctx, clients, n, err)
	}
	if err != nil {
		return actionError("cancelling "+n.ID, n.notFound(), err, "run.executions.cancel (roles/run.developer)")
	}
	if _, err := op.Wait(ctx); err != nil && ctx.Err() == nil {
		return fmt.Errorf("cancelling %s: %w", n.ID, err)
	}
	return nil
}

// finishedError words Cloud Run's refusal to cancel a finished execution,
// saying how and when it ended when the execution can be read.
func finishedError(ctx context.Context, clients Clients, n ExecutionName, refusal error) error {
	how := ""
	if e, err := clients.Run.GetExecution(ctx, &runpb.GetExecutionRequest{Name: n.String()}); err == nil && e.GetCompletionTime() != nil {
		how = fmt.Sprintf(" (%s %s ago)", strings.ToLower(string(stateOf(e))), FormatAge(time.Since(e.GetCompletionTime().AsTime())))
	} else if err != nil {
		how = fmt.Sprintf(" (Cloud Run says: %s)", status.Convert(refusal).Message())
	}
	return fmt.Errorf("%s %w%s; only a running or pending execution can be cancelled", n.ID, ErrAlreadyFinished, how)
}

// actionError words a refused or failed call of an action for a person:
// a missing permission is named, with the roles that hold it; notFound is
// what NotFound means.
func actionError(doing, notFound string, err error, permission string) error {
	msg := doing + ": " + describeError(err, actionTimeout)
	switch status.Code(err) {
	case codes.PermissionDenied:
		msg = fmt.Sprintf("permission denied: %s needs %s", doing, permission)
	case codes.NotFound:
		msg = notFound
	case codes.Unauthenticated:
		msg = doing + ": not signed in — run gcloud auth application-default login"
	}
	return &wordedError{msg, err}
}

// wordedError is an error said in its own words that still unwraps to the
// call's error (its gRPC status).
type wordedError struct {
	msg string
	err error
}

func (e *wordedError) Error() string { return e.msg }
func (e *wordedError) Unwrap() error { return e.err }
