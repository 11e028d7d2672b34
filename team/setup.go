package team

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"cloud.google.com/go/iam/apiv1/iampb"
	"cloud.google.com/go/logging/apiv2/loggingpb"
	"cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
)

// callTimeout bounds each call Setup, EnsureSubscription and Leave make.
const callTimeout = 30 * time.Second

// The roles a person running setup needs, named in its refusals.
const (
	topicsRole = "roles/pubsub.editor"        // create topics and subscriptions
	sinksRole  = "roles/logging.configWriter" // create and update sinks
	iamRole    = "roles/pubsub.admin"         // set a topic's IAM policy
)

// Step is one thing Setup did, found done already, or (dry run) would do.
type Step struct {
	// Said is what happened, in words: "created topic …", "topic … exists".
	Said    string
	Changed bool
	// Gcloud is the equivalent gcloud command.
	Gcloud string
}

// Report is what Setup did, step by step.
type Report struct {
	Project string
	DryRun  bool
	Steps   []Step
	// WriterIdentity is the sink's writer ("serviceAccount:…"); empty in a
	// dry run.
	WriterIdentity string
}

// Changed reports whether Setup changed anything (a dry run changes
// nothing).
func (r Report) Changed() bool {
	return slices.ContainsFunc(r.Steps, func(s Step) bool { return s.Changed })
}

// Commands returns the gcloud commands that do what Setup does, one a
// line; the grant reads the sink's writer identity into $WRITER first.
func (r Report) Commands() string {
	var b strings.Builder
	for _, s := range r.Steps {
		b.WriteString(s.Gcloud + "\n")
	}
	return b.String()
}

// Setup makes project ready for team mode, doing only what is not done
// yet: the executions and errors topics, the sink that routes execution
// ends to the executions topic (created with a unique writer identity; one
// with another filter or destination is updated), and the grant of
// roles/pubsub.publisher on that topic to the sink's writer. With dryRun it
// makes no call and returns the steps with their gcloud commands. A refusal
// names the role that would allow it.
func Setup(ctx context.Context, project string, clients Clients, dryRun bool) (Report, error) {
	r := Report{Project: project, DryRun: dryRun}
	if dryRun {
		for _, id := range []string{ExecutionsTopic, ErrorsTopic} {
			r.Steps = append(r.Steps, Step{Said: "would create topic " + TopicName(project, id), Gcloud: topicCommand(project, id)})
		}
		r.Steps = append(r.Steps,
			Step{Said: "would create sink " + SinkName(project) + " to " + SinkDestination(project), Gcloud: sinkCommand(project, "create")},
			Step{Said: "would grant the sink's writer " + PublisherRole + " on " + TopicName(project, ExecutionsTopic), Gcloud: grantCommand(project)})
		return r, nil
	}
	for _, id := range []string{ExecutionsTopic, ErrorsTopic} {
		step, err := ensureTopic(ctx, clients, project, id)
		if err != nil {
			return r, err
		}
		r.Steps = append(r.Steps, step)
	}
	step, writer, err := ensureSink(ctx, clients, project)
	if err != nil {
		return r, err
	}
	r.Steps, r.WriterIdentity = append(r.Steps, step), writer
	step, err = ensureGrant(ctx, clients, project, writer)
	if err != nil {
		return r, err
	}
	r.Steps = append(r.Steps, step)
	return r, nil
}

