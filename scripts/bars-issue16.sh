#!/usr/bin/env bash
# Prints the figures of issue 16's bars against scripts/fakecloud's "jobs"
# scenario (three jobs over the 18 default regions): status --json
# --all-jobs, status --waybar --all-jobs, rerun and cancel, each with the
# requests the fake answered. Usage: scripts/bars-issue16.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
go build -o "$bin/runwatch" .
go build -o "$bin/fakecloud" scripts/fakecloud/main.go
export XDG_CONFIG_HOME="$bin/config" XDG_RUNTIME_DIR="$bin/run"
mkdir -p "$XDG_CONFIG_HOME" "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"

bar() { # bar NAME COMMAND...: runs the commands against a fresh fake
	local name=$1; shift
	"$bin/fakecloud" -scenario jobs -project p1 >"$bin/addr" 2>"$bin/requests" &
	local fake=$!
	for _ in $(seq 50); do [ -s "$bin/addr" ] && break; sleep 0.1; done
	local ep=(--project p1 --run-endpoint "$(head -1 "$bin/addr")" --logging-endpoint "$(head -1 "$bin/addr")")
	echo "== $name"
	"$@" "${ep[@]}" || true
	kill -TERM "$fake"; wait "$fake" 2>/dev/null || true
	cat "$bin/requests"
}
alljobs() {
	local code=0
	"$bin/runwatch" status --json --all-jobs "$@" >"$bin/out.json" || code=$?
	echo "exit $code"
	python3 -c 'import json,sys
for j in json.load(open(sys.argv[1]))["jobs"]:
    print("job", j["project"], j["job"], j["state"], repr(j["last"]["error"]))' "$bin/out.json"
}
waybar() { local code=0; "$bin/runwatch" status --waybar --all-jobs "$@" || code=$?; echo "exit $code"; }
actions() {
	local code=0
	"$bin/runwatch" rerun projects/p1/locations/europe-west1/jobs/etl-daily/executions/etl-daily-d3e4f "$@" || code=$?; echo "exit $code"; code=0
	"$bin/runwatch" cancel us-central1/vertex-ai-launcher-j7k8l "$@" || code=$?; echo "exit $code"; code=0
	"$bin/runwatch" cancel us-west3/nightly-train-a1b2c "$@" || code=$?; echo "exit $code"
}
bar all-jobs alljobs
bar status-bar-worst-job waybar
bar rerun-and-cancel actions
