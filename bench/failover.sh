#!/usr/bin/env bash
# Failover benchmark, against the real matchbox v0.9.0 (../shared/tools/matchbox), or with
# MATCHBOX=test the test suite's server: the time to boot, whole process as libxl runs it, when the first of two
# matchbox servers (--server [::1],127.0.0.1; they share their ports) is refused (nothing listens
# on ::1), hung (a listener on ::1 that accepts and never answers) or healthy (the one server
# alone); and the time to fail when both are down. Both lookup routes: gRPC (mutual TLS) and
# HTTP-only (/ipxe). Prints one table of medians with min–max over RUNS runs (default 5).
# The timeouts are CONNECT_TIMEOUT and READ_TIMEOUT (default 2 and 3 s, so the hung rows stay
# short); a hung server costs one try's bound: the TLS handshake within --connect-timeout over
# gRPC, the answer within --connect-timeout plus --read-timeout over HTTP, and never more than its
# share of the time left before --timeout.
# Then, with every timeout at its default (--connect-timeout 10, --read-timeout 30, --timeout 110),
# four hung servers (127.0.0.2 to 127.0.0.5) in front of a healthy fifth (127.0.0.1): the time to
# boot from the fifth, or how the run failed; LONG_RUNS runs (default 1: a run takes over a minute).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/matchbox.sh
runs=${RUNS:-5}
long_runs=${LONG_RUNS:-1}
connect=${CONNECT_TIMEOUT:-2}
read_timeout=${READ_TIMEOUT:-3}
[ "$runs" -ge 3 ] || { echo "RUNS must be at least 3" >&2; exit 2; }

work=$(mktemp -d -t xenmatchbox-failover.XXXXXX)
hung=
trap 'stop_matchbox; [ -n "$hung" ] && kill "$hung" 2>/dev/null; rm -rf "$work"' EXIT
build_programs >/dev/null

mkdir -p "$work"/data/groups "$work"/data/profiles "$work"/assets
head -c $((4 << 20)) /dev/urandom >"$work/assets/vmlinuz"
echo '{ "id": "f", "profile": "f" }' >"$work/data/groups/f.json"
echo '{ "id": "f", "boot": { "kernel": "/assets/vmlinuz", "args": ["console=hvc0"] } }' >"$work/data/profiles/f.json"
start_server "$work"
truncate -s 1M "$work/disk.img"

# args ROUTE SERVERS [HTTP-PORT GRPC-PORT]: bootloader_args for the route (grpc or http); with
# DEFAULT_TIMEOUTS set, without --connect-timeout and --read-timeout.
args() {
    local route=$1 servers=$2 http=${3:-$http_port} grpc=${4:-$grpc_port}
    printf '%s\n' --server "$servers" --httpport "$http" --lookup case=f --no-cache
    [ -n "${DEFAULT_TIMEOUTS:-}" ] || printf '%s\n' --connect-timeout "$connect" --read-timeout "$read_timeout"
    [ "$route" = http ] || printf '%s\n' --grpcport "$grpc" \
        --ca "$trusted/tls/ca.crt" --cert "$trusted/tls/client.crt" --key "$trusted/tls/client.key"
}

# timed NAME EXPECT ARGS...: appends the wall milliseconds of one boot to $work/NAME; the boot
# must exit EXPECT (0, or 3 for all down).
domid=0
timed() {
    local name=$1 expect=$2 start end status
    shift 2
    domid=$((domid + 1))
    libxl_prepare "$work/xen" "$domid"
    start=$EPOCHREALTIME
    status=0
    "$xenmatchbox" --quiet --output="$work/xen/bootloader.$domid.out" --output-format=simple0 \
        --output-directory="$work/xen/bootloader.$domid.d" "$@" "$work/disk.img" >/dev/null 2>"$work/stderr.out" || status=$?
    end=$EPOCHREALTIME
    [ "$status" = "$expect" ] || { echo "$name: exit $status, expected $expect" >&2; cat "$work/stderr.out" >&2; return 1; }
    echo $(( (${end/./} - ${start/./}) )) | awk '{ print $1 / 1000 }' >>"$work/$name"
}

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
down_http=$(free_port)
down_grpc=$(free_port)

