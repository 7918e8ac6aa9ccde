#!/usr/bin/env bash
# One-boot benchmark: whole-process wall time and peak RSS of xenmatchbox booting an 8 MiB kernel
# and a 64 MiB initrd from the test server on 127.0.0.1, run as libxl runs it; curl fetching the
# same two files in the same run; and the start-up time of `xenmatchbox --help`.
# Prints a table of medians with min–max. RUNS=N (default 5) sets the repetitions.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/matchbox.sh
runs=${RUNS:-5}

work=$(mktemp -d -t xenmatchbox-bench.XXXXXX)
trap 'stop_matchbox; rm -rf "$work"' EXIT

build_programs >/dev/null
mkdir -p "$work"/data/groups "$work"/data/profiles "$work"/assets/bench
head -c $((8 << 20)) /dev/urandom >"$work/assets/bench/vmlinuz"
head -c $((64 << 20)) /dev/urandom >"$work/assets/bench/initrd.img"
echo '{ "id": "bench", "profile": "bench", "selector": { "mac": "52:54:00:00:00:01" } }' >"$work/data/groups/bench.json"
echo '{ "id": "bench", "boot": { "kernel": "/assets/bench/vmlinuz", "initrd": ["/assets/bench/initrd.img"], "args": ["console=hvc0", "xmb.mac=${mac:hexhyp}"] } }' \
    >"$work/data/profiles/bench.json"
start_matchbox "$work"
mapfile -t server_args < <(matchbox_args "$work")
truncate -s 1M "$work/disk.img"

# measure NAME COMMAND...: one run; appends "milliseconds peak-rss-kib" to $work/NAME.
measure() {
    local name=$1 start end
    shift
    start=$(date +%s%N)
    /usr/bin/time -f '%M' -o "$work/rss.out" "$@" >/dev/null 2>"$work/stderr.out" \
        || { cat "$work/stderr.out" >&2; return 1; }
    end=$(date +%s%N)
    echo "$(( (end - start) / 1000 )) $(cat "$work/rss.out")" | awk '{ print $1 / 1000, $2 }' >>"$work/$name"
}

boot_argv=(--output="$work/xen/bootloader.1.out" --output-format=simple0 --output-directory="$work/xen/bootloader.1.d"
           "${server_args[@]}" --lookup mac=52:54:00:00:00:01 "$work/disk.img")
curl_argv=(-sf -o "$work/curl-kernel" "http://127.0.0.1:$http_port/assets/bench/vmlinuz"
           -o "$work/curl-initrd" "http://127.0.0.1:$http_port/assets/bench/initrd.img")

libxl_prepare "$work/xen" 1
"$xenmatchbox" "${boot_argv[@]}" >/dev/null 2>&1   # warm the page cache and the server
for _ in $(seq "$runs"); do
    libxl_prepare "$work/xen" 1
    measure boot "$xenmatchbox" "${boot_argv[@]}"
    cmp -s "$work/xen/bootloader.1.d/ramdisk" "$work/assets/bench/initrd.img" || { echo "ramdisk differs" >&2; exit 1; }
    measure curl curl "${curl_argv[@]}"
    measure help "$xenmatchbox" --help
done

# stats FILE COLUMN SCALE: "median (min–max)" of a column, multiplied by SCALE.
stats() {
    sort -n -k"$2" "$1" | awk -v c="$2" -v s="$3" '{ v[NR] = $c * s } END {
        m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        printf "%.1f (%.1f–%.1f)", m, v[1], v[NR] }'
}
printf '\n%-48s %-28s %s\n' "measure ($runs runs)" "wall ms, median (min–max)" "peak RSS MiB, median (min–max)"
printf '%-48s %-28s %s\n' "xenmatchbox boot, 8 MiB kernel + 64 MiB initrd" "$(stats "$work/boot" 1 1)" "$(stats "$work/boot" 2 0.0009765625)"
printf '%-48s %-28s %s\n' "curl, the same two files" "$(stats "$work/curl" 1 1)" "$(stats "$work/curl" 2 0.0009765625)"
printf '%-48s %-28s %s\n' "xenmatchbox --help" "$(stats "$work/help" 1 1)" "$(stats "$work/help" 2 0.0009765625)"
