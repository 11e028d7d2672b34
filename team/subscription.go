package team

import (
	"context"
	"crypto/rand"
	"fmt"
	"sync"
	"time"

	"cloud.google.com/go/pubsub/v2"
	"cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"
)

const (
	// SubscriptionExpiry is how long a subscription nobody reads lives:
	// Pub/Sub deletes an abandoned installation's after that long.
	SubscriptionExpiry = 7 * 24 * time.Hour
	// SubscriptionRetention is how long a subscription keeps a message
	// nobody acknowledged; what an installation missed for longer, its
	// reconcile poll finds.
	SubscriptionRetention = 24 * time.Hour
	// ackDeadline is how long Pub/Sub waits for an acknowledgement before it
	// delivers a message again (the client extends it while handle runs).
	ackDeadline = 60 * time.Second
)

// NewInstallationID returns a new random ID for one installation's
// subscription: ten lowercase letters and digits. The caller keeps it in
// its storage, so that each person (each account on a machine) has a
// subscription of their own and never splits the messages with another.
func NewInstallationID() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 10)
	rand.Read(b) // never fails (crypto/rand)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// SubscriptionID returns the subscription ID of an installation.
func SubscriptionID(installation string) string { return SubscriptionPrefix + installation }

// EnsureSubscription makes the installation's subscription to the
// executions topic unless it exists (expiring after SubscriptionExpiry
// unused, keeping messages SubscriptionRetention) and returns its full
// name.
func EnsureSubscription(ctx context.Context, client *pubsub.Client, project, installation string) (string, error) {
	return ensureSubscription(ctx, client, project, SubscriptionID(installation), ExecutionsTopic, false)
}

// EnsureNamedSubscription makes subscription id (not an installation's:
// a relay's, named by whoever runs it) to the executions topic unless it
// exists, as EnsureSubscription does, and returns its full name.
func EnsureNamedSubscription(ctx context.Context, client *pubsub.Client, project, id string) (string, error) {
	return ensureSubscription(ctx, client, project, id, ExecutionsTopic, false)
}

// ensureSubscription makes subscription id to topic in project unless it
// exists, expiring after SubscriptionExpiry unused and keeping messages
// SubscriptionRetention, with message ordering when ordered; it returns
// the subscription's full name.
func ensureSubscription(ctx context.Context, client *pubsub.Client, project, id, topic string, ordered bool) (string, error) {
	name := SubscriptionName(project, id)
	callCtx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	_, err := client.SubscriptionAdminClient.GetSubscription(callCtx, &pubsubpb.GetSubscriptionRequest{Subscription: name})
	if err == nil {
		return name, nil
	}
	if status.Code(err) != codes.NotFound {
		return "", refused(err, "read subscription "+name, topicsRole)
	}
	callCtx, cancel = context.WithTimeout(ctx, callTimeout)
	defer cancel()
	_, err = client.SubscriptionAdminClient.CreateSubscription(callCtx, &pubsubpb.Subscription{
		Name:                     name,
		Topic:                    TopicName(project, topic),
		AckDeadlineSeconds:       int32(ackDeadline / time.Second),
		MessageRetentionDuration: durationpb.New(SubscriptionRetention),
		ExpirationPolicy:         &pubsubpb.ExpirationPolicy{Ttl: durationpb.New(SubscriptionExpiry)},
		EnableMessageOrdering:    ordered,
		Labels:                   map[string]string{"app": "runwatch"},
	})
	switch {
	case err == nil, status.Code(err) == codes.AlreadyExists:
		return name, nil
	case status.Code(err) == codes.NotFound:
		return "", fmt.Errorf("create subscription %s: topic %s not found: run `runwatch team setup --project %s` first (%w)",
			name, TopicName(project, topic), project, err)
	}
	return "", refused(err, "create subscription "+name, topicsRole)
}

// Leave deletes the installation's subscriptions (to the executions topic
// and to the relay's errors); gone reports whether there was one.
func Leave(ctx context.Context, client *pubsub.Client, project, installation string) (gone bool, err error) {
	// The executions subscription, then the one to the relay's errors.
	for _, id := range []string{SubscriptionID(installation), ErrorsSubscriptionID(installation)} {
		name := SubscriptionName(project, id)
		callCtx, cancel := context.WithTimeout(ctx, callTimeout)
		err = client.SubscriptionAdminClient.DeleteSubscription(callCtx, &pubsubpb.DeleteSubscriptionRequest{Subscription: name})
		cancel()
		switch {
		case err == nil:
			gone = true
		case status.Code(err) != codes.NotFound:
			return gone, refused(err, "delete subscription "+name, topicsRole)
		}
	}
	return gone, nil
}

// Subscribe reads subscription (its full name) with StreamingPull until ctx
// ends, handing each execution end to handle, one at a time, and
// acknowledging it once handle returned. A message that is not an
// execution end is acknowledged too — delivered again it would be no
// better — and handed to skipped (nil: dropped) with why. It returns nil
// when ctx ends, else why it stopped (the subscription gone: it expired, or
// was left).
func Subscribe(ctx context.Context, client *pubsub.Client, subscription string, handle func(Event), skipped func(error)) error {
	sub := client.Subscriber(subscription)
	sub.ReceiveSettings.MaxOutstandingMessages = 100
	var one sync.Mutex
	err := sub.Receive(ctx, func(_ context.Context, m *pubsub.Message) {
		ev, err := DecodeEvent(m.Data)
		one.Lock()
		if err != nil {
			if skipped != nil {
				skipped(fmt.Errorf("message %s: %w", m.ID, err))
			}
		} else {
			handle(ev)
		}
		one.Unlock()
		m.Ack()
	})
	if err != nil {
		return fmt.Errorf("read subscription %s: %w", subscription, err)
	}
	return nil
}