// refused wraps err of doing what; a PermissionDenied names the role that
// allows it.
func refused(err error, what, role string) error {
	if status.Code(err) == codes.PermissionDenied {
		return fmt.Errorf("%s: permission denied: this needs %s on the project (%w)", what, role, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// ensureTopic creates topic id unless it exists.
func ensureTopic(ctx context.Context, clients Clients, project, id string) (Step, error) {
	name := TopicName(project, id)
	step := Step{Said: "topic " + name + " exists", Gcloud: topicCommand(project, id)}
	callCtx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	_, err := clients.PubSub.TopicAdminClient.GetTopic(callCtx, &pubsubpb.GetTopicRequest{Topic: name})
	if err == nil {
		return step, nil
	}
	if status.Code(err) != codes.NotFound {
		return step, refused(err, "read topic "+name, topicsRole)
	}
	callCtx, cancel = context.WithTimeout(ctx, callTimeout)
	defer cancel()
	if _, err := clients.PubSub.TopicAdminClient.CreateTopic(callCtx, &pubsubpb.Topic{Name: name}); err != nil && status.Code(err) != codes.AlreadyExists {
		return step, refused(err, "create topic "+name, topicsRole)
	}
	step.Said, step.Changed = "created topic "+name, true
	return step, nil
}

// ensureSink creates the sink, or updates one whose filter, destination or
// disabling differ, and returns its writer identity.
func ensureSink(ctx context.Context, clients Clients, project string) (Step, string, error) {
	want := &loggingpb.LogSink{Name: SinkID, Destination: SinkDestination(project), Filter: Filter(project),
		Description: "runwatch team mode: Cloud Run job execution ends to Pub/Sub"}
	name := SinkName(project)
	step := Step{Said: "sink " + name + " routes execution ends to " + TopicName(project, ExecutionsTopic), Gcloud: sinkCommand(project, "create")}
	callCtx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	have, err := clients.Sinks.GetSink(callCtx, &loggingpb.GetSinkRequest{SinkName: name})
	switch {
	case status.Code(err) == codes.NotFound:
		callCtx, cancel := context.WithTimeout(ctx, callTimeout)
		defer cancel()
		have, err = clients.Sinks.CreateSink(callCtx, &loggingpb.CreateSinkRequest{Parent: "projects/" + project, Sink: want, UniqueWriterIdentity: true})
		if err != nil {
			return step, "", refused(err, "create sink "+name, sinksRole)
		}
		step.Said, step.Changed = "created sink "+name+" to "+TopicName(project, ExecutionsTopic), true
	case err != nil:
		return step, "", refused(err, "read sink "+name, sinksRole)
	case have.GetFilter() != want.GetFilter() || have.GetDestination() != want.GetDestination() || have.GetDisabled():
		callCtx, cancel := context.WithTimeout(ctx, callTimeout)
		defer cancel()
		have, err = clients.Sinks.UpdateSink(callCtx, &loggingpb.UpdateSinkRequest{SinkName: name, Sink: want, UniqueWriterIdentity: true,
			UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"destination", "filter", "disabled"}}})
		if err != nil {
			return step, "", refused(err, "update sink "+name, sinksRole)
		}
		step.Said, step.Changed, step.Gcloud = "updated sink "+name+" (its filter or destination differed)", true, sinkCommand(project, "update")
	}
	if have.GetWriterIdentity() == "" {
		return step, "", fmt.Errorf("sink %s has no writer identity to grant %s", name, PublisherRole)
	}
	return step, have.GetWriterIdentity(), nil
}

// ensureGrant gives writer roles/pubsub.publisher on the executions topic
// unless it has it: the topic's IAM policy read, a binding added, written
// back with the etag read.
func ensureGrant(ctx context.Context, clients Clients, project, writer string) (Step, error) {
	topic := TopicName(project, ExecutionsTopic)
	step := Step{Said: writer + " may publish to " + topic, Gcloud: grantCommand(project)}
	callCtx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	policy, err := clients.PubSub.TopicAdminClient.GetIamPolicy(callCtx, &iampb.GetIamPolicyRequest{Resource: topic})
	if err != nil {
		return step, refused(err, "read the IAM policy of "+topic, iamRole)
	}
	i := slices.IndexFunc(policy.GetBindings(), func(b *iampb.Binding) bool { return b.GetRole() == PublisherRole && b.GetCondition() == nil })
	switch {
	case i >= 0 && slices.Contains(policy.Bindings[i].GetMembers(), writer):
		return step, nil
	case i >= 0:
		policy.Bindings[i].Members = append(policy.Bindings[i].Members, writer)
	default:
		policy.Bindings = append(policy.Bindings, &iampb.Binding{Role: PublisherRole, Members: []string{writer}})
	}
	callCtx, cancel = context.WithTimeout(ctx, callTimeout)
	defer cancel()
	if _, err := clients.PubSub.TopicAdminClient.SetIamPolicy(callCtx, &iampb.SetIamPolicyRequest{Resource: topic, Policy: policy}); err != nil {
		return step, refused(err, "grant "+PublisherRole+" on "+topic, iamRole)
	}
	step.Said, step.Changed = "granted "+writer+" "+PublisherRole+" on "+topic, true
	return step, nil
}

// The gcloud commands that do what Setup does.

func topicCommand(project, id string) string {
	return fmt.Sprintf("gcloud pubsub topics create %s --project=%s", id, project)
}

func sinkCommand(project, verb string) string {
	return fmt.Sprintf("gcloud logging sinks %s %s %s --log-filter=%s --project=%s", verb, SinkID, SinkDestination(project), shellQuote(Filter(project)), project)
}

func grantCommand(project string) string {
	return fmt.Sprintf("WRITER=$(gcloud logging sinks describe %s --project=%s --format='value(writerIdentity)')\n", SinkID, project) +
		fmt.Sprintf(`gcloud pubsub topics add-iam-policy-binding %s --project=%s --member="$WRITER" --role=%s`, ExecutionsTopic, project, PublisherRole)
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