for _ in $(seq "$runs"); do
    for route in grpc http; do
        mapfile -t a < <(args $route 127.0.0.1)
        timed "$route-healthy" 0 "${a[@]}"
        # Nothing listens on [::1]: refused there; 127.0.0.1 answers.
        mapfile -t a < <(args $route "[::1],127.0.0.1")
        timed "$route-refused" 0 "${a[@]}"
        # Ports nothing listens on at either address.
        mapfile -t a < <(args $route "[::1],127.0.0.1" "$down_http" "$down_grpc")
        timed "$route-all-down" 3 "${a[@]}"
    done
done

# A hung matchbox on [::1] and on 127.0.0.2 to 127.0.0.5, at both ports: accepts every
# connection, reads, never answers.
python3 - "$http_port" "$grpc_port" <<'PY' &
import socket, sys, threading, time
held = []
def listen(family, address, port):
    s = socket.socket(family); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((address, int(port))); s.listen(64)
    while True:
        c, _ = s.accept(); held.append(c)
hosts = [(socket.AF_INET6, "::1")] + [(socket.AF_INET, f"127.0.0.{i}") for i in range(2, 6)]
for port in sys.argv[1:]:
    for family, address in hosts:
        threading.Thread(target=listen, args=(family, address, port), daemon=True).start()
time.sleep(3600)
PY
hung=$!
sleep 0.5

for _ in $(seq "$runs"); do
    for route in grpc http; do
        mapfile -t a < <(args $route "[::1],127.0.0.1")
        timed "$route-hung" 0 "${a[@]}"
    done
done

# Four hung, the fifth healthy, every timeout at its default: how long the boot takes, or how it
# failed (its exit status, code and time), run by run.
four_hung=127.0.0.2,127.0.0.3,127.0.0.4,127.0.0.5,127.0.0.1
for _ in $(seq "$long_runs"); do
    for route in grpc http; do
        mapfile -t a < <(DEFAULT_TIMEOUTS=1 args $route "$four_hung")
        domid=$((domid + 1))
        libxl_prepare "$work/xen" "$domid"
        start=$EPOCHREALTIME
        status=0
        "$xenmatchbox" --quiet --output="$work/xen/bootloader.$domid.out" --output-format=simple0 \
            --output-directory="$work/xen/bootloader.$domid.d" "${a[@]}" "$work/disk.img" >/dev/null 2>"$work/stderr.out" || status=$?
        end=$EPOCHREALTIME
        ms=$(( (${end/./} - ${start/./}) / 1000 ))
        if [ "$status" = 0 ]; then
            echo "$ms ms, booted from the fifth" >>"$work/$route-four-hung"
        else
            code=$(grep -o 'XMB-[0-9]*' "$work/stderr.out" | head -1)
            echo "$ms ms, failed: exit $status $code" >>"$work/$route-four-hung"
        fi
    done
done

# stats NAME: "median (min–max)" in ms.
stats() {
    sort -n "$work/$1" | awk '{ v[NR] = $1 } END {
        m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        printf "%.0f (%.0f–%.0f)", m, v[1], v[NR] }'
}
row() { printf '%-64s %-26s %s\n' "$@"; }
echo "against $server_kind on 127.0.0.1"
row "time to boot ($runs runs; --connect-timeout $connect --read-timeout $read_timeout)" "gRPC ms, median (min–max)" "HTTP-only ms, median (min–max)"
row "one server, healthy (--server 127.0.0.1)" "$(stats grpc-healthy)" "$(stats http-healthy)"
row "first refused (--server [::1],127.0.0.1)" "$(stats grpc-refused)" "$(stats http-refused)"
row "first hung: accepts, never answers" "$(stats grpc-hung)" "$(stats http-hung)"
row "time to fail, both refused (XMB-213, 3 rounds)" "$(stats grpc-all-down)" "$(stats http-all-down)"
echo
row "four hung (127.0.0.2 to .5), then a healthy fifth (127.0.0.1)" "gRPC" "HTTP-only"
row "every timeout at its default (10 s, 30 s, --timeout 110)" "" ""
paste -d '\t' "$work/grpc-four-hung" "$work/http-four-hung" | while IFS=$'\t' read -r g h; do row "" "$g" "$h"; done
