#!/usr/bin/env bash
# idle-usage.sh — runwatch's idle budget, measured against an empty Fyne tray app.
#
# The bar: idle in the tray (a tray host present, window hidden, polling every
# 30 s), runwatch uses no more CPU than an empty Fyne tray app measured the
# same way in the same run, within 15 %, and at most 150 MB RSS, under Xvfb's
# software GL.
#
# It builds runwatch, scripts/emptytray, scripts/trayhost and
# scripts/fakecloud, then, under Xvfb and a private D-Bus session with the
# tray host running, runs both apps at once: WARMUP_SECONDS of warm-up, then
# IDLE_SECONDS measured. CPU is utime+stime from /proc/PID/stat over the
# measured interval; RSS is VmRSS sampled every second (peak and last) and
# VmHWM (lifetime peak) from /proc/PID/status.
#
#   scripts/idle-usage.sh                       # IDLE_SECONDS=60 WARMUP_SECONDS=20
#   IDLE_SECONDS=300 scripts/idle-usage.sh
#
# Exit status: 0 PASS, 1 FAIL, 2 could not measure.
set -euo pipefail

IDLE_SECONDS=${IDLE_SECONDS:-60}
WARMUP_SECONDS=${WARMUP_SECONDS:-20}
CPU_TOLERANCE=${CPU_TOLERANCE:-1.15} # runwatch CPU ≤ empty tray CPU × this
RSS_LIMIT_MB=${RSS_LIMIT_MB:-150}

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

if [[ "${IDLE_USAGE_INNER:-}" != 1 ]]; then
	for tool in go xvfb-run dbus-run-session dbus-send xdotool; do
		command -v "$tool" >/dev/null || { echo "idle-usage: $tool is needed (make deps installs it)" >&2; exit 2; }
	done
	bin=$(mktemp -d)
	trap 'rm -rf "$bin"' EXIT
	echo "building into $bin …"
	(
		cd "$root"
		go build -o "$bin/runwatch" .
		go build -o "$bin/emptytray" ./scripts/emptytray/main.go
		go build -o "$bin/trayhost" ./scripts/trayhost/main.go
		go build -o "$bin/fakecloud" ./scripts/fakecloud/main.go
	)
	status=0
	IDLE_USAGE_INNER=1 IDLE_USAGE_BIN=$bin xvfb-run -a -s "-screen 0 1280x800x24" \
		dbus-run-session -- bash "${BASH_SOURCE[0]}" || status=$?
	exit "$status"
fi

# --- inside Xvfb and the private D-Bus session ---------------------------------

