#!/usr/bin/env bash
# Boot benchmark: xenmatchbox run as libxl runs it, whole process, against a matchbox on loopback.
# Prints one table of medians with min–max over RUNS runs (default 7, at least 5):
#   cold boot (empty cache) of an 8 MiB kernel + 64 MiB initrd, and curl fetching the same two
#   files in the same run, with the ratio; a cached boot and the asset body bytes the server sent
#   for it; `xenmatchbox --help`; peak RSS with the 64 MiB and with a 512 MiB initrd; 32 boots at
#   once (empty shared cache, and --no-cache); with the built-in server, also the cold and cached
#   boot with --verify-assets=required (kernel.sig and initrd.sig made by GnuPG), in the same runs,
#   and the cached verified boot over the cached one (a verified entry's pieces are hashed).
#
# Against any matchbox instead of the built-in test server (no server byte counts then):
#   BENCH_SERVER_ARGS="--server mb --ca ca.crt --cert client.crt --key client.key"
#   BENCH_LOOKUP="mac=52:54:00:00:00:01"        # selects the profile to boot
#   BENCH_KERNEL_URL=http://mb:8080/assets/...  BENCH_INITRD_URL=http://mb:8080/assets/...   # for curl
#   BENCH_LARGE_LOOKUP="mac=..."                 # optional: a profile with a large initrd (RSS row)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/matchbox.sh
runs=${RUNS:-7}
[ "$runs" -ge 5 ] || { echo "RUNS must be at least 5" >&2; exit 2; }

work=$(mktemp -d -t xenmatchbox-bench.XXXXXX)
trap 'stop_matchbox; rm -rf "$work"' EXIT
build_programs >/dev/null

if [ -n "${BENCH_SERVER_ARGS:-}" ]; then
    read -r -a server_args <<<"$BENCH_SERVER_ARGS"
    lookup=${BENCH_LOOKUP:?set BENCH_LOOKUP with BENCH_SERVER_ARGS}
    large_lookup=${BENCH_LARGE_LOOKUP:-}
    kernel_url=${BENCH_KERNEL_URL:?set BENCH_KERNEL_URL with BENCH_SERVER_ARGS}
    initrd_url=${BENCH_INITRD_URL:?set BENCH_INITRD_URL with BENCH_SERVER_ARGS}
    counters=
else
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
    counters=$work/counters
    # Detached signatures beside the assets, made by GnuPG (installed when missing), for the
    # --verify-assets rows.
    command -v gpg >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y gnupg >/dev/null
    mkdir -m 0700 "$work/gnupg"
    gpg_batch() { gpg --homedir "$work/gnupg" --batch --pinentry-mode loopback --passphrase '' "$@"; }
    gpg_batch --quick-gen-key 'bench <bench@xmb.test>' rsa2048 sign never 2>/dev/null
    # Run as root, xenmatchbox reads a key file only where root alone can change it (XMB-118).
    trusted_dir
    gpg_batch --export >"$trusted/bench.gpg"
    for file in vmlinuz initrd.img; do gpg_batch --detach-sign -o "$work/assets/bench/$file.sig" "$work/assets/bench/$file"; done
    gpgconf --homedir "$work/gnupg" --kill all 2>/dev/null || true
    verify=(--verify-assets=required --asset-key "$trusted/bench.gpg")
    start_matchbox "$work" --counters-file "$counters"
    mapfile -t server_args < <(matchbox_args)
    lookup=case=bench
    large_lookup=case=large
    kernel_url=http://127.0.0.1:$http_port/assets/bench/vmlinuz
    initrd_url=http://127.0.0.1:$http_port/assets/bench/initrd.img
fi
truncate -s 1M "$work/disk.img"

# body_bytes: asset body bytes the test server has sent so far (empty for an external server).
body_bytes() {
    [ -n "$counters" ] || return 0
    sleep 0.2   # the server rewrites its counters file within 50 ms of a change
    awk '$1 ~ /^\/assets\// { n += $3 } END { printf "%.0f\n", n }' "$counters"
}

