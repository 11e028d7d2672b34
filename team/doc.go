// Package team is runwatch's team mode on Google Cloud Pub/Sub: Cloud
// Logging pushes the end of every Cloud Run job execution to a topic, and
// each installation reads it from a subscription of its own instead of
// every copy polling every region.
//
// Who talks to whom:
//
//   - Cloud Run writes a System Event audit entry (method /Jobs.RunJob)
//     when an execution ends; the Logging sink Setup makes routes those
//     entries, as LogEntry JSON, to the executions topic.
//   - Setup (runwatch team setup) makes the topics, the sink and the grant
//     that lets the sink's writer identity publish: Cloud Logging's
//     ConfigServiceV2 and Pub/Sub's admin API, nothing else.
//   - Each installation keeps an ID in its own storage (NewInstallationID),
//     makes its subscription with EnsureSubscription, reads it with
//     Subscribe, which hands each message to its caller as an Event
//     (DecodeEvent), and removes it with Leave (runwatch team leave).
//   - The relay (runwatch relay) reads each failure's logs once for the
//     team and publishes an ErrorReport on the errors topic (ordering key =
//     the execution), and a Heartbeat every minute (PublishError,
//     PublishHeartbeat); each app reads them from a subscription of its own
//     (EnsureErrorsSubscription, ReceiveErrors) and knows from the last
//     heartbeat whether a relay is alive (RelayAlive).
//   - The poller feeds an Event to the lifecycle as a Sighting, as it does a
//     listing's row; the lifecycle remembers executions, so an event that
//     comes twice or after the listing changes nothing.
//
// It imports no toolkit and needs no cgo, so the headless relay can use it.
// Its files go by concern: names.go (topics, sink, filter), clients.go
// (connecting), event.go (the message), setup.go (the one-time set-up),
// subscription.go (each installation's subscription and reading it),
// errors.go (the errors topic's messages),
// installation.go (its ID, kept in team.json in the app's storage).
package team
