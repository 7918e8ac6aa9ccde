# Shared by scripts/demo and bench/: build the programs, start the test suite's matchbox-compatible
# server on 127.0.0.1, and lay out what libxl prepares for a bootloader. Source it from the repo root.

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# build_programs: sets $xenmatchbox (NativeAOT) and $testserver.
build_programs() {
    dotnet publish src/XenMatchbox.App -c Release -o artifacts/aot -nologo -v quiet -clp:NoSummary
    dotnet build tests/XenMatchbox.TestServer -c Release -o artifacts/testserver -nologo -v quiet -clp:NoSummary
    xenmatchbox=$PWD/artifacts/aot/xenmatchbox
    testserver=$PWD/artifacts/testserver/xenmatchbox-testserver
}

# trusted_dir: sets $trusted to a new directory for the files xenmatchbox reads (TLS files, keys),
# once; stop_matchbox removes it. Run as root, xenmatchbox reads such a file only when root alone
# can change it and every directory above it (XMB-118), so never one under /tmp (writable by
# everyone): as root the directory is made under /run (root's, 0755), otherwise in $TMPDIR.
trusted_dir() {
    if [ -z "${trusted:-}" ]; then
        if [ "$(id -u)" -eq 0 ]; then
            trusted=$(mktemp -d /run/xenmatchbox-trusted.XXXXXX)
        else
            trusted=$(mktemp -d -t xenmatchbox-trusted.XXXXXX)
        fi
    fi
}