# prepare DOMID CACHE LOOKUP: libxl's files for one boot, and its argv in $argv, with CACHE as
# --cache-dir ("" for --no-cache).
prepare() {
    local domid=$1 cache=$2 look=$3
    libxl_prepare "$work/xen" "$domid"
    argv=("$xenmatchbox" --quiet --output="$work/xen/bootloader.$domid.out" --output-format=simple0
          --output-directory="$work/xen/bootloader.$domid.d" "${server_args[@]}" --lookup "$look"
          "$([ -n "$cache" ] && echo "--cache-dir=$cache" || echo --no-cache)" "$work/disk.img")
}
boot() { prepare "$@"; "${argv[@]}"; }

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

# wall NAME COMMAND...: appends the milliseconds of one run, nothing between the clock and the exec.
wall() {
    local name=$1 start end
    shift
    start=$EPOCHREALTIME
    "$@" >/dev/null 2>&1
    end=$EPOCHREALTIME
    echo "$(( (${end/./} - ${start/./}) ))" | awk '{ print $1 / 1000, 0 }' >>"$work/$name"
}

# Warm the page cache, the server and its JIT.
boot 1 "" "$lookup" >/dev/null
curl -sf -o /dev/null "$kernel_url" -o /dev/null "$initrd_url"

warm=$work/warm-cache
boot 1 "$warm" "$lookup"
for i in $(seq "$runs"); do
    rm -rf "$work/cold-cache"
    prepare 1 "$work/cold-cache" "$lookup"
    timed cold "${argv[@]}"
    cmp -s "$work/xen/bootloader.1.d/ramdisk" "$work/assets/bench/initrd.img" 2>/dev/null || [ -z "$counters" ] \
        || { echo "ramdisk differs" >&2; exit 1; }
    timed curl curl -sf -o "$work/curl-kernel" "$kernel_url" -o "$work/curl-initrd" "$initrd_url"
    before=$(body_bytes)
    prepare 1 "$warm" "$lookup"
    timed cached "${argv[@]}"
    after=$(body_bytes)
    [ -z "$counters" ] || echo "$(( after - before )) 0" >>"$work/cached-bytes"
    wall help "$xenmatchbox" --help
    if [ -n "$counters" ]; then
        rm -rf "$work/verified-cache"
        prepare 1 "$work/verified-cache" "$lookup"
        timed cold-verified "${argv[@]:0:${#argv[@]}-1}" "${verify[@]}" "$work/disk.img"
        cmp -s "$work/xen/bootloader.1.d/ramdisk" "$work/assets/bench/initrd.img" || { echo "verified ramdisk differs" >&2; exit 1; }
        prepare 1 "$work/verified-cache" "$lookup"
        timed cached-verified "${argv[@]:0:${#argv[@]}-1}" "${verify[@]}" "$work/disk.img"
    fi
done
if [ -n "$large_lookup" ]; then
    for i in $(seq "$runs"); do
        rm -rf "$work/large-cache"
        prepare 2 "$work/large-cache" "$large_lookup"
        timed large "${argv[@]}"
    done
fi

# concurrent NAME CACHE: 32 boots at once; appends the wall milliseconds to $work/NAME.
concurrent() {
    local name=$1 cache=$2 start end pids=()
    start=$EPOCHREALTIME
    for d in $(seq 100 131); do
        boot "$d" "$cache" "$lookup" >/dev/null 2>&1 &
        pids+=($!)
    done
    for pid in "${pids[@]}"; do wait "$pid" || { echo "a concurrent boot failed" >&2; exit 1; }; done
    end=$EPOCHREALTIME
    echo "$(( (${end/./} - ${start/./}) ))" | awk '{ print $1 / 1000, 0 }' >>"$work/$name"
}
for i in 1 2 3 4 5; do
    rm -rf "$work/shared-cache"
    before=$(body_bytes)
    concurrent burst-cache "$work/shared-cache"
    after=$(body_bytes)
    [ -z "$counters" ] || echo "$(( after - before )) 0" >>"$work/burst-bytes"
    concurrent burst-nocache ""
