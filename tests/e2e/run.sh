#!/usr/bin/env bash
# End-to-end test under real Xen: builds the xenmatchbox .deb (scripts/package: NativeAOT) and
# publishes the matchbox-compatible test server (self-contained: dom0 has no .NET runtime),
# generates certificates for the run, boots Xen 4.17 + dom0 under QEMU with shared/xen-e2e and runs
# payload/test.sh there, which installs the .deb with dpkg -i and boots from /usr/bin/xenmatchbox.
# dom0 has no man-db: Debian's man-db and what it needs beyond dom0's packages go into the payload
# (apt-get download, kept in artifacts/e2e-debs), so that test.sh can show `man xenmatchbox`.
# libvirt's Xen driver (libvirtd) and virsh, which dom0 lacks too, are downloaded the same way (the
# packages the image lacks, computed against its dpkg status) into artifacts/e2e-debs/libvirt; and
# a second .deb of a higher version (XMB_DEB_VERSION=<version>+e2e1 scripts/package) for the upgrade.
# Usage: tests/e2e/run.sh RESULT_DIR   (needs root the first time, to build the dom0 image)
# Prints the scenario lines and a final "N passed, N failed"; exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
result=$(realpath -m "${1:-artifacts/e2e}")
# The harness lives beside the repository (../shared/xen-e2e), as in CI, or where XMB_XEN_E2E
# names it (a git worktree has another parent); a clone without it skips this test with one line,
# counted neither passed nor failed.
harness=${XMB_XEN_E2E:-../shared/xen-e2e}
if [ ! -x "$harness/run.sh" ]; then
    echo "e2e: skipped: no xen-e2e harness at $harness (../shared/xen-e2e beside the repository, or XMB_XEN_E2E=DIR); put it there and run tests/e2e/run.sh as root (CI does)"
    exit 0
fi
harness=$(realpath "$harness")
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

payload=$(mktemp -d -t xenmatchbox-e2e.XXXXXX)
trap 'rm -rf "$payload"' EXIT
chmod 0755 "$payload"

deb=$(scripts/package 2>artifacts/package.log) || { cat artifacts/package.log; exit 1; }
# The upgrade the payload installs over it: the same tree as a higher Debian version.
version=$(basename "$deb" _amd64.deb)
version=${version#xenmatchbox_}
upgrade=$(XMB_DEB_VERSION=$version+e2e1 scripts/package 2>>artifacts/package.log) || { cat artifacts/package.log; exit 1; }
dotnet publish tests/XenMatchbox.TestServer -c Release -r linux-x64 --self-contained -o "$payload/testserver" \
    -nologo -v quiet -clp:NoSummary
cp "$deb" tests/e2e/payload/test.sh tests/e2e/payload/argv-logger "$payload/"
man_debs=(man-db groff-base libpipeline1 libgdbm6 libuchardet0 bsdextrautils)
mkdir -p artifacts/e2e-debs "$payload/man-db"
if [ "$(ls artifacts/e2e-debs/*.deb 2>/dev/null | wc -l)" -lt ${#man_debs[@]} ]; then
    apt-get update -qq
    (cd artifacts/e2e-debs && apt-get download -qq "${man_debs[@]}")
fi
cp artifacts/e2e-debs/*.deb "$payload/man-db/"
mkdir -p "$payload/upgrade"
cp "$upgrade" "$payload/upgrade/"
# libvirt's Xen driver and virsh: the packages dom0's image lacks, computed here against the
# image's own dpkg status (read with debugfs, nothing mounted) without recommends, downloaded once
# into artifacts/e2e-debs/libvirt (its list.txt names them); the harness builds the image first.
"$harness/build-image.sh" >/dev/null
image=${CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/xen-e2e}/rootfs.img
lv=artifacts/e2e-debs/libvirt
mkdir -p "$lv" "$payload/libvirt"
if ! [ -s "$lv/list.txt" ] || ! (cd "$lv" && while read -r name version; do
    ls "${name}_${version//:/%3a}_"*.deb >/dev/null 2>&1 || exit 1
done <list.txt); then
    status_file=$(mktemp)
    debugfs -R 'cat /var/lib/dpkg/status' "$image" >"$status_file" 2>/dev/null
    apt-get update -qq
    apt-get install -s -qq --no-install-recommends -o Dir::State::status="$status_file" \
        libvirt-daemon-driver-xen libvirt-clients |
        awk '$1 == "Inst" { gsub(/[()]/, "", $3); print $2, $3 }' >"$lv/list.txt"
    rm -f "$status_file" "$lv"/*.deb
    (cd "$lv" && awk '{ print $1 "=" $2 }' list.txt | xargs apt-get download -qq)
fi
while read -r name version; do cp "$lv/${name}_${version//:/%3a}_"*.deb "$payload/libvirt/"; done <"$lv/list.txt"
mkdir -p "$payload/tls"
# The Trust scenario's key, made by GnuPG: matchbox's signing key (secret, no passphrase, as
# -key-ring-path reads it) and its public half as an operator exports it for --lookup-key/--asset-key.
if ! command -v gpg >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y gnupg >/dev/null
fi
gnupg=$(mktemp -d -t xmb-e2e-gpg.XXXXXX)
mkdir -p "$payload/keys"
gpg_batch() { gpg --homedir "$gnupg" --batch --quiet --pinentry-mode loopback --passphrase '' "$@"; }
gpg_batch --quick-gen-key 'xenmatchbox e2e matchbox <matchbox@xmb.test>' rsa2048 sign never 2>/dev/null
gpg_batch --export-secret-keys >"$payload/keys/signing.key"
gpg_batch --export >"$payload/keys/matchbox.gpg"
gpg_batch --export --armor >"$payload/keys/matchbox.asc"
gpg_batch --with-colons --list-keys | awk -F: '$1 == "pub" { print $5; exit }' >"$payload/keys/keyid"
gpgconf --homedir "$gnupg" --kill all 2>/dev/null || true
rm -rf "$gnupg"
"$payload/testserver/xenmatchbox-testserver" certs --out "$payload/tls" --san 127.0.0.1,localhost >/dev/null

mkdir -p "$result"
status=0
# 1500 s: the scenarios took 600-700 s of test.sh's time when the host was busy, and installing the
# packages (libvirt's about 170 s under TCG) takes its share.
TIMEOUT=${TIMEOUT:-1500} "$harness/run.sh" "$payload" "$result" || status=$?
summary=$result/out/summary.txt
if [ -f "$summary" ]; then
    grep -E '^(PASS|FAIL) ' "$summary"
fi
passed=$(grep -c '^PASS ' "$summary" 2>/dev/null || true)
failed=$(grep -c '^FAIL ' "$summary" 2>/dev/null || true)
if [ "$status" -ne 0 ] && [ "${failed:-0}" -eq 0 ]; then
    echo "e2e: the harness ended with status $status before the scenarios could report; see $result/serial.log"
    failed=1
fi
for log in "$result"/out/*-console.log; do
    [ -f "$log" ] && grep -a -m1 'Command line:' "$log" | sed "s|^|$(basename "$log" -console.log): |" || true
done
echo "${passed:-0} passed, ${failed:-0} failed"
[ "$status" -eq 0 ] && [ "${failed:-0}" -eq 0 ]
