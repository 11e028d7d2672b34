// Package fakepubsub is Google's in-process Pub/Sub fake (pstest, from
// cloud.google.com/go/pubsub/v2) with the IAM policy calls on topics that
// pstest lacks (google.iam.v1.IAMPolicy, on the same gRPC server), so that
// runwatch team setup's grant can be tested with the real client.
//
// Point the real client at it with PUBSUB_EMULATOR_HOST=Addr(), as at any
// emulator. Publish is what fakecloud's sinks publish through
// (fakecloud.Cloud.SetSinkPublisher).
package fakepubsub

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"cloud.google.com/go/iam/apiv1/iampb"
	"cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"cloud.google.com/go/pubsub/v2/pstest"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// Server is a running fake Pub/Sub with topic IAM policies.
type Server struct {
	ps  *pstest.Server
	iam *iamServer
}

// Start starts the fake on 127.0.0.1; opts are pstest's (error injection).
func Start(opts ...pstest.ServerReactorOption) *Server {
	iam := &iamServer{policies: map[string]*iampb.Policy{}}
	ps := pstest.NewServerWithCallback(0, func(s *grpc.Server) { iampb.RegisterIAMPolicyServer(s, iam) }, opts...)
	iam.ps = ps
	return &Server{ps: ps, iam: iam}
}

// Addr is the host:port to give as PUBSUB_EMULATOR_HOST.
func (s *Server) Addr() string { return s.ps.Addr }

// Close stops the server.
func (s *Server) Close() error { return s.ps.Close() }

// Publish publishes one message with data to topic (its full name), as a
// Logging sink does; a topic that does not exist is a NotFound.
func (s *Server) Publish(ctx context.Context, topic string, data []byte) error {
	_, err := s.ps.GServer.Publish(ctx, &pubsubpb.PublishRequest{Topic: topic, Messages: []*pubsubpb.PubsubMessage{{Data: data}}})
	if err != nil {
		return fmt.Errorf("publish to %s: %w", topic, err)
	}
	return nil
}

// Messages returns every message published so far, to any topic.
func (s *Server) Messages() []*pstest.Message { return s.ps.Messages() }

// Policy returns a copy of the IAM policy of resource (a topic's full
// name); nil when none was set.
func (s *Server) Policy(resource string) *iampb.Policy {
	s.iam.mu.Lock()
	defer s.iam.mu.Unlock()
	if p := s.iam.policies[resource]; p != nil {
		return proto.CloneOf(p)
	}
	return nil
}

// SetIamPolicyCount returns how many SetIamPolicy calls succeeded.
func (s *Server) SetIamPolicyCount() int {
	s.iam.mu.Lock()
	defer s.iam.mu.Unlock()
	return s.iam.sets
}

// SetIAMError makes every IAM call fail with err (a status.Error such as
// codes.PermissionDenied). Nil clears it.
func (s *Server) SetIAMError(err error) {
	s.iam.mu.Lock()
	defer s.iam.mu.Unlock()
	s.iam.err = err
}

// iamServer keeps the IAM policies of the fake's topics, as Pub/Sub does:
// a policy with an etag, a Set with a stale etag refused.
type iamServer struct {
	iampb.UnimplementedIAMPolicyServer
	ps *pstest.Server

	mu       sync.Mutex
	policies map[string]*iampb.Policy
	sets     int
	err      error
}

// check refuses a call to an injected error or about a topic the fake does
// not have.
func (s *iamServer) check(ctx context.Context, resource string) error {
	s.mu.Lock()
	err := s.err
	s.mu.Unlock()
	if err != nil {
		return err
	}
	if !strings.Contains(resource, "/topics/") {
		return status.Errorf(codes.InvalidArgument, "the fake keeps IAM policies of topics only, not of %q", resource)
	}
	if _, err := s.ps.GServer.GetTopic(ctx, &pubsubpb.GetTopicRequest{Topic: resource}); err != nil {
		return err
	}
	return nil
}

// GetIamPolicy returns the topic's policy, empty (with an etag) when none
// was set.
func (s *iamServer) GetIamPolicy(ctx context.Context, req *iampb.GetIamPolicyRequest) (*iampb.Policy, error) {
	if err := s.check(ctx, req.GetResource()); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.policies[req.GetResource()]
	if p == nil {
		return &iampb.Policy{Etag: []byte("ACAB")}, nil
	}
	return proto.CloneOf(p), nil
}

// SetIamPolicy replaces the topic's policy when the etag given is the
// current one (or none is given), and returns it with a new etag.
func (s *iamServer) SetIamPolicy(ctx context.Context, req *iampb.SetIamPolicyRequest) (*iampb.Policy, error) {
	if err := s.check(ctx, req.GetResource()); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := s.policies[req.GetResource()]
	curTag := []byte("ACAB")
	if cur != nil {
		curTag = cur.GetEtag()
	}
	if tag := req.GetPolicy().GetEtag(); len(tag) > 0 && !slices.Equal(tag, curTag) {
		return nil, status.Errorf(codes.Aborted, "the policy of %s changed since it was read (etag %q, now %q)", req.GetResource(), tag, curTag)
	}
	p := proto.CloneOf(req.GetPolicy())
	s.sets++
	p.Etag = []byte("v" + strconv.Itoa(s.sets))
	s.policies[req.GetResource()] = p
	return proto.CloneOf(p), nil
}

// TestIamPermissions grants whatever is asked, as to an owner.
func (s *iamServer) TestIamPermissions(ctx context.Context, req *iampb.TestIamPermissionsRequest) (*iampb.TestIamPermissionsResponse, error) {
	if err := s.check(ctx, req.GetResource()); err != nil {
		return nil, err
	}
	return &iampb.TestIamPermissionsResponse{Permissions: slices.Clone(req.GetPermissions())}, nil
}
