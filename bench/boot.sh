#!/usr/bin/env bash
# Boot benchmark: xenmatchbox run as libxl runs it, whole process, against the real matchbox v0.9.0
# (../shared/tools/matchbox) on loopback, or with MATCHBOX=test the test suite's server (which also
# counts the asset bytes it sends). An 8 MiB kernel and a 64 MiB initrd, signed by GnuPG.
#
# Each row is measured in alternating runs within one call (RUNS, default 9, at least 5): ours,
# then its yardstick, run after run, so that both see the same machine. Printed: medians with
# min–max, the ratio of the medians, and the target it is held to.
#   cold boot (--no-cache)                vs curl -Z fetching the same two files     target ≤ 1.00
#   cold boot (--no-cache)                vs curl fetching them one after the other
#   cold verified (--verify-assets)       vs the cold boot                          target ≤ 1.15
#   cached boot (304s, hard links)        vs the cold boot                          target ≤ 0.35
#   cached verified (pieces hashed)       vs the cached boot                        target ≤ 1.50
#   first boot into an empty cache (it stores both files), peak RSS, --help
#   with BASELINE=REV (e.g. 1bd4dc6): that build's --help, cold and cached boots (verified or not)
#   and peak RSS, built
#   into a scratch worktree and run alternately with ours                          target ≤ 1.00
#   a 512 MiB initrd: peak RSS growth over the 64 MiB one
#   32 boots at once into one empty shared cache vs 32 curl -Z pairs at once (5 runs each),
#   with the loopback bytes each moved (each asset downloaded once: about 72 MiB)  target ≤ 0.50
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/matchbox.sh
runs=${RUNS:-9}
[ "$runs" -ge 5 ] || { echo "RUNS must be at least 5" >&2; exit 2; }

