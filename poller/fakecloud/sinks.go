package fakecloud

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"cloud.google.com/go/logging/apiv2/loggingpb"
	"cloud.google.com/go/run/apiv2/runpb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// This file is Cloud Logging's sinks (ConfigServiceV2: CreateSink, GetSink,
// UpdateSink, ListSinks, DeleteSink) and what a sink does: when an
// execution ends, its audit entry (AuditEntry) is routed, as LogEntry JSON,
// to the Pub/Sub topic of every sink of its project whose filter matches,
// through the publisher a test hands SetSinkPublisher. The fake does not
// check that the sink's writer identity may publish to the topic.

// SinkPublisher publishes data to a Pub/Sub topic (its full name,
// projects/P/topics/T), as a sink's writer does.
type SinkPublisher func(ctx context.Context, topic string, data []byte) error

// SinkMessage is one message a sink published, or failed to.
type SinkMessage struct {
	Sink  string // the sink's full name
	Topic string
	Data  []byte
	Err   error
}

// sinkPublishTimeout bounds one publish of a sink's message.
const sinkPublishTimeout = 10 * time.Second

// SetSinkPublisher sets how sinks publish to Pub/Sub; nil (the start) drops
// their messages.
func (c *Cloud) SetSinkPublisher(p SinkPublisher) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sinkPublisher = p
}

// SinkMessages returns what the sinks published or failed to publish, in
// order.
func (c *Cloud) SinkMessages() []SinkMessage {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.sinkMessages)
}

// SinkCalls returns the sink calls received ("CreateSink", "GetSink", …),
// in arrival order, including the ones that failed.
func (c *Cloud) SinkCalls() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.sinkCalls)
}

// Sinks returns copies of the sinks of project, sorted by name.
func (c *Cloud) Sinks(project string) []*loggingpb.LogSink {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sinksOf(project)
}

// SetSinkError makes every sink call fail with err (a status.Error such as
// codes.PermissionDenied). Nil clears it.
func (c *Cloud) SetSinkError(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sinkErr = err
}

// sinksOf returns copies of project's sinks. The caller holds c.mu.
func (c *Cloud) sinksOf(project string) []*loggingpb.LogSink {
	prefix := "projects/" + project + "/sinks/"
	var out []*loggingpb.LogSink
	for name, s := range c.sinks {
		if strings.HasPrefix(name, prefix) {
			out = append(out, proto.CloneOf(s))
		}
	}
	slices.SortFunc(out, func(a, b *loggingpb.LogSink) int { return strings.Compare(a.GetName(), b.GetName()) })
	return out
}

// ended returns the audit entry of e when storing it over prev ends it:
// it has a completion time that prev (nil: none) did not have. The caller
// holds c.mu.
func ended(prev, e *runpb.Execution) *loggingpb.LogEntry {
	if e.GetCompletionTime() == nil || (prev != nil && proto.Equal(prev.GetCompletionTime(), e.GetCompletionTime())) {
		return nil
	}
	entry, _ := AuditEntry(e)
	return entry
}

// route publishes entry (nil: nothing) to the topic of each sink of its
// project whose filter matches it, and records what happened.
func (c *Cloud) route(entry *loggingpb.LogEntry) {
	if entry == nil {
		return
	}
	project := entry.GetResource().GetLabels()["project_id"]
	c.mu.Lock()
	publish, sinks := c.sinkPublisher, c.sinksOf(project)
	c.mu.Unlock()
	if publish == nil {
		return
	}
	data, err := protojson.Marshal(entry)
	for _, s := range sinks {
		f, ferr := parseFilter(s.GetFilter())
		topic, ok := strings.CutPrefix(s.GetDestination(), "pubsub.googleapis.com/")
		if ferr != nil || !ok || s.GetDisabled() || !f.match(entry) {
			continue
		}
		m := SinkMessage{Sink: "projects/" + project + "/sinks/" + s.GetName(), Topic: topic, Data: data, Err: err}
		if err == nil {
			ctx, cancel := context.WithTimeout(c.ctx, sinkPublishTimeout)
			m.Err = publish(ctx, topic, data)
			cancel()
		}
		c.mu.Lock()
		c.sinkMessages = append(c.sinkMessages, m)
		c.mu.Unlock()
	}
}

// configServer implements Cloud Logging's ConfigServiceV2 sink calls.
type configServer struct {
	loggingpb.UnimplementedConfigServiceV2Server
	cloud *Cloud
}

// called records a call and returns the injected error, if any.
func (s *configServer) called(method string) error {
	c := s.cloud
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sinkCalls = append(c.sinkCalls, method)
	return c.sinkErr
}

// projectOf parses "projects/P".
func projectOf(parent string) (string, error) {
	p, ok := strings.CutPrefix(parent, "projects/")
	if !ok || p == "" || strings.Contains(p, "/") {
		return "", status.Errorf(codes.InvalidArgument, "parent %q is not of the form projects/{project} (the fake has project sinks only)", parent)
	}
	return p, nil
}

// parseSinkName parses "projects/P/sinks/S".
func parseSinkName(name string) (project, id string, err error) {
	parent, id, ok := strings.Cut(name, "/sinks/")
	if !ok || id == "" || strings.Contains(id, "/") {
		return "", "", status.Errorf(codes.InvalidArgument, "sink_name %q is not of the form projects/{project}/sinks/{sink}", name)
	}
	project, err = projectOf(parent)
	return project, id, err
}

// checkSink refuses a sink Cloud Logging would: no destination, or a filter
// the fake cannot read.
func checkSink(s *loggingpb.LogSink) error {
	if s.GetDestination() == "" {
		return status.Error(codes.InvalidArgument, "sink.destination is required")
	}
	if _, err := parseFilter(s.GetFilter()); err != nil {
		return status.Errorf(codes.InvalidArgument, "sink.filter: %v", err)
	}
	return nil
}

