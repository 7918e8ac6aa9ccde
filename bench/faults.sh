#!/usr/bin/env bash
# Time to fail, with the default limits, against two broken servers on 127.0.0.1: matchbox down
# (nothing listens on its gRPC port), and an asset server that sends headers and part of the body
# and then stalls. Both must end well inside the 110 s deadline. Prints a table.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/matchbox.sh

work=$(mktemp -d -t xenmatchbox-faults.XXXXXX)
staller=
trap 'stop_matchbox; [ -n "$staller" ] && kill "$staller" 2>/dev/null; rm -rf "$work"' EXIT

build_programs >/dev/null
mkdir -p "$work"/data/groups "$work"/data/profiles "$work"/assets
echo '{ "id": "f", "profile": "f" }' >"$work/data/groups/f.json"
echo '{ "id": "f", "boot": { "kernel": "/assets/vmlinuz" } }' >"$work/data/profiles/f.json"
start_matchbox "$work"
mapfile -t server_args < <(matchbox_args)
truncate -s 1M "$work/disk.img"

# An HTTP server that answers every request with a 1 MiB Content-Length, sends 4 KiB and stalls.
python3 - "$work/staller.port" <<'PY' &
import socket, sys, threading, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
def serve(c):
    c.recv(65536)
    c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1048576\r\n\r\n" + b"x" * 4096)
    time.sleep(300)
for _ in range(16):
    threading.Thread(target=serve, args=(s.accept()[0],), daemon=True).start()
PY
staller=$!
for _ in $(seq 50); do [ -s "$work/staller.port" ] && break; sleep 0.1; done
closed_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

# with FLAG VALUE: the server's bootloader_args with FLAG's value replaced.
with() {
    local args=("${server_args[@]}") i
    for i in "${!args[@]}"; do [ "${args[$i]}" = "$1" ] && args[$((i + 1))]=$2; done
    printf '%s\n' "${args[@]}"
}

# fail NAME ARGS...: one boot as libxl runs it; prints the row.
fail() {
    local name=$1 start end status=0
    shift
    libxl_prepare "$work/xen" 1
    start=$(date +%s%N)
    "$xenmatchbox" --output="$work/xen/bootloader.1.out" --output-format=simple0 \
        --output-directory="$work/xen/bootloader.1.d" "$@" --lookup os=any "$work/disk.img" 2>"$work/err" || status=$?
    end=$(date +%s%N)
    printf '%-44s %6.2f s   exit %d   %s\n' "$name" "$(echo "$start $end" | awk '{ print ($2 - $1) / 1e9 }')" "$status" \
        "$(grep -o 'XMB-[0-9]*' "$work/err" | head -1)"
}

printf '\n%-44s %8s   %-6s   %s\n' "fault (default limits, deadline 110 s)" "wall" "status" "code"
mapfile -t down < <(with --grpcport "$closed_port")
mapfile -t stalled < <(with --httpport "$(cat "$work/staller.port")")
fail "matchbox down (gRPC port closed)" "${down[@]}"
fail "asset server stalls after 4 KiB of 1 MiB" "${stalled[@]}"