bin=$IDLE_USAGE_BIN
work=$(mktemp -d)
pids=()
cleanup() {
	for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

# wait_for_line FILE SECONDS: the first line of FILE once it has one.
wait_for_line() {
	local file=$1 deadline=$((SECONDS + $2))
	while ((SECONDS < deadline)); do
		if [[ -s "$file" ]] && IFS= read -r line <"$file" && [[ -n "$line" ]]; then
			echo "$line"
			return 0
		fi
		sleep 0.1
	done
	return 1
}

"$bin/trayhost" >"$work/trayhost.out" 2>"$work/trayhost.err" &
pids+=($!)
[[ $(wait_for_line "$work/trayhost.out" 10) == ready ]] || {
	echo "idle-usage: the tray host did not start:" >&2
	cat "$work/trayhost.err" >&2
	exit 2
}

"$bin/fakecloud" >"$work/fakecloud.out" 2>"$work/fakecloud.err" &
pids+=($!)
addr=$(wait_for_line "$work/fakecloud.out" 10) || {
	echo "idle-usage: the fake cloud did not start:" >&2
	cat "$work/fakecloud.err" >&2
	exit 2
}

clk_tck=$(getconf CLK_TCK)

# cpu_ticks PID: utime+stime of the process, in clock ticks. Fields are
# counted after the ")" that ends the command name, which may hold spaces.
cpu_ticks() {
	local stat
	stat=$(<"/proc/$1/stat")
	stat=${stat##*) }
	read -r -a f <<<"$stat"
	echo $((f[11] + f[12])) # utime and stime: fields 14 and 15 of stat
}

# status_kb PID FIELD: a "kB" field of /proc/PID/status.
status_kb() {
	awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"
}

declare -A pid_of

# start_app NAME COMMAND...: starts an app with a configuration of its own.
start_app() {
	local name=$1
	shift
	local config="$work/$name-config"
	mkdir -p "$config"
	XDG_CONFIG_HOME=$config XDG_CACHE_HOME=$config/cache LANG=C.UTF-8 \
		"$@" >"$work/$name.log" 2>&1 &
	pid_of[$name]=$!
	pids+=($!)
}

# check_idle NAME: the app runs, has its tray item on the bus, shows no window.
check_idle() {
	local name=$1 pid=${pid_of[$1]}
	if ! kill -0 "$pid" 2>/dev/null; then
		echo "idle-usage: $name exited during warm-up:" >&2
		cat "$work/$name.log" >&2
		exit 2
	fi
	if ! dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
		org.freedesktop.DBus.NameHasOwner "string:org.kde.StatusNotifierItem-$pid-1" | grep -q 'boolean true'; then
		echo "idle-usage: $name has no tray item on the bus" >&2
		exit 2
	fi
	if xdotool search --all --onlyvisible --pid "$pid" >/dev/null 2>&1; then
		echo "idle-usage: $name shows a window; the measurement is of an idle tray app" >&2
		exit 2
	fi
}

# Both apps run at once, so they are measured over the same interval under
# the same machine load.
apps=(emptytray runwatch)
start_app emptytray "$bin/emptytray"
start_app runwatch "$bin/runwatch" --project runwatch-demo --interval 30s \
	--run-endpoint "$addr" --logging-endpoint "$addr"
echo "emptytray pid ${pid_of[emptytray]}, runwatch pid ${pid_of[runwatch]}: warming up ${WARMUP_SECONDS}s …" >&2
sleep "$WARMUP_SECONDS"
for a in "${apps[@]}"; do check_idle "$a"; done

echo "measuring ${IDLE_SECONDS}s …" >&2
declare -A c0 ticks last peak hwm cpu
for a in "${apps[@]}"; do
	c0[$a]=$(cpu_ticks "${pid_of[$a]}")
	peak[$a]=0
done
start=$(date +%s.%N)
for ((i = 0; i < IDLE_SECONDS; i++)); do
	sleep 1
	for a in "${apps[@]}"; do
		last[$a]=$(status_kb "${pid_of[$a]}" VmRSS)
		if ((last[$a] > peak[$a])); then peak[$a]=${last[$a]}; fi
	done
done
for a in "${apps[@]}"; do
	ticks[$a]=$(($(cpu_ticks "${pid_of[$a]}") - c0[$a]))
	hwm[$a]=$(status_kb "${pid_of[$a]}" VmHWM)
done
end=$(date +%s.%N)
for a in "${apps[@]}"; do
	cpu[$a]=$(awk -v d="${ticks[$a]}" -v hz="$clk_tck" -v s="$start" -v e="$end" \
		'BEGIN { printf "%.3f", 100 * d / hz / (e - s) }')
done

e_cpu=${cpu[emptytray]}
r_cpu=${cpu[runwatch]}
r_peak=${peak[runwatch]}
mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

echo
echo "idle ${IDLE_SECONDS}s after ${WARMUP_SECONDS}s warm-up; tray host present, windows hidden; CLK_TCK=$clk_tck"
printf '%-10s %8s %7s %12s %12s %12s\n' app "CPU %" ticks "RSS last MB" "RSS peak MB" "VmHWM MB"
for a in "${apps[@]}"; do
	printf '%-10s %8s %7s %12s %12s %12s\n' "$a" "${cpu[$a]}" "${ticks[$a]}" \
		"$(mb "${last[$a]}")" "$(mb "${peak[$a]}")" "$(mb "${hwm[$a]}")"
done

verdict=PASS
# CPU: runwatch ≤ empty × tolerance. With the empty app at zero ticks the
# ratio is undefined; then runwatch must be at zero ticks too.
cpu_ok=$(awk -v r="$r_cpu" -v e="$e_cpu" -v tol="$CPU_TOLERANCE" 'BEGIN { print (r <= e * tol + 1e-9) ? 1 : 0 }')
ratio=$(awk -v r="$r_cpu" -v e="$e_cpu" 'BEGIN { if (e > 0) printf "%.2f", r / e; else print "n/a" }')
if [[ $cpu_ok == 1 ]]; then
	echo "CPU:  runwatch/emptytray = $ratio (bar ≤ $CPU_TOLERANCE)  PASS"
else
	echo "CPU:  runwatch/emptytray = $ratio (bar ≤ $CPU_TOLERANCE)  FAIL"
	verdict=FAIL
fi
if ((r_peak <= RSS_LIMIT_MB * 1024)); then
	echo "RSS:  runwatch peak while idle $(mb "$r_peak") MB (bar ≤ $RSS_LIMIT_MB MB)  PASS"
else
	echo "RSS:  runwatch peak while idle $(mb "$r_peak") MB (bar ≤ $RSS_LIMIT_MB MB)  FAIL"
	verdict=FAIL
fi
echo "$verdict"
[[ $verdict == PASS ]]
