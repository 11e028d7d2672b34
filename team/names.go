package team

import "fmt"

const (
	// ExecutionsTopic is the topic the sink publishes execution ends to.
	ExecutionsTopic = "runwatch-executions"
	// ErrorsTopic is the topic the relay publishes extracted errors to.
	ErrorsTopic = "runwatch-errors"
	// SinkID is the Cloud Logging sink that routes execution ends to
	// ExecutionsTopic.
	SinkID = "runwatch-executions"
	// SubscriptionPrefix starts every installation's subscription ID.
	SubscriptionPrefix = "runwatch-"
	// PublisherRole is the role the sink's writer identity needs on
	// ExecutionsTopic.
	PublisherRole = "roles/pubsub.publisher"
)

// Filter returns the sink's filter for project: the System Event audit
// entries Cloud Run writes when a job execution ends (they cannot be turned
// off, and a success writes one too).
func Filter(project string) string {
	return fmt.Sprintf(`logName="projects/%s/logs/cloudaudit.googleapis.com%%2Fsystem_event" AND resource.type="cloud_run_job" AND protoPayload.serviceName="run.googleapis.com" AND protoPayload.methodName="/Jobs.RunJob"`, project)
}

// TopicName returns the full name of topic id in project.
func TopicName(project, id string) string {
	return "projects/" + project + "/topics/" + id
}

// SubscriptionName returns the full name of subscription id in project.
func SubscriptionName(project, id string) string {
	return "projects/" + project + "/subscriptions/" + id
}

// SinkName returns the full name of the sink in project.
func SinkName(project string) string {
	return "projects/" + project + "/sinks/" + SinkID
}

// SinkDestination returns where the sink in project routes entries: the
// executions topic, as Cloud Logging names a Pub/Sub destination.
func SinkDestination(project string) string {
	return "pubsub.googleapis.com/" + TopicName(project, ExecutionsTopic)
}