work=$(mktemp -d -t xenmatchbox-bench.XXXXXX)
baseline_tree=
cleanup() {
    stop_matchbox
    [ -z "$baseline_tree" ] || git worktree remove --force "$baseline_tree" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
build_programs >/dev/null

mkdir -p "$work"/data/groups "$work"/data/profiles "$work"/assets/bench
head -c $((8 << 20)) /dev/urandom >"$work/assets/bench/vmlinuz"
head -c $((64 << 20)) /dev/urandom >"$work/assets/bench/initrd.img"
head -c $((512 << 20)) /dev/urandom >"$work/assets/bench/large.img"
for name in bench large; do
    initrd=$([ $name = bench ] && echo initrd.img || echo large.img)
    echo "{ \"id\": \"$name\", \"profile\": \"$name\", \"selector\": { \"case\": \"$name\" } }" >"$work/data/groups/$name.json"
    echo "{ \"id\": \"$name\", \"boot\": { \"kernel\": \"/assets/bench/vmlinuz\", \"initrd\": [\"/assets/bench/$initrd\"], \"args\": [\"console=hvc0\", \"xmb.case=\${case}\"] } }" \
        >"$work/data/profiles/$name.json"
done
sign_assets "$work" "$work/assets/bench/vmlinuz" "$work/assets/bench/initrd.img"
verify=(--verify-assets=required --asset-key "$trusted/signing.gpg")
start_server "$work"
mapfile -t server_args < <(matchbox_args)
kernel_url=http://127.0.0.1:$http_port/assets/bench/vmlinuz
initrd_url=http://127.0.0.1:$http_port/assets/bench/initrd.img
truncate -s 1M "$work/disk.img"

baseline=
if [ -n "${BASELINE:-}" ]; then
    baseline_tree=$work/baseline-tree
    git worktree add --detach "$baseline_tree" "$BASELINE" >/dev/null 2>&1
    (cd "$baseline_tree" && dotnet publish src/XenMatchbox.App -c Release -o "$work/baseline-bin" -nologo -v quiet -clp:NoSummary >/dev/null)
    baseline=$work/baseline-bin/xenmatchbox
fi

# prepare PROGRAM DOMID CACHE [FLAGS...]: libxl's files for one boot, and its argv in $argv, with
# CACHE as --cache-dir ("" for --no-cache).
prepare() {
    local program=$1 domid=$2 cache=$3
    shift 3
    [ -n "${libxl_prepared:-}" ] || libxl_prepare "$work/xen" "$domid"
    argv=("$program" --quiet --output="$work/xen/bootloader.$domid.out" --output-format=simple0
          --output-directory="$work/xen/bootloader.$domid.d" "${server_args[@]}" --lookup "${lookup:-case=bench}"
          "$([ -n "$cache" ] && echo "--cache-dir=$cache" || echo --no-cache)" "$@" "$work/disk.img")
}

# timed NAME COMMAND...: appends "milliseconds peak-rss-kib" of one run to $work/NAME. Each run
# starts with no dirty pages left by the one before (sync), so writeback is nobody's cost.
timed() {
    local name=$1 start end
    shift
    sync
    start=$EPOCHREALTIME
    /usr/bin/time -f '%M' -o "$work/rss.out" "$@" >/dev/null 2>"$work/stderr.out" \
        || { cat "$work/stderr.out" >&2; return 1; }
    end=$EPOCHREALTIME
    echo "$(( (${end/./} - ${start/./}) )) $(cat "$work/rss.out")" | awk '{ print $1 / 1000, $2 }' >>"$work/$name"
}

# boot NAME PROGRAM CACHE [FLAGS...]: one timed boot; the ramdisk must be the initrd's bytes.
boot() {
    local name=$1 program=$2 cache=$3
    shift 3
    prepare "$program" 1 "$cache" "$@"
    timed "$name" "${argv[@]}"
    cmp -s "$work/xen/bootloader.1.d/ramdisk" "$work/assets/bench/initrd.img" || { echo "$name: the ramdisk differs" >&2; exit 1; }
}

# Warm the page cache, the server and the caches the cached rows use.
prepare "$xenmatchbox" 1 "" && "${argv[@]}"
curl -sf -o /dev/null "$kernel_url" -o /dev/null "$initrd_url"
prepare "$xenmatchbox" 1 "$work/warm" && "${argv[@]}"
prepare "$xenmatchbox" 1 "$work/warm-verified" "${verify[@]}" && "${argv[@]}"
if [ -n "$baseline" ]; then
    prepare "$baseline" 1 "$work/baseline-warm" && "${argv[@]}"
    # An older build may not verify assets: its verified rows are left out then.
    base_verifies=yes
    prepare "$baseline" 1 "$work/baseline-warm-verified" "${verify[@]}" && "${argv[@]}" >/dev/null 2>&1 || base_verifies=
fi

for _ in $(seq "$runs"); do
    boot cold "$xenmatchbox" ""
    timed curl-z curl -sfZ -o "$work/curl-kernel" "$kernel_url" -o "$work/curl-initrd" "$initrd_url"
    timed curl-seq curl -sf -o "$work/curl-kernel" "$kernel_url" -o "$work/curl-initrd" "$initrd_url"
    boot cold-verified "$xenmatchbox" "" "${verify[@]}"
    rm -rf "$work/empty"
    boot first-into-cache "$xenmatchbox" "$work/empty"
    boot cached "$xenmatchbox" "$work/warm"
    boot cached-verified "$xenmatchbox" "$work/warm-verified" "${verify[@]}"
    timed help "$xenmatchbox" --help
    if [ -n "$baseline" ]; then
        boot base-cold "$baseline" ""
        boot base-cached "$baseline" "$work/baseline-warm"
        if [ -n "$base_verifies" ]; then
            boot base-cold-verified "$baseline" "" "${verify[@]}"
            boot base-cached-verified "$baseline" "$work/baseline-warm-verified" "${verify[@]}"
        fi
        timed base-help "$baseline" --help
    fi
done
for _ in 1 2 3 4 5; do
    rm -rf "$work/large-cache"
    lookup=case=large prepare "$xenmatchbox" 2 ""
    timed large "${argv[@]}"
done

# burst NAME COMMAND-FOR-ONE: 32 at once (COMMAND-FOR-ONE gets the index 100..131); appends the
# wall milliseconds and the loopback bytes moved to $work/NAME. libxl's files for the 32 are made
# before the clock starts: libxl makes them in its own process before it runs the bootloader, and
# four commands a boot from this script would cost more CPU than a cached boot itself.
lo_bytes() { cat /sys/class/net/lo/statistics/rx_bytes; }
burst() {
    local name=$1 start end before pids=()
    shift
    for d in $(seq 100 131); do libxl_prepare "$work/xen" "$d"; done
    before=$(lo_bytes)
    start=$EPOCHREALTIME
    for d in $(seq 100 131); do
        "$@" "$d" >/dev/null 2>&1 &
        pids+=($!)
    done
    for pid in "${pids[@]}"; do wait "$pid" || { echo "$name: one of the 32 failed" >&2; exit 1; }; done
    end=$EPOCHREALTIME
    echo "$(( (${end/./} - ${start/./}) )) $(( $(lo_bytes) - before ))" | awk '{ print $1 / 1000, $2 }' >>"$work/$name"
}
boot_into_shared() { libxl_prepared=yes prepare "$xenmatchbox" "$1" "$work/shared-cache"; "${argv[@]}"; }
curl_pair() { curl -sfZ -o "$work/burst-$1-kernel" "$kernel_url" -o "$work/burst-$1-initrd" "$initrd_url"; }
for _ in 1 2 3 4 5; do
    rm -rf "$work/shared-cache"
    burst burst-boots boot_into_shared
    burst burst-curl curl_pair
    rm -f "$work"/burst-*-kernel "$work"/burst-*-initrd
done

# stats FILE COLUMN SCALE: "median (min–max)" of a column, multiplied by SCALE.
stats() {
    sort -n -k"$2" "$work/$1" | awk -v c="$2" -v s="$3" '{ v[NR] = $c * s } END {
        m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        printf (m >= 1000 ? "%.0f (%.0f–%.0f)" : "%.1f (%.1f–%.1f)"), m, v[1], v[NR] }'
}
median() {
    sort -n -k"${2:-1}" "$work/$1" | awk -v c="${2:-1}" '{ v[NR] = $c } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
ratio() { awk -v a="$(median "$1" "${3:-1}")" -v b="$(median "$2" "${3:-1}")" 'BEGIN { printf "%.2f", a / b }'; }
mib=0.0009765625            # KiB to MiB
bytes_mib=0.00000095367431640625   # bytes to MiB
row() { printf '%-44s %-24s %-34s %-24s %-6s %s\n' "$@"; }

echo
echo "against $server_kind on 127.0.0.1; $runs alternating runs (32-at-once rows: 5); wall ms, median (min–max)"
row "measure" "ours" "yardstick" "yardstick's" "ratio" "target"
row "cold boot, 8 + 64 MiB (--no-cache, gRPC)" "$(stats cold 1 1)" "curl -Z, the same two files" "$(stats curl-z 1 1)" "$(ratio cold curl-z)" "≤ 1.00"
row "cold boot" "$(stats cold 1 1)" "curl, one file after the other" "$(stats curl-seq 1 1)" "$(ratio cold curl-seq)" ""
row "cold boot, --verify-assets=required" "$(stats cold-verified 1 1)" "cold boot" "$(stats cold 1 1)" "$(ratio cold-verified cold)" "≤ 1.15"
row "cached boot (304s, hard links)" "$(stats cached 1 1)" "cold boot" "$(stats cold 1 1)" "$(ratio cached cold)" "≤ 0.35"
row "cached boot, verified (pieces hashed)" "$(stats cached-verified 1 1)" "cached boot" "$(stats cached 1 1)" "$(ratio cached-verified cached)" "≤ 1.50"
row "first boot into an empty cache (stores both)" "$(stats first-into-cache 1 1)" "cold boot" "$(stats cold 1 1)" "$(ratio first-into-cache cold)" ""
row "xenmatchbox --help" "$(stats help 1 1)" "" "" "" ""
row "peak RSS of a cold boot, MiB" "$(stats cold 2 $mib)" "curl -Z" "$(stats curl-z 2 $mib)" "" ""
if [ -n "$baseline" ]; then
    row "--help" "$(stats help 1 1)" "build $BASELINE" "$(stats base-help 1 1)" "$(ratio help base-help)" "≤ 1.00"
    row "cold boot" "$(stats cold 1 1)" "build $BASELINE" "$(stats base-cold 1 1)" "$(ratio cold base-cold)" ""
    row "cached boot" "$(stats cached 1 1)" "build $BASELINE" "$(stats base-cached 1 1)" "$(ratio cached base-cached)" ""
    [ -z "$base_verifies" ] || row "cold boot, verified" "$(stats cold-verified 1 1)" "build $BASELINE" "$(stats base-cold-verified 1 1)" "$(ratio cold-verified base-cold-verified)" ""
    [ -z "$base_verifies" ] || row "cached boot, verified" "$(stats cached-verified 1 1)" "build $BASELINE" "$(stats base-cached-verified 1 1)" "$(ratio cached-verified base-cached-verified)" ""
    row "peak RSS of a cold boot, MiB" "$(stats cold 2 $mib)" "build $BASELINE" "$(stats base-cold 2 $mib)" "$(ratio cold base-cold 2)" "≤ 1.00"
fi
row "peak RSS, 512 MiB initrd, MiB" "$(stats large 2 $mib)" "64 MiB initrd" "$(stats cold 2 $mib)" "$(awk -v a="$(median large 2)" -v b="$(median cold 2)" 'BEGIN { printf "%+.1f MiB", (a - b) / 1024 }')" ""
row "32 boots at once, one empty shared cache" "$(stats burst-boots 1 1)" "32 curl -Z pairs at once" "$(stats burst-curl 1 1)" "$(ratio burst-boots burst-curl)" "≤ 0.50"
row "  loopback MiB moved (72 MiB is each once)" "$(stats burst-boots 2 $bytes_mib)" "" "$(stats burst-curl 2 $bytes_mib)" "" ""
