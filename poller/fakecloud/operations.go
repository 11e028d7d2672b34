package fakecloud

import (
	"context"
	"time"

	"cloud.google.com/go/longrunning/autogen/longrunningpb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
)

// operationsServer implements the google.longrunning.Operations service the
// Run client polls (GetOperation) for RunJob's and CancelExecution's
// operations. An operation is done once its execution has finished, with
// the execution as its response; its metadata is the execution as it is.
type operationsServer struct {
	longrunningpb.UnimplementedOperationsServer
	cloud *Cloud
}

// waitPoll is how often WaitOperation looks at its execution again.
const waitPoll = 20 * time.Millisecond

// GetOperation returns the operation as it stands.
func (s *operationsServer) GetOperation(_ context.Context, req *longrunningpb.GetOperationRequest) (*longrunningpb.Operation, error) {
	c := s.cloud
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.operationState(req.GetName())
}

// WaitOperation returns the operation once it is done, or as it stands when
// the request's timeout (else the caller's context) ends first.
func (s *operationsServer) WaitOperation(ctx context.Context, req *longrunningpb.WaitOperationRequest) (*longrunningpb.Operation, error) {
	if d := req.GetTimeout(); d != nil {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, d.AsDuration())
		defer cancel()
	}
	tick := time.NewTicker(waitPoll)
	defer tick.Stop()
	for {
		op, err := s.GetOperation(ctx, &longrunningpb.GetOperationRequest{Name: req.GetName()})
		if err != nil || op.GetDone() {
			return op, err
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			return op, nil
		}
	}
}

// operationState returns the named operation: done with the execution as
// its response once the execution has finished (or as an error once it is
// gone). The caller holds c.mu.
func (c *Cloud) operationState(name string) (*longrunningpb.Operation, error) {
	execution, ok := c.operations[name]
	if !ok {
		return nil, status.Errorf(codes.NotFound, "Operation '%s' does not exist.", name)
	}
	op := &longrunningpb.Operation{Name: name}
	e, ok := c.executions[execution]
	if !ok {
		op.Done = true
		op.Result = &longrunningpb.Operation_Error{Error: status.Newf(codes.NotFound, "execution %s was deleted", execution).Proto()}
		return op, nil
	}
	meta, err := anypb.New(proto.CloneOf(e))
	if err != nil {
		return nil, status.Errorf(codes.Internal, "operation %s: %v", name, err)
	}
	op.Metadata = meta
	if e.GetCompletionTime() != nil {
		op.Done = true
		op.Result = &longrunningpb.Operation_Response{Response: meta}
	}
	return op, nil
}