# start_matchbox WORK [SERVE-FLAGS...]: serves WORK/data and WORK/assets with a fresh PKI in
# $trusted/tls (see trusted_dir); sets $server_pid, $http_port and $grpc_port. Stop it with
# stop_matchbox.
start_matchbox() {
    local work=$1 http grpc
    shift
    trusted_dir
    mkdir -p "$trusted/tls"
    "$testserver" certs --out "$trusted/tls" --san 127.0.0.1,localhost >/dev/null
    "$testserver" serve --data-path "$work/data" --assets-path "$work/assets" \
        --address 127.0.0.1:0 --rpc-address 127.0.0.1:0 \
        --ca-file "$trusted/tls/ca.crt" --cert-file "$trusted/tls/server.crt" --key-file "$trusted/tls/server.key" "$@" \
        >"$work/server.out" 2>"$work/server.err" &
    server_pid=$!
    for _ in $(seq 100); do
        grep -q '^ready ' "$work/server.out" 2>/dev/null && break
        kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.err" >&2; return 1; }
        sleep 0.1
    done
    read -r _ http grpc <"$work/server.out"
    http_port=${http##*:}
    grpc_port=${grpc##*:}
}

# sign_assets WORK FILE...: a GnuPG key made for this run (GnuPG is installed when missing), its
# public part exported to $trusted/signing.gpg (see trusted_dir: run as root, xenmatchbox reads a
# key file only where root alone can change it, XMB-118), and a detached signature FILE.sig beside
# each FILE, as matchbox serves them for --verify-assets.
sign_assets() {
    local work=$1 file
    shift
    command -v gpg >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y gnupg >/dev/null
    mkdir -m 0700 "$work/gnupg"
    gpg_batch() { gpg --homedir "$work/gnupg" --batch --pinentry-mode loopback --passphrase '' "$@"; }
    gpg_batch --quick-gen-key 'xenmatchbox bench <bench@xmb.test>' rsa2048 sign never 2>/dev/null
    trusted_dir
    gpg_batch --export >"$trusted/signing.gpg"
    for file in "$@"; do gpg_batch --detach-sign -o "$file.sig" "$file"; done
    gpgconf --homedir "$work/gnupg" --kill all 2>/dev/null || true
}

# The real matchbox (v0.9.0, the static binary in ../shared/tools/matchbox beside the repository),
# which the benchmarks measure against; empty when it is not there (a clone without ../shared).
real_matchbox_archive() {
    local archive
    archive=$(realpath -m ../shared/tools/matchbox/matchbox-v0.9.0-linux-amd64.xz)
    [ -f "$archive" ] && echo "$archive" || true
}

# start_real_matchbox WORK: the real matchbox serving WORK/data and WORK/assets, its gRPC API behind
# mutual TLS with a fresh PKI in $trusted/tls (see trusted_dir), on free ports of 127.0.0.1; sets
# $server_pid, $http_port and $grpc_port. Stop it with stop_matchbox.
start_real_matchbox() {
    local work=$1 archive
    archive=$(real_matchbox_archive)
    [ -n "$archive" ] || { echo "no ../shared/tools/matchbox: the real matchbox is not beside this repository" >&2; return 1; }
    trusted_dir
    mkdir -p "$trusted/tls"
    "$testserver" certs --out "$trusted/tls" --san 127.0.0.1,localhost >/dev/null
    xz -dc "$archive" >"$work/matchbox"
    chmod +x "$work/matchbox"
    local free
    free=$(python3 -c 'import socket
ports = []
for _ in range(2):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); ports.append(s); 
print(" ".join(str(s.getsockname()[1]) for s in ports))')
    read -r http_port grpc_port <<<"$free"
    "$work/matchbox" -address="127.0.0.1:$http_port" -rpc-address="127.0.0.1:$grpc_port" \
        -data-path="$work/data" -assets-path="$work/assets" \
        -ca-file="$trusted/tls/ca.crt" -cert-file="$trusted/tls/server.crt" -key-file="$trusted/tls/server.key" \
        >"$work/server.out" 2>"$work/server.err" &
    server_pid=$!
    for _ in $(seq 100); do
        [ "$(curl -sf "http://127.0.0.1:$http_port/" 2>/dev/null)" = matchbox ] && return 0
        kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.err" >&2; return 1; }
        sleep 0.1
    done
    echo "matchbox did not answer on 127.0.0.1:$http_port" >&2
    return 1
}

# start_server WORK [TEST-SERVER-FLAGS...]: the real matchbox, or with MATCHBOX=test (or when
# ../shared/tools/matchbox is missing, said on standard error) the test suite's server; sets
# $server_kind ("matchbox v0.9.0" or "test server").
start_server() {
    local work=$1
    shift
    if [ "${MATCHBOX:-real}" != test ] && [ -n "$(real_matchbox_archive)" ]; then
        server_kind="matchbox v0.9.0"
        start_real_matchbox "$work"
    else
        [ "${MATCHBOX:-real}" = test ] ||
            echo "no ../shared/tools/matchbox beside the repository: measuring against the test server (put shared/tools/matchbox/matchbox-v0.9.0-linux-amd64.xz beside the clone to measure the real matchbox)" >&2
        server_kind="test server"
        start_matchbox "$work" "$@"
    fi
}

stop_matchbox() {
    if [ -n "${server_pid:-}" ]; then
        kill -TERM "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
        server_pid=
    fi
    if [ -n "${trusted:-}" ]; then
        rm -rf "$trusted"
        trusted=
    fi
}

# libxl_prepare XENLIB DOMID: the empty 0600 output file and the 0600 output directory libxl makes.
libxl_prepare() {
    rm -rf "$1/bootloader.$2.d" "$1/bootloader.$2.out"
    mkdir -p "$1/bootloader.$2.d"
    chmod 0600 "$1/bootloader.$2.d"
    install -m 0600 /dev/null "$1/bootloader.$2.out"
}

# matchbox_args: bootloader_args reaching the server started by start_matchbox.
matchbox_args() {
    printf '%s\n' --server 127.0.0.1 --httpport "$http_port" --grpcport "$grpc_port" \
        --ca "$trusted/tls/ca.crt" --cert "$trusted/tls/client.crt" --key "$trusted/tls/client.key"
}
