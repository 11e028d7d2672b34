#!/usr/bin/env bash
# Prints the figures of issue 17's bars with separate processes, as a
# person would run them: scripts/fakecloud serves Cloud Run, Cloud Logging
# (with sinks) and Pub/Sub (PUBSUB_EMULATOR_HOST); `team setup` twice; a
# relay; three people's `status --waybar --follow --team` (each its own
# config and runtime dirs, polling every 10 minutes); one failure 20 s in;
# then what each printed, how long after the failure, and the requests the
# fake answered (ListLogEntries: Cloud Logging in all). Usage:
# scripts/bars-issue17.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$bin"' EXIT
go build -o "$bin/runwatch" .
go build -o "$bin/fakecloud" scripts/fakecloud/main.go
"$bin/fakecloud" -scenario jobs -project p1 -pubsub -fail-after 20s >"$bin/addr" 2>"$bin/fake.err" &
fake=$!
for _ in $(seq 100); do [ "$(wc -l <"$bin/addr")" -ge 2 ] && break; sleep 0.1; done
addr=$(sed -n 1p "$bin/addr")
export PUBSUB_EMULATOR_HOST=$(sed -n 2p "$bin/addr")
ep=(--project p1 --run-endpoint "$addr" --logging-endpoint "$addr")
home() { mkdir -p "$bin/$1/config" "$bin/$1/run" && chmod 700 "$bin/$1/run"; }

echo "== team-setup"
home setup
for run in 1 2; do
	code=0
	XDG_CONFIG_HOME=$bin/setup/config XDG_RUNTIME_DIR=$bin/setup/run "$bin/runwatch" team setup "${ep[@]}" || code=$?
	echo "run $run: exit $code"
done

echo "== relay and three apps"
home relay
XDG_CONFIG_HOME=$bin/relay/config XDG_RUNTIME_DIR=$bin/relay/run "$bin/runwatch" relay "${ep[@]}" --regions us-west3,us-east1 2>"$bin/relay.err" &
pids+=($!)
for who in alice bob carol; do
	home "$who"
	XDG_CONFIG_HOME=$bin/$who/config XDG_RUNTIME_DIR=$bin/$who/run "$bin/runwatch" status --waybar --follow --team \
		--interval 10m --regions us-west3,us-east1 "${ep[@]}" 2>"$bin/$who.err" |
		while IFS= read -r line; do echo "$(date +%s.%N) $line"; done >"$bin/$who.out" &
	pids+=($!)
done
sleep 30
kill "${pids[@]}" 2>/dev/null || true
sleep 1
kill -TERM "$fake"; wait "$fake" 2>/dev/null || true
failed_at=$(grep -o 'failed [^ ]* at .*' "$bin/fake.err" | head -1)
echo "fake: $failed_at"
for who in alice bob carol; do
	line=$(grep -m1 'CUDA error' "$bin/$who.out" || true)
	if [ -z "$line" ]; then echo "$who: no line with the error"; continue; fi
	printf '%s: %s\n' "$who" "$(echo "${line#* }" | python3 -c 'import json,sys; d=json.loads(sys.stdin.read()); print(d["text"], "|", d["class"], "|", [l for l in d["tooltip"].split("\n") if "CUDA" in l][0].strip())')"
	echo "$who: printed at $(date -d @"${line%% *}" +%T.%N | cut -c1-12)"
done
echo "relay: $(grep -c published "$bin/relay.err" || true) error(s) published"
grep '^requests' "$bin/fake.err"
