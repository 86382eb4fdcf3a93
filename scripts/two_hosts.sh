#!/usr/bin/env bash
# Node A and node B (examples/two_hosts_node_a.grc, two_hosts_node_b.grc) as two processes
# in two network namespaces joined by a veth pair, the fiber's samples carried over
# ZeroMQ; both print their seed keys and this script checks that they agree. Where
# namespaces cannot be made (not root, no CAP_SYS_ADMIN) both run on 127.0.0.1.
#
# With --kme each node also runs its KME (ETSI GS QKD 014) on 127.0.0.1 of its own host,
# and an SAE beside each takes keys (SAE_A at node A's KME) and gets the same keys by
# their IDs (SAE_B at node B's).
#
# Usage: scripts/two_hosts.sh [--keys N] [--seconds T] [--seed S] [--batch-rounds N]
#                             [--pp-mode MODE] [--build DIR] [--out DIR] [--kme]
# Exit status 0 when both directions agreed on at least one seed key and no key differs
# (and with --kme, when SAE_B got the keys SAE_A took).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
keys=2 seconds=120 seed=0 batch_rounds=1000 pp_mode=patent build=$top/build out="" kme=0
while [ $# -gt 0 ]; do
    case $1 in
        --kme) kme=1; shift; continue ;;
        --keys) keys=$2 ;;
        --seconds) seconds=$2 ;;
        --seed) seed=$2 ;;
        --batch-rounds) batch_rounds=$2 ;;
        --pp-mode) pp_mode=$2 ;;
        --build) build=$2 ;;
        --out) out=$2 ;;
        *) echo "two_hosts: unknown argument $1" >&2; exit 2 ;;
    esac
    shift 2
done
work=$(mktemp -d /tmp/fiberkey-two-hosts.XXXXXX)
[ -n "$out" ] || out=$work
mkdir -p "$out"