// writerIdentity is who writes a project's sink: with a unique identity the
// project's Logging service agent, else the shared legacy one.
func writerIdentity(project string, unique bool) string {
	if unique {
		return "serviceAccount:service-" + ProjectNumber(project) + "@gcp-sa-logging.iam.gserviceaccount.com"
	}
	return "serviceAccount:cloud-logs@system.gserviceaccount.com"
}

// CreateSink creates a project sink; one of that name already there is
// AlreadyExists.
func (s *configServer) CreateSink(_ context.Context, req *loggingpb.CreateSinkRequest) (*loggingpb.LogSink, error) {
	if err := s.called("CreateSink"); err != nil {
		return nil, err
	}
	project, err := projectOf(req.GetParent())
	if err != nil {
		return nil, err
	}
	sink := proto.CloneOf(req.GetSink())
	if sink.GetName() == "" || strings.Contains(sink.GetName(), "/") {
		return nil, status.Errorf(codes.InvalidArgument, "sink.name %q must be a sink ID", sink.GetName())
	}
	if err := checkSink(sink); err != nil {
		return nil, err
	}
	name := "projects/" + project + "/sinks/" + sink.GetName()
	c := s.cloud
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.sinks[name]; ok {
		return nil, status.Errorf(codes.AlreadyExists, "Sink %s already exists", sink.GetName())
	}
	sink.WriterIdentity = writerIdentity(project, req.GetUniqueWriterIdentity())
	sink.CreateTime, sink.UpdateTime = timestamppb.Now(), timestamppb.Now()
	c.sinks[name] = sink
	return proto.CloneOf(sink), nil
}

// GetSink returns a sink, or NotFound.
func (s *configServer) GetSink(_ context.Context, req *loggingpb.GetSinkRequest) (*loggingpb.LogSink, error) {
	if err := s.called("GetSink"); err != nil {
		return nil, err
	}
	if _, _, err := parseSinkName(req.GetSinkName()); err != nil {
		return nil, err
	}
	c := s.cloud
	c.mu.Lock()
	defer c.mu.Unlock()
	sink, ok := c.sinks[req.GetSinkName()]
	if !ok {
		return nil, status.Errorf(codes.NotFound, "Sink %s does not exist", req.GetSinkName())
	}
	return proto.CloneOf(sink), nil
}

// UpdateSink changes the fields of a sink that update_mask names
// (destination, filter, description, disabled; none: destination and
// filter, as Cloud Logging does for old clients).
func (s *configServer) UpdateSink(_ context.Context, req *loggingpb.UpdateSinkRequest) (*loggingpb.LogSink, error) {
	if err := s.called("UpdateSink"); err != nil {
		return nil, err
	}
	project, _, err := parseSinkName(req.GetSinkName())
	if err != nil {
		return nil, err
	}
	c := s.cloud
	c.mu.Lock()
	defer c.mu.Unlock()
	cur, ok := c.sinks[req.GetSinkName()]
	if !ok {
		return nil, status.Errorf(codes.NotFound, "Sink %s does not exist", req.GetSinkName())
	}
	next := proto.CloneOf(cur)
	paths := req.GetUpdateMask().GetPaths()
	if len(paths) == 0 {
		paths = []string{"destination", "filter"}
	}
	in := req.GetSink()
	for _, p := range paths {
		switch p {
		case "destination":
			next.Destination = in.GetDestination()
		case "filter":
			next.Filter = in.GetFilter()
		case "description":
			next.Description = in.GetDescription()
		case "disabled":
			next.Disabled = in.GetDisabled()
		default:
			return nil, status.Errorf(codes.InvalidArgument, "update_mask path %q is not supported by the fake", p)
		}
	}
	if err := checkSink(next); err != nil {
		return nil, err
	}
	if req.GetUniqueWriterIdentity() {
		next.WriterIdentity = writerIdentity(project, true)
	}
	next.UpdateTime = timestamppb.Now()
	c.sinks[req.GetSinkName()] = next
	return proto.CloneOf(next), nil
}

// ListSinks lists a project's sinks, in one page.
func (s *configServer) ListSinks(_ context.Context, req *loggingpb.ListSinksRequest) (*loggingpb.ListSinksResponse, error) {
	if err := s.called("ListSinks"); err != nil {
		return nil, err
	}
	project, err := projectOf(req.GetParent())
	if err != nil {
		return nil, err
	}
	c := s.cloud
	c.mu.Lock()
	defer c.mu.Unlock()
	return &loggingpb.ListSinksResponse{Sinks: c.sinksOf(project)}, nil
}

// DeleteSink deletes a sink, or says NotFound.
func (s *configServer) DeleteSink(_ context.Context, req *loggingpb.DeleteSinkRequest) (*emptypb.Empty, error) {
	if err := s.called("DeleteSink"); err != nil {
		return nil, err
	}
	if _, _, err := parseSinkName(req.GetSinkName()); err != nil {
		return nil, err
	}
	c := s.cloud
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.sinks[req.GetSinkName()]; !ok {
		return nil, status.Errorf(codes.NotFound, "Sink %s does not exist", req.GetSinkName())
	}
	delete(c.sinks, req.GetSinkName())
	return &emptypb.Empty{}, nil
}

// String names a sink message for a test's failure.
func (m SinkMessage) String() string {
	return fmt.Sprintf("%s → %s (%d bytes, err %v)", m.Sink, m.Topic, len(m.Data), m.Err)
}
