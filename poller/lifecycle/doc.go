// Package lifecycle is the one place that decides what a change in a Cloud
// Run job's executions means: a new failure, the same error again, a new kind
// of error, fixed, cancelled. It decides from what is remembered (the
// terminal executions of each watched project, job and region), never from
// two listings.
//
// Who talks to whom:
//
//   - The poller (runwatch/poller) calls it: it feeds Observe the sightings
//     of each region that answered, SetError the errors it read, asks
//     Classify what a refresh has to say, and loads, merges and saves the
//     Memory as one JSON document.
//   - It imports nothing of Google's clients or of Fyne: only the standard
//     library. Cloud Run's answers reach it as Sightings and ErrorInfo.
//   - The UI and its notifications (runwatch/ui) only word what it decided:
//     the Changes of an Announcement and the masked error line; they decide
//     nothing.
//
// Its files go by concern: memory.go (what is remembered), observe.go
// (taking what the regions list), classify.go (what it means), actions.go
// (a person's acknowledgements and snoozes), merge.go (joining the copies
// of two processes), prune.go (forgetting, and the memory's bounds) and
// fingerprint.go (telling kinds of error apart).
package lifecycle
