#!/usr/bin/env bash
# idle-usage.sh — runwatch's idle budget, measured against an empty Fyne tray app.
#
# The bar (issue 9): idle in the tray (a tray host present, polling every
# 30 s, its window opened once and closed), all of runwatch's processes
# together use at most a tenth of the CPU of an empty Fyne tray app measured
# the same way in the same run, and at most 40 MB RSS, under Xvfb's software GL.
#
# It builds runwatch, scripts/emptytray, scripts/trayhost, scripts/fakecloud
# and scripts/closewindow, then, under Xvfb and a private D-Bus session with
# the tray host running, runs both apps at once (runwatch in a process group
# of its own, so its window process is counted with it). After
# WARMUP_SECONDS a second `runwatch` asks the running one to show its window
# (the time to a mapped window is printed), the window is closed as a window
# manager would, and once the window process is gone IDLE_SECONDS are
# measured. CPU is utime+stime from /proc/PID/stat over the measured
# interval, summed over the processes; RSS is VmRSS summed over them,
# sampled every second (peak and last), and VmHWM (lifetime peak) summed.
#
#   scripts/idle-usage.sh                       # IDLE_SECONDS=60 WARMUP_SECONDS=20
#   IDLE_SECONDS=300 scripts/idle-usage.sh
#
# Exit status: 0 PASS, 1 FAIL, 2 could not measure.
set -euo pipefail

IDLE_SECONDS=${IDLE_SECONDS:-60}
WARMUP_SECONDS=${WARMUP_SECONDS:-20}
CPU_TOLERANCE=${CPU_TOLERANCE:-0.1} # runwatch CPU ≤ empty tray CPU × this
RSS_LIMIT_MB=${RSS_LIMIT_MB:-40}

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
		go build -o "$bin/closewindow" ./scripts/closewindow/main.go
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
	stat=$(<"/proc/$1/stat") || { echo 0; return; }
	stat=${stat##*) }
	read -r -a f <<<"$stat"
	echo $((f[11] + f[12])) # utime and stime: fields 14 and 15 of stat
}

# status_kb PID FIELD: a "kB" field of /proc/PID/status.
status_kb() {
	awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0
}