# Unique names: this script may run more than once at a time.
id=$$
ns_a=fiberkey-a-$id ns_b=fiberkey-b-$id
netns=0 pids=()
cleanup() {
    [ ${#pids[@]} = 0 ] || kill "${pids[@]}" 2>/dev/null || true
    if [ $netns = 1 ]; then
        ip netns del "$ns_a" 2>/dev/null || true
        ip netns del "$ns_b" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export GRC_BLOCKS_PATH=$top/grc PYTHONPATH=$build/python${PYTHONPATH:+:$PYTHONPATH}
for n in a b; do
    grcc -o "$work" "$top/examples/two_hosts_node_$n.grc" >/dev/null
done

# The addresses live only inside the two namespaces made here.
if ip netns add "$ns_a" 2>/dev/null; then
    netns=1
    ip netns add "$ns_b"
    ip link add fk-a-$id netns "$ns_a" type veth peer name fk-b-$id netns "$ns_b"
    ip -n "$ns_a" addr add 10.201.0.1/30 dev fk-a-$id
    ip -n "$ns_b" addr add 10.201.0.2/30 dev fk-b-$id
    for ns in "$ns_a" "$ns_b"; do
        ip -n "$ns" link set lo up
    done
    ip -n "$ns_a" link set fk-a-$id up
    ip -n "$ns_b" link set fk-b-$id up
    addr_a=10.201.0.1 addr_b=10.201.0.2
    run_a=(ip netns exec "$ns_a") run_b=(ip netns exec "$ns_b")
    echo "two_hosts: node A in namespace $ns_a ($addr_a), node B in $ns_b ($addr_b)"
else
    addr_a=127.0.0.1 addr_b=127.0.0.1
    run_a=() run_b=()
    echo "two_hosts: no network namespaces here; both nodes on 127.0.0.1"
fi

common=(--keys "$keys" --seconds "$seconds" --batch-rounds "$batch_rounds" --pp-mode "$pp_mode")
kme_a=() kme_b=()
if [ $kme = 1 ]; then
    # Each KME on 127.0.0.1 of its own host (its certificate names that address); apart
    # on one host when there are no namespaces.
    port_a=8443 port_b=8444
    "$build/apps/fiberkey-tool" kme-pki "$work/tls" >/dev/null
    for n in a b; do
        (umask 077 && head -c 32 /dev/urandom >"$work/kme_$n.kek")
    done
    kme_a=(--kme-listen "127.0.0.1:$port_a" --tls-dir "$work/tls"
           --key-store "$work/kme_a.sqlite" --kek-file "$work/kme_a.kek")
    kme_b=(--kme-listen "127.0.0.1:$port_b" --tls-dir "$work/tls"
           --key-store "$work/kme_b.sqlite" --kek-file "$work/kme_b.kek")
fi
# A node stops by itself after --seconds; the watchdog bounds a flowgraph that hangs in
# its stop.
watchdog=()
[ "$seconds" -gt 0 ] && watchdog=(timeout -k 10 $((seconds + 40)))
# Each node's fiber output binds on its own address; the peer pulls from there.
"${run_a[@]}" "${watchdog[@]}" /usr/bin/python3 -u "$work/two_hosts_node_a.py" "${common[@]}" \
    --seed "$seed" --tx-address "tcp://$addr_a:5551" --rx-address "tcp://$addr_b:5552" \
    "${kme_a[@]}" >"$out/node_a.log" 2>&1 &
pids+=($!)
"${run_b[@]}" "${watchdog[@]}" /usr/bin/python3 -u "$work/two_hosts_node_b.py" "${common[@]}" \
    --seed "$seed" --tx-address "tcp://$addr_b:5552" --rx-address "tcp://$addr_a:5551" \
    "${kme_b[@]}" >"$out/node_b.log" 2>&1 &
pids+=($!)
sae_status=0
if [ $kme = 1 ]; then
    # While the nodes run: SAE_A takes a key at A, SAE_B gets it at B.
    sae=$top/scripts/two_hosts_sae.py
    if "${run_a[@]}" /usr/bin/python3 "$sae" enc $port_a "$work/tls" SAE_A SAE_B 1 "$seconds" \
        >"$out/sae_a.json" 2>"$out/sae.log" &&
        "${run_b[@]}" /usr/bin/python3 "$sae" dec $port_b "$work/tls" SAE_B SAE_A \
            "$out/sae_a.json" >>"$out/sae.log" 2>&1; then
        cat "$out/sae.log"
    else
        sae_status=1
    fi
fi
status=0
for pid in "${pids[@]}"; do
    wait "$pid" || status=$?
done
pids=()
fail() {
    tail -n 20 "$out"/node_a.log "$out"/node_b.log >&2
    echo "two_hosts: $1" >&2
    exit 1
}
[ $status = 0 ] || fail "a node failed (exit status $status)"

# Lines "seed key LABEL DIRECTION INDEX HEX": compare both ends' keys of each direction.
ok=1
for dir in AB BA; do
    # The key is the first 64 characters: GNU Radio's log lines (stderr, same file) can
    # run on at the end of a key line.
    { grep -h "^seed key A $dir " "$out/node_a.log" || true; } |
        awk '{print $5, substr($6, 1, 64)}' | sort >"$work/a_$dir"
    { grep -h "^seed key B $dir " "$out/node_b.log" || true; } |
        awk '{print $5, substr($6, 1, 64)}' | sort >"$work/b_$dir"
    common_keys=$(join "$work/a_$dir" "$work/b_$dir" | awk '$2 == $3' | wc -l)
    differ=$(join "$work/a_$dir" "$work/b_$dir" | awk '$2 != $3' | wc -l)
    echo "two_hosts: $dir: $common_keys seed keys agreed at both ends, $differ differ"
    [ "$common_keys" -ge 1 ] && [ "$differ" = 0 ] || ok=0
done
[ $ok = 1 ] || fail "the nodes did not agree on keys"
[ $sae_status = 0 ] || { cat "$out/sae.log" >&2; fail "the SAEs did not get the same keys"; }
echo "two_hosts: the keys agree"
