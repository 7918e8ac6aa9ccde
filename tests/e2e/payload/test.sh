#!/bin/bash
# xenmatchbox end to end, inside a real Xen dom0 (see shared/xen-e2e): the matchbox-compatible test
# server serves dom0's own kernel and initrd on 127.0.0.1; each scenario runs `xl create -c` with
# bootloader= xenmatchbox and is judged on what the domU kernel prints on its console.
set -uo pipefail

payload=$(cd "$(dirname "$0")" && pwd)
out=${XEN_E2E_OUT:-$payload/out}
work=/var/tmp/xmb-e2e
mkdir -p "$work" "$out"
export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1
failures=0
uuid=5eb0a0a4-0c6b-4b9a-9d3e-2f6a1c7b8d90
# The uuid of the domain that is looked up by its own uuid (a group of its own selects it).
labels_uuid=0f3c5a52-8d2e-4c41-9a7b-1e6d2c9f4b10

check() {
    local what=$1
    shift
    if "$@"; then
        echo "PASS  $what" | tee -a "$out/summary.txt"
    else
        echo "FAIL  $what" | tee -a "$out/summary.txt"
        failures=$((failures + 1))
    fi
}

# The package, as an operator installs it; man-db first (dom0 has none). man finds a page by its
# path without man-db's index, whose build took 130 s of the run under TCG: it is switched off.
# The outputs are kept for quoting: dpkg-i.txt, man.txt, version.txt.
echo 'man-db man-db/auto-update boolean false' | debconf-set-selections
dpkg -i "$payload"/man-db/*.deb >"$out/man-db-install.txt" 2>&1

# libvirt's Xen driver and virsh, from the packages run.sh downloaded: only those dom0's image
# lacks, without recommends. Bookworm's libvirt 9.0 has no modular virtxend; its systemd units and
# the users its QEMU driver needs come with libvirt-daemon-system (polkit, firewalling and more),
# so libvirtd is started by hand with the Xen (libxl) driver alone, which is what virtxend is.
SECONDS=0
DEBIAN_FRONTEND=noninteractive dpkg -i "$payload"/libvirt/*.deb >"$out/libvirt-install.txt" 2>&1
libvirt_status=$?
# Under QEMU's TCG, Xen's host CPU features match no model of libvirt's CPU map (not even 486:
# fpu, pse, vme), and the libxl driver refuses to start ("Cannot find suitable CPU model for given
# data"): the map gets a model that needs no feature, mounted over it for this run only.
cpu_map=$(dirname "$(dpkg -L libvirt0 | grep '/cpu_map/index\.xml$')")
tcg_map=/run/xmb-e2e-libvirt-cpu-map
mkdir -p "$tcg_map"
cp -a "$cpu_map/." "$tcg_map/"
printf "<cpus>\n  <model name='xmb-e2e-tcg'>\n    <decode host='on' guest='off'/>\n  </model>\n</cpus>\n" \
    >"$tcg_map/x86_xmb-e2e-tcg.xml"
sed -i "s|<include filename='x86_features.xml'/>|&\n    <include filename='x86_xmb-e2e-tcg.xml'/>|" "$tcg_map/index.xml"
mount --bind "$tcg_map" "$cpu_map"
drivers=/run/xmb-e2e-libvirt-drivers
mkdir -p "$drivers"
ln -sf "$(dpkg -L libvirt-daemon-driver-xen | grep '/libvirt_driver_libxl\.so$')" "$drivers/"
LIBVIRT_DRIVER_DIR=$drivers LIBVIRT_LOG_OUTPUTS="3:file:$out/libvirtd.log" libvirtd --daemon \
    >>"$out/libvirt-install.txt" 2>&1
for _ in $(seq 60); do virsh -c xen:///system version >"$out/virsh-version.txt" 2>&1 && break; sleep 2; done
echo "libvirt installed and libvirtd answering in ${SECONDS} s"
check "libvirt's Xen driver is installed and libvirtd answers on xen:///system" \
    bash -c "[ $libvirt_status -eq 0 ] && grep -q 'Running hypervisor: Xen' '$out/virsh-version.txt'"

# The file list before the package ever was here (after man-db and libvirt, which stay), to
# compare with the one after the purge: what is not xenmatchbox's own or the run's scratch.
snapshot() {
    find / -xdev \( -path /proc -o -path /sys -o -path /dev -o -path /run -o -path /tmp -o -path /var/tmp \
        -o -path /var/log -o -path /srv/payload \) -prune -o -print | LC_ALL=C sort
}
snapshot >"$out/files-before.txt"

dpkg -i "$payload"/xenmatchbox_*_amd64.deb >"$out/dpkg-i.txt" 2>&1
dpkg_status=$?
cat "$out/dpkg-i.txt"
# The conffile as the package installed it, put back after the scenarios that write their own.
cp -p /etc/xen/xenmatchbox.conf "$work/xenmatchbox.conf.packaged"
check "dpkg -i installed the xenmatchbox package" test "$dpkg_status" -eq 0
check "the package is installed with its conffile" \
    bash -c "dpkg-query -W -f='\${Status}' xenmatchbox | grep -q 'install ok installed' && dpkg-query -W -f='\${Conffiles}' xenmatchbox | grep -q /etc/xen/xenmatchbox.conf"
/usr/bin/xenmatchbox --version >"$out/version.txt" 2>&1
cat "$out/version.txt"
check "xenmatchbox --version names the release and the commit" grep -Eq '^xenmatchbox [0-9.]+ \((commit [0-9a-f]{12}|unknown commit)\)$' "$out/version.txt"
MANPAGER=cat MANWIDTH=80 man xenmatchbox 2>&1 | head -30 >"$out/man.txt"
cat "$out/man.txt"
check "man xenmatchbox shows the manual page" grep -q 'xenmatchbox - Xen bootloader' "$out/man.txt"
check "man 5 xenmatchbox.conf lists the keys" bash -c "MANPAGER=cat man 5 xenmatchbox.conf 2>&1 | grep -q 'cache-dir = path'"
check "the installed configuration file sets nothing" bash -c "! grep -v '^#' /etc/xen/xenmatchbox.conf | grep -q ."

# The TLS files and keys xenmatchbox reads, as an operator keeps them: root's, under /etc/xen. As
# root it reads only files that root alone can change, up to / (XMB-118), and the payload disk's
# files belong to whoever built it.
trusted=/etc/xen/xmb-e2e
install -d -o root -g root -m 0755 "$trusted"
install -o root -g root -m 0644 "$payload/tls/ca.crt" "$payload/tls/client.crt" "$payload/keys/matchbox.gpg" "$payload/keys/matchbox.asc" "$trusted/"
install -o root -g root -m 0600 "$payload/tls/client.key" "$trusted/"

# matchbox data: the group selects the MAC in Go's canonical form, which xenmatchbox must send
# although the config spells it 52-54-00-AA-BB-CC; the assets are dom0's own kernel and initrd.
mkdir -p "$work/data/groups" "$work/data/profiles" "$work/assets"
cp "$(ls -1 /boot/vmlinuz-* | sort -V | tail -1)" "$work/assets/vmlinuz"
cp "$(ls -1 /boot/initrd.img-* | sort -V | tail -1)" "$work/assets/initrd.img"
cat >"$work/data/groups/domu.json" <<'JSON'
{ "id": "domu", "profile": "domu", "selector": { "mac": "52:54:00:aa:bb:cc" } }
JSON
cat >"$work/data/profiles/domu.json" <<'JSON'
{ "id": "domu",
  "boot": { "kernel": "/assets/vmlinuz",
            "initrd": ["--name main /assets/initrd.img"],
            "args": ["console=hvc0", "root=/dev/xvda", "panic=5", "xmb.mac=${mac:hexhyp}", "xmb.uuid={{ .uuid }}"] } }
JSON
# Selected by the domain's own uuid, which xenmatchbox reads from xenstore; the args want its name too.
cat >"$work/data/groups/bydomain.json" <<JSON
{ "id": "bydomain", "profile": "bydomain", "selector": { "uuid": "$labels_uuid" } }
JSON
cat >"$work/data/profiles/bydomain.json" <<'JSON'
{ "id": "bydomain",
  "boot": { "kernel": "/assets/vmlinuz",
            "initrd": ["--name main /assets/initrd.img"],
            "args": ["console=hvc0", "root=/dev/xvda", "panic=5", "xmb.uuid=${uuid}", "xmb.name={{ .name }}"] } }
JSON

# Without tiered compilation: once, under QEMU's TCG, the JIT's background tier-up thread crashed
# inside libclrjit.so (a segfault in the test server, not in xenmatchbox, which is NativeAOT).
# matchbox's -key-ring-path: /ipxe.sig and /ipxe.asc, signed with the key run.sh made with GnuPG.
DOTNET_TieredCompilation=0 "$payload/testserver/xenmatchbox-testserver" serve --data-path "$work/data" --assets-path "$work/assets" \
    --address 127.0.0.1:8080 --rpc-address 127.0.0.1:8081 --key-ring-path "$payload/keys/signing.key" \
    --ca-file "$payload/tls/ca.crt" --cert-file "$payload/tls/server.crt" --key-file "$payload/tls/server.key" \
    >"$out/server.out" 2>"$out/server.err" &
server=$!
for _ in $(seq 300); do grep -q '^ready ' "$out/server.out" 2>/dev/null && break; sleep 0.2; done
check "the matchbox-compatible server started in dom0" grep -q '^ready ' "$out/server.out"

# A small domU disk: xl insists on one, and its init reports and powers off.
mkdir -p "$work/root"/{bin,sbin,dev,proc,sys}
cp /bin/busybox "$work/root/bin/busybox"
printf '#!/bin/busybox sh\n/bin/busybox mount -t proc proc /proc\necho "DOMU-INIT-OK: $(/bin/busybox cat /proc/cmdline)"\n/bin/busybox poweroff -f\n' \
    >"$work/root/sbin/init"
chmod 0755 "$work/root/sbin/init"
mkfs.ext4 -q -F -d "$work/root" "$work/domu.img" 64M >/dev/null
chmod 0644 "$work/domu.img"

# boot NAME TYPE MAC [VAR=VALUE...]: one `xl create -c`; leaves out/NAME-console.log, NAME-argv.txt.
# The config boots through xenmatchbox with the full bootloader_args for MAC, unless $body holds
# the lines to use instead (then MAC is unused).
boot() {
    local name=$1 type=$2 mac=$3 rc=0 limit=300
    shift 3
    local lines=${body:-"bootloader = \"$payload/argv-logger\"
bootloader_args = [ \"--server\", \"127.0.0.1\", \"--ca\", \"$trusted/ca.crt\",
                    \"--cert\", \"$trusted/client.crt\", \"--key\", \"$trusted/client.key\",
                    \"--lookup\", \"mac=$mac\", \"--lookup\", \"uuid=$uuid\" ]"}
    # Under QEMU's TCG, Xen's SVM cannot emulate RDTSCP for a PVH (HVM-container) guest ("SVM Insn
    # len emulation failed ... 0f 01 f9"): the domU kernel starts, prints its banner and command
    # line, then stalls. The verdict needs only those lines, so a PVH console is not waited on long.
    [ "$type" = pvh ] && limit=150
    cat >"$work/$name.cfg" <<CFG
name = "$name"
type = "$type"
uuid = "${domain_uuid:-$uuid}"
memory = 512
vcpus = 1
disk = [ "format=raw,vdev=xvda,access=rw,target=$work/domu.img" ]
$lines
on_poweroff = "destroy"
on_reboot = "destroy"
on_crash = "destroy"
CFG
    local log=$out/$name-console.log seen=0 xl
    env "$@" XMB_E2E_ARGV="$out/$name-argv.txt" \
        timeout -k 10 "$limit" script -qfec "xl -vvv create -c $work/$name.cfg" /dev/null \
        </dev/null >"$log" 2>&1 &
    xl=$!
    # The verdict is on the console once the domU kernel has printed its command line: wait for
    # its userspace a little longer (informational only), then stop the domain instead of waiting
    # for it to power off.
    while kill -0 "$xl" 2>/dev/null; do
        if grep -aq 'Command line:' "$log"; then
            seen=$((seen + 1))
            if [ "$seen" -ge 20 ] || grep -aq 'DOMU-INIT-OK' "$log"; then
                break
            fi
        fi
        sleep 2
    done
    # After a timeout or an xl abort the domain can still exist, possibly paused. Once the verdict
    # is on the console, xl itself has been seen to hang after the domain powered off (the whole
    # run's time went by): neither the destroy nor the wait may take long, so a stuck xl costs
    # this boot a bounded wait (then its kill), not the run.
    timeout -k 5 60 xl destroy "$name" >/dev/null 2>&1 || true
    ( sleep 30; kill -KILL "$xl" 2>/dev/null; pkill -KILL -f "xl -vvv create -c $work/$name.cfg" 2>/dev/null ) &
    local reaper=$!
    wait "$xl" || rc=$?
    kill "$reaper" 2>/dev/null || true
    wait "$reaper" 2>/dev/null || true
    echo "$name: xl create exited $rc"
    grep -a 'Command line:' "$out/$name-console.log" | head -1 | sed "s/^/$name: /"
}

kernel_booted() { grep -aq 'Linux version' "$out/$1-console.log"; }
args_expanded() {
    grep -a 'Command line:' "$out/$1-console.log" | grep -q "xmb.mac=52-54-00-aa-bb-cc xmb.uuid=$uuid"
}
nothing_left() { ! ls /var/lib/xen/bootloader.* >/dev/null 2>&1; }

boot pv pv 52-54-00-AA-BB-CC
check "pv: the domU kernel booted from matchbox" kernel_booted pv
check "pv: its command line has both variable styles expanded" args_expanded pv
check "pv: the first line xenmatchbox printed names its version" \
    bash -c "grep -a '^xenmatchbox: ' '$out/pv-console.log' | head -1 | grep -q '^xenmatchbox: version '"
check "pv: the console got no terminal set-up sequences from xenmatchbox" \
    bash -c "! grep -aqF \$'\\e[?1h' '$out/pv-console.log'"

boot restricted pv 52-54-00-AA-BB-CC LIBXL_BOOTLOADER_RESTRICT=1 LIBXL_BOOTLOADER_USER=xenboot
check "restricted: the domU kernel booted" kernel_booted restricted
check "restricted: its command line has both variable styles expanded" args_expanded restricted
check "restricted: libxl passed --runas=<xenboot's uid>" \
    grep -q -x "argv\[1\]=--runas=$(id -u xenboot)" "$out/restricted-argv.txt"
check "restricted: libxl passed --quiet" grep -q -x "argv\[2\]=--quiet" "$out/restricted-argv.txt"

boot pvh pvh 52-54-00-AA-BB-CC
check "pvh: the domU kernel booted" kernel_booted pvh
check "pvh: its command line has both variable styles expanded" args_expanded pvh

boot nomatch pv 52:54:00:00:00:99
check "nomatch: xl create failed with our one-line XMB-201 error" \
    grep -aq 'xenmatchbox: XMB-201: no matchbox group matches labels mac=52:54:00:00:00:99' "$out/nomatch-console.log" /var/log/xen/bootloader.*.log
check "nomatch: the domU kernel never started" bash -c "! grep -aq 'Linux version' '$out/nomatch-console.log'"
check "nothing of ours is left in /var/lib/xen" nothing_left

# The operator features. A host configuration file without a client certificate: every lookup
# below goes to matchbox's read-only /ipxe (HTTP-only mode), and a domU config names only labels.
printf 'server = 127.0.0.1\nhttpport = 8080\ncache-dir = %s\n' "$work/cache" >/etc/xen/xenmatchbox.conf
cp /etc/xen/xenmatchbox.conf "$out/xenmatchbox.conf"

# The domain's own uuid (for the lookup) and name (for the args), read from the real xenstore.
body="bootloader = \"$payload/argv-logger\"
bootloader_args = [ \"--lookup\", \"uuid\" ]" domain_uuid=$labels_uuid boot labels pv -
check "labels: looked up by its own uuid over HTTP, the domU kernel booted" kernel_booted labels
check "labels: its command line has the uuid and name from xenstore" \
    bash -c "grep -a 'Command line:' '$out/labels-console.log' | grep -q 'xmb.uuid=$labels_uuid xmb.name=labels'"
check "labels: the console showed the download progress" \
    grep -aEq 'kernel +[0-9.]+ [KMG]iB in [0-9.]+ s' "$out/labels-console.log"

# A dry run: what a boot would do, with nothing downloaded.
/usr/bin/xenmatchbox show --lookup mac=52:54:00:aa:bb:cc --lookup uuid=$uuid >"$out/show.txt" 2>&1
check "show: the report names the version" grep -q "^version:  " "$out/show.txt"
check "show: the plan, the asset sizes and libxl's bytes, nothing downloaded" \
    bash -c "grep -q '^download: .* nothing was downloaded' '$out/show.txt' && grep -q '^output:   simple0' '$out/show.txt'"

# Direct kernel boot: stage the assets, paste the printed stanza into a config without bootloader=.
/usr/bin/xenmatchbox stage --dir "$work/staged" --lookup mac=52:54:00:aa:bb:cc --lookup uuid=$uuid \
    >"$out/stage.txt" 2>"$out/stage.err"
check "stage: printed a kernel/ramdisk/cmdline stanza" grep -q '^cmdline = "' "$out/stage.txt"
body=$(cat "$out/stage.txt") boot staged pv -
check "staged: xl read the stanza and the domU kernel booted" kernel_booted staged
check "staged: its command line has both variable styles expanded" args_expanded staged

# Trust: a signed lookup (/ipxe.sig, text mode) and verified assets (URL.sig beside each, as a
# distribution publishes them), from the host configuration file; then an initrd changed after
# signing, which must be refused with nothing left behind.
keyid=$(cat "$payload/keys/keyid")
DOTNET_TieredCompilation=0 "$payload/testserver/xenmatchbox-testserver" sign --key-ring-path "$payload/keys/signing.key" \
    "$work/assets/vmlinuz" "$work/assets/initrd.img" 2>"$out/sign.err"
cp "$work/assets/initrd.img" "$work/assets/initrd-tampered.img"
cp "$work/assets/initrd.img.sig" "$work/assets/initrd-tampered.img.sig"
python3 -c 'import sys; f = open(sys.argv[1], "r+b"); f.seek(4096); b = f.read(1); f.seek(4096); f.write(bytes([b[0] ^ 0x40]))' \
    "$work/assets/initrd-tampered.img"
for case in signed:initrd.img:c1 tampered:initrd-tampered.img:c2; do
    IFS=: read -r name initrd mac <<<"$case"
    cat >"$work/data/groups/$name.json" <<JSON
{ "id": "$name", "profile": "$name", "selector": { "mac": "52:54:00:aa:bb:$mac" } }
JSON
    cat >"$work/data/profiles/$name.json" <<JSON
{ "id": "$name",
  "boot": { "kernel": "/assets/vmlinuz",
            "initrd": ["--name main /assets/$initrd"],
            "args": ["console=hvc0", "root=/dev/xvda", "panic=5", "xmb.mac=\${mac:hexhyp}", "xmb.uuid={{ .uuid }}"] } }
JSON
done
printf 'lookup-key = %s\nverify-assets = required\nasset-key = %s\n' "$trusted/matchbox.gpg" "$trusted/matchbox.asc" \
    >>/etc/xen/xenmatchbox.conf
cp /etc/xen/xenmatchbox.conf "$out/xenmatchbox-trust.conf"
body="bootloader = \"$payload/argv-logger\"
bootloader_args = [ \"--lookup\", \"mac=52:54:00:aa:bb:c1\", \"--lookup\", \"uuid=$uuid\" ]" boot signed pv -
check "signed: the lookup answer was verified against /ipxe.sig (key $keyid)" \
    grep -aq "xenmatchbox: profile /ipxe?mac=52:54:00:aa:bb:c1&uuid=$uuid matches .*, verified ($keyid)" "$out/signed-console.log"
check "signed: the kernel and the ramdisk were verified against their .sig" \
    bash -c "grep -aq 'kernel .*, verified ($keyid)' '$out/signed-console.log' && grep -aq 'ramdisk .*, verified ($keyid)' '$out/signed-console.log'"
check "signed: the domU kernel booted" kernel_booted signed
/usr/bin/xenmatchbox show --lookup mac=52:54:00:aa:bb:c1 --lookup uuid=$uuid >"$out/show-signed.txt" 2>&1
check "show: names the lookup's signer and each asset's" \
    bash -c "grep -q '^          verified: key $keyid' '$out/show-signed.txt' && grep -q 'initrd.img.sig: key $keyid' '$out/show-signed.txt'"
# The operator's doctor, with the host configuration file as it stands (HTTP-only, keys, cache).
/usr/bin/xenmatchbox check --lookup mac=52:54:00:aa:bb:c1 --lookup uuid=$uuid >"$out/check.txt" 2>&1
check_status=$?
cat "$out/check.txt"
# (dom0's small disk has less room than --cache-size: that line is a warning, which exits 0.)
check "check: no line failed and it exited 0" \
    bash -c "[ $check_status -eq 0 ] && grep -q '^check: [0-9]* passed, [0-9]* warned, 0 failed, 0 not tried' '$out/check.txt'"
body="bootloader = \"$payload/argv-logger\"
bootloader_args = [ \"--lookup\", \"mac=52:54:00:aa:bb:c2\", \"--lookup\", \"uuid=$uuid\" ]" boot tampered pv -
check "tampered: xl create failed with XMB-706 for the ramdisk" \
    grep -aq 'xenmatchbox: XMB-706: the ramdisk http://127.0.0.1:8080/assets/initrd-tampered.img does not match its signature' \
    "$out/tampered-console.log"
check "tampered: the domU kernel never started" bash -c "! grep -aq 'Linux version' '$out/tampered-console.log'"
check "tampered: nothing of ours is left in /var/lib/xen" nothing_left
cp -p "$work/xenmatchbox.conf.packaged" /etc/xen/xenmatchbox.conf

# libvirt: `virsh create` of a PV and a PVH domain whose <bootloader_args> hold the server and
# lookup flags as ONE string, which libvirt's libxl driver passes to libxl (and so to xenmatchbox)
# as one argument; <cmdline> becomes libxl's --args. libvirt attaches no console: the verdict is
# in the console log xenconsoled keeps (/var/log/xen/console/guest-NAME.log).
# virsh_boot NAME TYPE: leaves out/NAME-console.log, NAME.xml and NAME-create.txt.
virsh_boot() {
    local name=$1 type=$2 os log=/var/log/xen/console/guest-$1.log seen=0
    case $type in
    pv) os="<type arch='x86_64' machine='xenpv'>linux</type>" ;;
    pvh) os="<type arch='x86_64' machine='xenpvh'>xenpvh</type>" ;;
    esac
    cat >"$out/$name.xml" <<XML
<domain type='xen'>
  <name>$name</name>
  <uuid>$uuid</uuid>
  <memory unit='MiB'>512</memory>
  <vcpu>1</vcpu>
  <bootloader>/usr/bin/xenmatchbox</bootloader>
  <bootloader_args>--server 127.0.0.1 --ca $trusted/ca.crt --cert $trusted/client.crt --key $trusted/client.key
    --lookup mac=52:54:00:aa:bb:cc --lookup 'uuid=$uuid'</bootloader_args>
  <os>
    $os
    <cmdline>xmb.via=libvirt</cmdline>
  </os>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>destroy</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <disk type='file' device='disk'>
      <source file='$work/domu.img'/>
      <target dev='xvda' bus='xen'/>
    </disk>
    <console type='pty'>
      <target type='xen' port='0'/>
    </console>
  </devices>
</domain>
XML
    rm -f "$log"
    local rc=0 polls=75
    timeout -k 10 240 virsh -c xen:///system create "$out/$name.xml" >"$out/$name-create.txt" 2>&1 || rc=$?
    echo "$name: virsh create exited $rc ($(head -1 "$out/$name-create.txt"))"
    [ "$rc" -eq 0 ] || polls=0
    # As for xl: once the command line is on the console, a little longer for the domU's init.
    for _ in $(seq "$polls"); do
        if grep -aq 'Command line:' "$log" 2>/dev/null; then
            seen=$((seen + 1))
            if [ "$seen" -ge 20 ] || grep -aq 'DOMU-INIT-OK' "$log"; then break; fi
        fi
        sleep 2
    done
    timeout -k 5 60 virsh -c xen:///system destroy "$name" >/dev/null 2>&1 || true
    cp "$log" "$out/$name-console.log" 2>/dev/null || : >"$out/$name-console.log"
    grep -a 'Command line:' "$out/$name-console.log" | head -1 | sed "s/^/$name: /"
}
virsh_args_expanded() {
    grep -a 'Command line:' "$out/$1-console.log" | grep -q "xmb.mac=52-54-00-aa-bb-cc xmb.uuid=$uuid xmb.via=libvirt"
}
virsh_boot virsh-pv pv
check "virsh-pv: virsh create booted the PV domU through xenmatchbox" kernel_booted virsh-pv
check "virsh-pv: its command line has the profile's args expanded and libvirt's <cmdline>" virsh_args_expanded virsh-pv
virsh_boot virsh-pvh pvh
check "virsh-pvh: virsh create booted the PVH domU through xenmatchbox" kernel_booted virsh-pvh
check "virsh-pvh: its command line has the profile's args expanded and libvirt's <cmdline>" virsh_args_expanded virsh-pvh
check "virsh: nothing of ours is left in /var/lib/xen" nothing_left

kill "$server" 2>/dev/null
wait "$server" 2>/dev/null
rm -rf "$trusted"

# The package's life after the boots: the operator edits the conffile; an upgrade to a higher
# version keeps the edit without asking (dpkg without --force-conf*, stdin /dev/null: a prompt
# would fail); remove keeps the conffile and the cache; purge leaves nothing of the package.
printf '# The operator edited this before the upgrade.\ncache-size = 2G\n' >>/etc/xen/xenmatchbox.conf
cp /etc/xen/xenmatchbox.conf "$out/conffile-edited.txt"
new_deb=$(ls "$payload"/upgrade/xenmatchbox_*_amd64.deb)
DEBIAN_FRONTEND=noninteractive dpkg -i "$new_deb" </dev/null >"$out/dpkg-upgrade.txt" 2>&1
upgrade_status=$?
cat "$out/dpkg-upgrade.txt"
new_version=$(dpkg-deb -f "$new_deb" Version)
check "upgrade: dpkg -i of $new_version exited 0 without a prompt" test "$upgrade_status" -eq 0
check "upgrade: the installed version is $new_version" \
    bash -c "[ \"\$(dpkg-query -W -f='\${Version}' xenmatchbox)\" = '$new_version' ]"
check "upgrade: the operator's edit of the conffile is kept" cmp -s "$out/conffile-edited.txt" /etc/xen/xenmatchbox.conf
check "upgrade: no .dpkg-new or .dpkg-old beside the conffile" \
    bash -c "! ls /etc/xen/xenmatchbox.conf.dpkg-* >/dev/null 2>&1"
dpkg -r xenmatchbox </dev/null >"$out/dpkg-r.txt" 2>&1
remove_status=$?
check "remove: dpkg -r exited 0 and the program is gone" bash -c "[ $remove_status -eq 0 ] && [ ! -e /usr/bin/xenmatchbox ]"
check "remove: the conffile (with the edit) and /var/cache/xenmatchbox are kept" \
    bash -c "cmp -s '$out/conffile-edited.txt' /etc/xen/xenmatchbox.conf && [ -d /var/cache/xenmatchbox ]"
dpkg -P xenmatchbox </dev/null >"$out/dpkg-P.txt" 2>&1
purge_status=$?
check "purge: dpkg -P exited 0; the conffile and /var/cache/xenmatchbox are gone" \
    bash -c "[ $purge_status -eq 0 ] && [ ! -e /etc/xen/xenmatchbox.conf ] && [ ! -e /var/cache/xenmatchbox ]"
snapshot >"$out/files-after.txt"
diff "$out/files-before.txt" "$out/files-after.txt" >"$out/files-diff.txt"
echo "files left or gone after the purge, against before the install ($(wc -l <"$out/files-before.txt") files):"
sed 's/^/  /' "$out/files-diff.txt"
check "purge: the file list equals the one before the first install" test ! -s "$out/files-diff.txt"
ls -la /var/lib/xen >"$out/var-lib-xen.txt" 2>&1
cp -r /var/log/xen "$out/var-log-xen"
echo "$failures check(s) failed" | tee -a "$out/summary.txt"
[ "$failures" -eq 0 ]
