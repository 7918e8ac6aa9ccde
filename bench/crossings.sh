#!/usr/bin/env bash
# Crossings from the shell (C#) into the Domain (F#) in one signed gRPC boot: the Domain functions
# the shell's IL calls (bench/crossings.fsx reads xenmatchbox.dll's IL) that ran in a boot with
# --verify-assets=required against the real matchbox (the JIT build lists every method it
# compiles, i.e. every method that ran). Counted: distinct functions (module functions; record
# getters, constructors and union tests left out) and, beside, distinct members with those; for a
# cold boot (empty cache) and a cached one; and the shell's call sites into Domain functions.
# Prints the functions of the cold boot, then the counts. REV=<revision> measures that revision
# instead, built into a scratch worktree.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/matchbox.sh
work=$(mktemp -d -t xenmatchbox-crossings.XXXXXX)
tree=
trap 'stop_matchbox; [ -z "$tree" ] || git worktree remove --force "$tree" >/dev/null 2>&1; rm -rf "$work"' EXIT
build_programs >/dev/null
jit=$PWD/artifacts/jit
if [ -n "${REV:-}" ]; then
    tree=$work/tree
    git worktree add --detach "$tree" "$REV" >/dev/null 2>&1
    (cd "$tree" && dotnet build src/XenMatchbox.App -c Release -o "$work/jit" -nologo -v quiet -clp:NoSummary >/dev/null)
    jit=$work/jit
else
    dotnet build src/XenMatchbox.App -c Release -o "$jit" -nologo -v quiet -clp:NoSummary >/dev/null
fi

mkdir -p "$work"/data/groups "$work"/data/profiles "$work"/assets/os
head -c $((1 << 20)) /dev/urandom >"$work/assets/os/vmlinuz"
head -c $((2 << 20)) /dev/urandom >"$work/assets/os/initrd.img"
echo '{ "id": "c", "profile": "c", "selector": { "case": "c" } }' >"$work/data/groups/c.json"
echo '{ "id": "c", "boot": { "kernel": "/assets/os/vmlinuz", "initrd": ["/assets/os/initrd.img"], "args": ["console=hvc0"] } }' >"$work/data/profiles/c.json"
sign_assets "$work" "$work/assets/os/vmlinuz" "$work/assets/os/initrd.img"
start_server "$work"
mapfile -t server_args < <(matchbox_args)
truncate -s 1M "$work/disk.img"

# ran NAME: one signed boot on the JIT build; the Domain methods it compiled (ran) go to $work/NAME.
ran() {
    libxl_prepare "$work/xen" 1
    DOTNET_JitStdOutFile="$work/jit.txt" DOTNET_JitDisasmSummary=1 DOTNET_TieredPGO=0 \
        dotnet "$jit/xenmatchbox.dll" --quiet --output="$work/xen/bootloader.1.out" --output-format=simple0 \
        --output-directory="$work/xen/bootloader.1.d" "${server_args[@]}" --lookup case=c --cache-dir="$work/cache" \
        --verify-assets=required --asset-key "$trusted/signing.gpg" "$work/disk.img"
    grep -o 'XenMatchbox\.Domain\.[^ (]*' "$work/jit.txt" | sort -u >"$work/$1"
    rm -f "$work/jit.txt"
}
ran cold
ran cached
dotnet fsi --quiet bench/crossings.fsx "$jit/xenmatchbox.dll" >"$work/called"
dotnet fsi --quiet bench/crossings.fsx "$jit/xenmatchbox.dll" --sites >"$work/sites"
data='get_\|\.ctor\|New[A-Z]\|Is[A-Z]'
functions() { comm -12 "$work/called" "$work/$1" | grep -v ":\($data\)" || true; }
members() { comm -12 "$work/called" "$work/$1"; }
functions cold | sed 's/^XenMatchbox\.Domain\.//'
echo
printf '%-36s %s\n' "signed gRPC boot (${REV:-this tree})" "Domain functions (members with getters, constructors)"
printf '%-36s %s (%s)\n' "cold (empty cache)" "$(functions cold | wc -l)" "$(members cold | wc -l)"
printf '%-36s %s (%s)\n' "cached" "$(functions cached | wc -l)" "$(members cached | wc -l)"
printf '%-36s %s (%s)\n' "shell call sites into the Domain" "$(grep -vc ":\($data\)" "$work/sites")" "$(wc -l <"$work/sites")"