# group_pids PGID: the live processes of a process group.
group_pids() {
	local stat f pid
	for stat in /proc/[0-9]*/stat; do
		pid=${stat#/proc/}
		pid=${pid%/stat}
		f=$(<"$stat") 2>/dev/null || continue
		f=${f##*) }
		read -r -a f <<<"$f"
		[[ ${f[0]} != Z && ${f[2]} == "$1" ]] && echo "$pid"
	done
}

# The sums over an app's processes: runwatch is a process group (the tray
# process and, while a window is open, the window process); emptytray is one.
sum_ticks() { local t=0 p; for p in $(group_pids "$1"); do t=$((t + $(cpu_ticks "$p"))); done; echo $t; }
sum_kb() { local t=0 p k; for p in $(group_pids "$1"); do k=$(status_kb "$p" "$2"); t=$((t + ${k:-0})); done; echo $t; }

# windows_of PGID: the visible X windows of a process group's processes.
windows_of() {
	local p
	for p in $(group_pids "$1"); do xdotool search --all --onlyvisible --pid "$p" 2>/dev/null || true; done
}

declare -A pid_of

# start_app NAME COMMAND...: starts an app with a configuration of its own,
# in a process group of its own (its pid leads it).
start_app() {
	local name=$1
	shift
	local config="$work/$name-config"
	mkdir -p "$config"
	XDG_CONFIG_HOME=$config XDG_CACHE_HOME=$config/cache LANG=C.UTF-8 \
		setsid "$@" >"$work/$name.log" 2>&1 &
	pid_of[$name]=$!
	pids+=($!)
}

# check_idle NAME: the app runs, has its tray item on the bus, shows no
# window, and (runwatch) is the tray process alone.
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
	if [[ -n $(windows_of "$pid") ]]; then
		echo "idle-usage: $name shows a window; the measurement is of an idle tray app" >&2
		exit 2
	fi
	if [[ $(group_pids "$pid") != "$pid" ]]; then
		echo "idle-usage: $name runs more than its tray process: $(group_pids "$pid" | tr '\n' ' ')" >&2
		exit 2
	fi
}

# Both apps run at once, so they are measured over the same interval under
# the same machine load.
apps=(emptytray runwatch)
start_app emptytray "$bin/emptytray"
runwatch_args=(--project runwatch-demo --interval 30s --run-endpoint "$addr" --logging-endpoint "$addr")
start_app runwatch "$bin/runwatch" "${runwatch_args[@]}"
echo "emptytray pid ${pid_of[emptytray]}, runwatch pid ${pid_of[runwatch]}: warming up ${WARMUP_SECONDS}s …" >&2
sleep "$WARMUP_SECONDS"

# The window, opened once (as a second start does) and closed.
rw=${pid_of[runwatch]}
opened=$(date +%s.%N)
XDG_CONFIG_HOME=$work/runwatch-config LANG=C.UTF-8 "$bin/runwatch" "${runwatch_args[@]}" >>"$work/runwatch.log" 2>&1
window=
for ((i = 0; i < 200; i++)); do
	window=$(windows_of "$rw" | head -n1)
	[[ -n $window ]] && break
	sleep 0.05
done
[[ -n $window ]] || { echo "idle-usage: the runwatch window did not appear:" >&2; cat "$work/runwatch.log" >&2; exit 2; }
window_ms=$(awk -v s="$opened" -v e="$(date +%s.%N)" 'BEGIN { printf "%d", 1000 * (e - s) }')
echo "runwatch window mapped ${window_ms} ms after the second start; closing it …" >&2
sleep 2
"$bin/closewindow" "$window"
for ((i = 0; i < 100; i++)); do
	[[ $(group_pids "$rw") == "$rw" ]] && break
	sleep 0.1
done
sleep 2
for a in "${apps[@]}"; do check_idle "$a"; done

echo "measuring ${IDLE_SECONDS}s …" >&2
declare -A c0 ticks last peak hwm cpu
for a in "${apps[@]}"; do
	c0[$a]=$(sum_ticks "${pid_of[$a]}")
	peak[$a]=0
done
start=$(date +%s.%N)
for ((i = 0; i < IDLE_SECONDS; i++)); do
	sleep 1
	for a in "${apps[@]}"; do
		last[$a]=$(sum_kb "${pid_of[$a]}" VmRSS)
		if ((last[$a] > peak[$a])); then peak[$a]=${last[$a]}; fi
	done
done
for a in "${apps[@]}"; do
	ticks[$a]=$(($(sum_ticks "${pid_of[$a]}") - c0[$a]))
	hwm[$a]=$(sum_kb "${pid_of[$a]}" VmHWM)
done
check_idle runwatch # still the tray process alone
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
echo "idle ${IDLE_SECONDS}s after ${WARMUP_SECONDS}s warm-up and the window opened once and closed; tray host present; CLK_TCK=$clk_tck"
echo "runwatch: all its processes (the tray process alone once the window closed); window mapped ${window_ms} ms after asking"
printf '%-10s %8s %7s %12s %12s %12s\n' app "CPU %" ticks "RSS last MB" "RSS peak MB" "VmHWM MB"
for a in "${apps[@]}"; do
	printf '%-10s %8s %7s %12s %12s %12s\n' "$a" "${cpu[$a]}" "${ticks[$a]}" \
		"$(mb "${last[$a]}")" "$(mb "${peak[$a]}")" "$(mb "${hwm[$a]}")"
done

verdict=PASS
# CPU: runwatch ≤ empty × the bar. With the empty app at zero ticks the
# ratio is undefined; then runwatch must be at zero ticks too.
cpu_ok=$(awk -v r="$r_cpu" -v e="$e_cpu" -v tol="$CPU_TOLERANCE" 'BEGIN { print (r <= e * tol + 1e-9) ? 1 : 0 }')
ratio=$(awk -v r="$r_cpu" -v e="$e_cpu" 'BEGIN { if (e > 0) printf "%.3f", r / e; else print "n/a" }')
if [[ $cpu_ok == 1 ]]; then
	echo "CPU:  runwatch/emptytray = $ratio (bar ≤ $CPU_TOLERANCE)  PASS"
else
	echo "CPU:  runwatch/emptytray = $ratio (bar ≤ $CPU_TOLERANCE)  FAIL"
	verdict=FAIL
fi
if ((r_peak <= RSS_LIMIT_MB * 1024)); then
	echo "RSS:  runwatch peak while idle $(mb "$r_peak") MB, emptytray $(mb "${peak[emptytray]}") MB (bar ≤ $RSS_LIMIT_MB MB)  PASS"
else
	echo "RSS:  runwatch peak while idle $(mb "$r_peak") MB, emptytray $(mb "${peak[emptytray]}") MB (bar ≤ $RSS_LIMIT_MB MB)  FAIL"
	verdict=FAIL
fi
echo "$verdict"
[[ $verdict == PASS ]]