done

# stats FILE COLUMN SCALE: "median (min–max)" of a column, multiplied by SCALE.
stats() {
    sort -n -k"$2" "$1" | awk -v c="$2" -v s="$3" '{ v[NR] = $c * s } END {
        m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        printf (s == 1 && m > 100000 ? "%.0f (%.0f–%.0f)" : "%.1f (%.1f–%.1f)"), m, v[1], v[NR] }'
}
median() { sort -n -k1 "$1" | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
mib=0.0009765625
row() { printf '%-52s %-26s %s\n' "$@"; }

echo
row "measure ($runs runs; 32-boot rows: 5)" "wall ms, median (min–max)" "peak RSS MiB / other"
row "cold boot, 8 MiB kernel + 64 MiB initrd (empty cache)" "$(stats "$work/cold" 1 1)" "$(stats "$work/cold" 2 $mib)"
row "curl, the same two files" "$(stats "$work/curl" 1 1)" "$(stats "$work/curl" 2 $mib)"
row "cold boot / curl (medians)" "$(awk -v a="$(median "$work/cold")" -v b="$(median "$work/curl")" 'BEGIN { printf "%.2f", a / b }')" ""
row "cached boot (304s, hard links)" "$(stats "$work/cached" 1 1)" "$(stats "$work/cached" 2 $mib)"
row "cached boot / cold boot (medians)" "$(awk -v a="$(median "$work/cached")" -v b="$(median "$work/cold")" 'BEGIN { printf "%.2f", a / b }')" \
    "$([ -n "$counters" ] && echo "asset body bytes sent: $(stats "$work/cached-bytes" 1 1)" || echo "bytes sent: n/a (external server)")"
[ ! -f "$work/cold-verified" ] || row "cold boot, --verify-assets=required (2 .sig)" "$(stats "$work/cold-verified" 1 1)" "$(stats "$work/cold-verified" 2 $mib)"
[ ! -f "$work/cold-verified" ] || row "cold boot verified / cold boot (medians)" \
    "$(awk -v a="$(median "$work/cold-verified")" -v b="$(median "$work/cold")" 'BEGIN { printf "%.2f", a / b }')" ""
[ ! -f "$work/cached-verified" ] || row "cached boot, --verify-assets=required" "$(stats "$work/cached-verified" 1 1)" "$(stats "$work/cached-verified" 2 $mib)"
[ ! -f "$work/cached-verified" ] || row "cached boot verified / cached boot (medians)" \
    "$(awk -v a="$(median "$work/cached-verified")" -v b="$(median "$work/cached")" 'BEGIN { printf "%.2f", a / b }')" ""
row "xenmatchbox --help" "$(stats "$work/help" 1 1)" ""
[ ! -f "$work/large" ] || row "cold boot, 8 MiB kernel + 512 MiB initrd" "$(stats "$work/large" 1 1)" "$(stats "$work/large" 2 $mib)"
[ ! -f "$work/large" ] || row "peak RSS growth, 64 MiB -> 512 MiB initrd (medians)" "" \
    "$(awk -v a="$(sort -n -k2 "$work/large" | awk '{ v[NR] = $2 } END { print v[int((NR + 1) / 2)] }')" \
           -v b="$(sort -n -k2 "$work/cold" | awk '{ v[NR] = $2 } END { print v[int((NR + 1) / 2)] }')" 'BEGIN { printf "%+.1f MiB", (a - b) / 1024 }')"
row "32 boots at once, empty shared cache" "$(stats "$work/burst-cache" 1 1)" \
    "$([ -n "$counters" ] && echo "asset body bytes sent: $(stats "$work/burst-bytes" 1 1)" || echo "")"
row "32 boots at once, --no-cache" "$(stats "$work/burst-nocache" 1 1)" ""
