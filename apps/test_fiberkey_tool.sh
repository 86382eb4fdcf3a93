#!/usr/bin/env bash
# fiberkey-tool against the published vectors (../shared/vectors/README.md) and its
# error contract: one line on stderr, exit status 2.
set -u
tool=$1
fail=0
expect() { # expected command...
    local want=$1; shift
    local got
    got=$("$tool" "$@" 2>/dev/null)
    if [ "$got" != "$want" ]; then
        echo "FAIL: $* -> '$got', want '$want'"; fail=1
    fi
}
expect_error() { # command...
    local err rc
    err=$("$tool" "$@" 2>&1 >/dev/null); rc=$?
    if [ $rc -ne 2 ] || [ "$(printf '%s\n' "$err" | wc -l)" -ne 1 ]; then
        echo "FAIL: $* should exit 2 with one line on stderr (rc=$rc: $err)"; fail=1
    fi
}
expect 27bede74018082da zuc128 --key 00000000000000000000000000000000 --iv 00000000000000000000000000000000 --words 2
expect 0657cfa07096398b zuc128 --key ffffffffffffffffffffffffffffffff --iv ffffffffffffffffffffffffffffffff --words 2
expect 14f1c2723279c419 zuc128 --key 3D4C4BE96A82FDAEB58F641DB17B455B --iv 84319AA8DE6915CA1F6BDA6BFBD8C766 --words 2
expect 58d03ad62e032ce2dafc683a39bdcb0352a2bc67f1b7de74163ce3a101ef55589639d75b95fa681b7f090df756391ccc903b7612744d544c17bc3fad8b163b0821787c0b97775bb84943c6bbe8ad8afd \
    zuc256 --key "$(printf '00%.0s' $(seq 32))" --iv "$(printf '00%.0s' $(seq 25))" --words 20
expect 3356cbaed1a1c18b zuc256 --key "$(printf 'ff%.0s' $(seq 32))" --iv "$(printf 'ff%.0s' $(seq 17))$(printf '3f%.0s' $(seq 8))" --words 2
expect a6c85fc66afb8533aafc2518dfe784940ee1e4b030238cc800 eea3 --key 173D14BA5003731D7A60049470F00A29 --count 66035492 --bearer 15 --direction 0 --length 193 --in 6CF65340735552AB0C9752FA6F9025FE0BD675D9005875B200
expect 131d43e0dea1be5c5a1bfd971d852cbf712d7b4f57961fea3208afa8bca433f456ad09c7417e58bc69cf8866d1353f74865e80781d202dfb3ecff7fcbc3b190fe82a204ed0e350fc0f6f2613b2f2bca6df5a473a57a4a00d985ebad880d6f23864a07b01 \
    eea3 --key E5BD3EA0EB55ADE866C6AC58BD54302A --count 00056823 --bearer 0x18 --direction 1 --length 800 --in 14A8EF693D678507BBE7270A7F67FF5006C3525B9807E467C4E56000BA338F5D429559036751822246C80D3B38F07F4BE2D8FF5805F5132229BDE93BBBDCAF382BF1EE972FBF9977BADA8945847A2A6C9AD34A667554E04D1F7FA2C33241BD8F01BA220D
expect f555336501312ed77208c8fc30b5a44a7d097d6e744e1040075f4785126999d56eb23b972a eea3 --key 000102030405060708090A0B0C0D0E0F --count CF50724B --bearer 0 --direction 0 --length 296 --in "$(printf '00%.0s' $(seq 37))"
# 128-EIA3, Document 3 test sets 1 and 3; the ZUC-256 MAC, the 2018 paper's vectors.
expect c8a9595e eia3 --key 00000000000000000000000000000000 --count 0 --bearer 0 --direction 0 --length 1 --in 00
expect fae8ff0b eia3 --key C9E6CEC4607C72DB000AEFA88385AB0A --count A94059DA --bearer 0x0a --direction 1 --length 577 \
    --in 983B41D47D780C9E1AD11D7EB70391B1DE0B35DA2DC62F83E7B78D6306CA0EA07E941B7BE91348F9FCB170E2217FECD97F9F68ADB16E5D7D21E569D280ED775CEBDE3F4093C5388100
expect 673e54990034d38c zuc256-mac --key "$(printf '00%.0s' $(seq 32))" --iv "$(printf '00%.0s' $(seq 25))" --tag-bits 64 --length 400 --in "$(printf '00%.0s' $(seq 50))"
expect 3a83b554be408ca5494124ed9d473205 zuc256-mac --key "$(printf 'ff%.0s' $(seq 32))" --iv "$(printf 'ff%.0s' $(seq 17))$(printf '3f%.0s' $(seq 8))" \
    --tag-bits 128 --length 4000 --in "$(printf '11%.0s' $(seq 500))"

info=$(for i in $(seq 1 239); do printf '%02x' "$i"; done)
expect 017e93309be0039d1de228723d1ef44b rs255 --encode "$info"
expect ffff4e91 scrambler --bytes 4
expect_error rs255 --encode 00
expect_error scrambler --bytes 16825

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if "$tool" sm2-keygen "$tmp/node_a" >/dev/null; then
    [ "$(stat -c %a "$tmp/node_a.key")" = 600 ] || { echo "FAIL: private key mode"; fail=1; }
    if command -v openssl >/dev/null; then
        openssl pkey -in "$tmp/node_a.key" -noout || { echo "FAIL: openssl rejects .key"; fail=1; }
        openssl pkey -pubin -in "$tmp/node_a.pub" -noout || { echo "FAIL: openssl rejects .pub"; fail=1; }
    fi
else
    echo "FAIL: sm2-keygen"; fail=1
fi
expect_error sm2-keygen
expect_error sm2-keygen "$tmp/node_b" --fast
# Key files kept, links never followed: python/fiberkey/qa_bad_input.py.

# kme-pki: the test PKI of the ETSI GS QKD 014 key delivery, held against openssl.
expect_failure() { # command... : exit 1 with one line on stderr
    local err rc
    err=$("$tool" "$@" 2>&1 >/dev/null); rc=$?
    if [ $rc -ne 1 ] || [ "$(printf '%s\n' "$err" | wc -l)" -ne 1 ]; then
        echo "FAIL: $* should exit 1 with one line on stderr (rc=$rc: $err)"; fail=1
    fi
}
check() { # what command... : the command succeeds
    local what=$1; shift
    "$@" >/dev/null 2>&1 || { echo "FAIL: kme-pki: $what"; fail=1; }
}
check_not() { # what command... : the command fails
    local what=$1; shift
    ! "$@" >/dev/null 2>&1 || { echo "FAIL: kme-pki: $what"; fail=1; }
}
same() { # what got want
    [ "$2" = "$3" ] || { echo "FAIL: kme-pki: $1: '$2', want '$3'"; fail=1; }
}
sums() { (cd "$1" && sha256sum -- *); }
x509() { openssl x509 -in "$1" -noout "${@:2}" 2>/dev/null; }
ext() { x509 "$1" -ext "$2" | sed -n '2s/^ *//p'; } # the value of extension $2
pki=$tmp/pki
long_id=$(printf 'x%.0s' $(seq 64))
if ! command -v openssl >/dev/null; then
    echo "FAIL: kme-pki needs openssl to check it"; fail=1
elif ! "$tool" kme-pki "$pki" >"$tmp/pki.out"; then
    echo "FAIL: kme-pki $pki"; fail=1
else
    same "lines written" "$(wc -l <"$tmp/pki.out")" 11
    grep -q -- "--tls-dir $pki " "$tmp/pki.out" || { echo "FAIL: kme-pki: no usage line"; fail=1; }
    same "DIR mode" "$(stat -c %a "$pki")" 700
    check "chain" openssl verify -CAfile "$pki/ca.pem" "$pki"/{kme_a,kme_b,SAE_A,SAE_B}.pem
    check "KMEs as servers" openssl verify -purpose sslserver -CAfile "$pki/ca.pem" "$pki"/kme_{a,b}.pem
    check "KMEs and SAEs as clients" openssl verify -purpose sslclient -CAfile "$pki/ca.pem" "$pki"/{kme_a,kme_b,SAE_A,SAE_B}.pem
    check_not "an SAE as a server" openssl verify -purpose sslserver -CAfile "$pki/ca.pem" "$pki/SAE_A.pem"
    for f in ca kme_a kme_b SAE_A SAE_B; do
        same "$f.key mode" "$(stat -c %a "$pki/$f.key")" 600
        same "$f.pem mode" "$(stat -c %a "$pki/$f.pem")" 644
        same "$f.key the key of $f.pem" "$(openssl pkey -in "$pki/$f.key" -pubout 2>/dev/null)" "$(x509 "$pki/$f.pem" -pubkey)"
        openssl pkey -in "$pki/$f.key" -noout -text 2>/dev/null | grep -q 'ASN1 OID: prime256v1' ||
            { echo "FAIL: kme-pki: $f.key is not P-256"; fail=1; }
        x509 "$pki/$f.pem" -text | grep -q 'Version: 3 (0x2)' || { echo "FAIL: kme-pki: $f.pem not v3"; fail=1; }
        x509 "$pki/$f.pem" -text | grep -q 'Signature Algorithm: ecdsa-with-SHA256' ||
            { echo "FAIL: kme-pki: $f.pem not signed with SHA-256"; fail=1; }
        same "$f.pem authority key id" "$(ext "$pki/$f.pem" authorityKeyIdentifier)" "$(ext "$pki/ca.pem" subjectKeyIdentifier)"
        serial=$(x509 "$pki/$f.pem" -serial)
        [[ $serial =~ ^serial=[4-7][0-9A-F]{31}$ ]] || { echo "FAIL: kme-pki: $f.pem $serial"; fail=1; }
        echo "$serial" >>"$tmp/serials"
        check "$f.pem valid for 825 days" x509 "$pki/$f.pem" -checkend $((824 * 86400))
        check_not "$f.pem valid past 825 days" x509 "$pki/$f.pem" -checkend $((826 * 86400))
        start=$(date -d "$(x509 "$pki/$f.pem" -startdate | cut -d= -f2)" +%s)
        [ $((start - ($(date +%s) - 3600))) -le 5 ] && [ $(($(date +%s) - 3600 - start)) -le 120 ] ||
            { echo "FAIL: kme-pki: $f.pem starts at $start, not an hour ago"; fail=1; }
    done
    same "distinct serials" "$(sort -u "$tmp/serials" | wc -l)" 5
    for f in kme_a:KME_A kme_b:KME_B SAE_A:SAE_A SAE_B:SAE_B; do
        same "${f%%:*}.pem subject" "$(x509 "$pki/${f%%:*}.pem" -subject -nameopt RFC2253)" "subject=CN=${f#*:}"
    done
    same "CA basic constraints" "$(ext "$pki/ca.pem" basicConstraints)" "CA:TRUE, pathlen:0"
    same "CA key usage" "$(ext "$pki/ca.pem" keyUsage)" "Certificate Sign, CRL Sign"
    for f in kme_a kme_b SAE_A SAE_B; do
        same "$f basic constraints" "$(ext "$pki/$f.pem" basicConstraints)" "CA:FALSE"
        same "$f key usage" "$(ext "$pki/$f.pem" keyUsage)" "Digital Signature"
    done
    for f in kme_a kme_b; do
        same "$f extended key usage" "$(ext "$pki/$f.pem" extendedKeyUsage)" \
            "TLS Web Server Authentication, TLS Web Client Authentication"
        same "$f names" "$(ext "$pki/$f.pem" subjectAltName)" \
            "DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1"
    done
    for f in SAE_A SAE_B; do
        same "$f extended key usage" "$(ext "$pki/$f.pem" extendedKeyUsage)" "TLS Web Client Authentication"
    done

    # Again without --force: refused, nothing changed; so is a file in the way of a new SAE.
    sums "$pki" >"$tmp/sums.1"
    expect_failure kme-pki "$pki"
    expect_failure kme-pki "$pki" --sae SAE_A --sae NEW_1
    expect_failure kme-pki "$pki" --sae NEW_1 --kme-a KME_A
    ln -s "$tmp/outside" "$pki/NEW_1.key"
    echo "not a key" >"$tmp/outside"
    expect_failure kme-pki "$pki" --sae NEW_1
    rm "$pki/NEW_1.key"
    same "outside file after a link in the way" "$(cat "$tmp/outside")" "not a key"
    # The CA key is its owner's alone, or it is not used.
    chmod 640 "$pki/ca.key"
    expect_failure kme-pki "$pki" --sae NEW_1
    chmod 600 "$pki/ca.key"
    same "files after refusals" "$(sums "$pki")" "$(cat "$tmp/sums.1")"
    # New SAEs: only their files, signed by the CA there.
    if "$tool" kme-pki "$pki" --sae NEW_1 --sae "$long_id" --days 30 >"$tmp/pki.out"; then
        same "lines for new SAEs" "$(wc -l <"$tmp/pki.out")" 5
        same "old files after adding SAEs" "$(sums "$pki" | grep -v -e NEW_1 -e "$long_id")" "$(cat "$tmp/sums.1")"
        check "new SAEs signed by the CA" openssl verify -purpose sslclient -CAfile "$pki/ca.pem" "$pki/NEW_1.pem" "$pki/$long_id.pem"
        same "new SAE subject" "$(x509 "$pki/NEW_1.pem" -subject -nameopt RFC2253)" "subject=CN=NEW_1"
        same "new SAE key mode" "$(stat -c %a "$pki/NEW_1.key")" 600
        check_not "new SAE --days 30" x509 "$pki/NEW_1.pem" -checkend $((31 * 86400))
        same "new SAE key" "$(openssl pkey -in "$pki/NEW_1.key" -pubout 2>/dev/null)" "$(x509 "$pki/NEW_1.pem" -pubkey)"
    else
        echo "FAIL: kme-pki --sae NEW_1 on $pki"; fail=1
    fi
    # --force: a new CA, every file it writes replaced.
    sums "$pki" >"$tmp/sums.2"
    if "$tool" kme-pki "$pki" --force --kme-a KME_X >/dev/null; then
        for f in ca.pem ca.key kme_a.pem kme_a.key kme_b.pem kme_b.key SAE_A.pem SAE_A.key SAE_B.pem SAE_B.key; do
            [ "$(grep " $f\$" "$tmp/sums.2")" != "$(sums "$pki" | grep " $f\$")" ] ||
                { echo "FAIL: kme-pki --force kept $f"; fail=1; }
        done
        same "--kme-a subject" "$(x509 "$pki/kme_a.pem" -subject -nameopt RFC2253)" "subject=CN=KME_X"
        check "chain after --force" openssl verify -CAfile "$pki/ca.pem" "$pki"/{kme_a,kme_b,SAE_A,SAE_B}.pem
        check_not "an old SAE under the new CA" openssl verify -CAfile "$pki/ca.pem" "$pki/NEW_1.pem"
        # The KMEs there keep their IDs; a new SAE never outlives the CA.
        expect_error kme-pki "$pki" --sae KME_X
        if "$tool" kme-pki "$pki" --sae NEW_2 --days 3650 >/dev/null; then
            same "new SAE's end, the CA's" "$(x509 "$pki/NEW_2.pem" -enddate)" "$(x509 "$pki/ca.pem" -enddate)"
            check "new SAE under the new CA" openssl verify -CAfile "$pki/ca.pem" "$pki/NEW_2.pem"
        else
            echo "FAIL: kme-pki --sae NEW_2 after --force"; fail=1
        fi
    else
        echo "FAIL: kme-pki --force"; fail=1
    fi

    # Links in the way are never followed: refused, then replaced with --force.
    mkdir "$tmp/pki_link"
    ln -s "$tmp/outside" "$tmp/pki_link/kme_a.key"
    ln -s "$tmp/nowhere" "$tmp/pki_link/ca.pem"
    expect_failure kme-pki "$tmp/pki_link"
    same "files beside the links" "$(ls "$tmp/pki_link" | tr '\n' ' ')" "ca.pem kme_a.key "
    if "$tool" kme-pki "$tmp/pki_link" --force >/dev/null; then
        [ -f "$tmp/pki_link/kme_a.key" ] && [ ! -L "$tmp/pki_link/kme_a.key" ] && [ ! -L "$tmp/pki_link/ca.pem" ] ||
            { echo "FAIL: kme-pki --force left a link"; fail=1; }
        same "kme_a.key mode for a link" "$(stat -c %a "$tmp/pki_link/kme_a.key")" 600
        check "chain for links" openssl verify -CAfile "$tmp/pki_link/ca.pem" "$tmp/pki_link/kme_a.pem"
    else
        echo "FAIL: kme-pki --force over links"; fail=1
    fi
    same "a link's target" "$(cat "$tmp/outside")" "not a key"
    [ ! -e "$tmp/nowhere" ] || { echo "FAIL: kme-pki wrote through a dangling link"; fail=1; }
    check_not "another CA's SAE" openssl verify -CAfile "$pki/ca.pem" "$tmp/pki_link/SAE_A.pem"

    # Mutual TLS between openssl's server and client (loopback, a free high port).
    server=
    trap 'if [ -n "$server" ]; then kill "$server" 2>/dev/null; fi; rm -rf "$tmp"' EXIT
    for _ in 1 2 3 4 5; do
        port=$((20000 + RANDOM % 40000))
        openssl s_server -cert "$pki/kme_a.pem" -key "$pki/kme_a.key" -CAfile "$pki/ca.pem" -Verify 1 \
            -verify_return_error -accept "127.0.0.1:$port" -www >"$tmp/s_server.log" 2>&1 &
        server=$!
        for _ in $(seq 50); do # up to 5 s to listen
            grep -q ACCEPT "$tmp/s_server.log" || ! kill -0 "$server" 2>/dev/null && break
            sleep 0.1
        done
        grep -q ACCEPT "$tmp/s_server.log" && break
        kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; server=
    done
    request() { # client options...: the server's answer to a GET over TLS
        printf 'GET / HTTP/1.0\r\n\r\n' | timeout 10 openssl s_client -connect "127.0.0.1:$port" \
            -CAfile "$pki/ca.pem" -verify_return_error -verify_hostname localhost -ign_eof "$@" 2>&1
    }
    if [ -z "$server" ]; then
        echo "FAIL: kme-pki: openssl s_server did not start: $(tail -1 "$tmp/s_server.log")"; fail=1
    else
        answer=$(request -cert "$pki/SAE_A.pem" -key "$pki/SAE_A.key")
        grep -q 'HTTP/1.0 200 ok' <<<"$answer" && grep -q 'Subject: CN=SAE_A' <<<"$answer" ||
            { echo "FAIL: kme-pki: mutual TLS with SAE_A: $(grep -m1 -i error <<<"$answer")"; fail=1; }
        request | grep -q 'HTTP/1.0 200 ok' && { echo "FAIL: kme-pki: TLS without a client certificate"; fail=1; }
        request -cert "$tmp/pki_link/SAE_A.pem" -key "$tmp/pki_link/SAE_A.key" | grep -q 'HTTP/1.0 200 ok' &&
            { echo "FAIL: kme-pki: TLS with another CA's client certificate"; fail=1; }
        kill "$server"; wait "$server" 2>/dev/null; server=
    fi
fi
# Bad arguments: exit 2, one line, nothing made.
expect_error kme-pki
expect_error kme-pki --force
expect_error kme-pki "$tmp/bad" --sae a/b
expect_error kme-pki "$tmp/bad" --sae ''
expect_error kme-pki "$tmp/bad" --sae "${long_id}x"
expect_error kme-pki "$tmp/bad" --sae ..
expect_error kme-pki "$tmp/bad" --sae kme_a
expect_error kme-pki "$tmp/bad" --sae ca
expect_error kme-pki "$tmp/bad" --sae S --sae S
expect_error kme-pki "$tmp/bad" --sae KME_A
expect_error kme-pki "$tmp/bad" --kme-a 'K M E'
expect_error kme-pki "$tmp/bad" --kme-a K --kme-b K
expect_error kme-pki "$tmp/bad" --kme-a K --kme-a L
expect_error kme-pki "$tmp/bad" --days 0
expect_error kme-pki "$tmp/bad" --days 3651
expect_error kme-pki "$tmp/bad" --days 1x
expect_error kme-pki "$tmp/bad" --days
expect_error kme-pki "$tmp/bad" --force --force
expect_error kme-pki "$tmp/bad" --frobnicate 1
expect_error kme-pki "$tmp/bad" SAE_A
expect_error kme-pki "$tmp/outside"
[ ! -e "$tmp/bad" ] || { echo "FAIL: kme-pki made DIR on bad arguments"; fail=1; }

expect_error
expect_error frobnicate
expect_error zuc128 --key 00 --iv 00000000000000000000000000000000 --words 2
expect_error zuc128 --key 0000000000000000000000000000000g --iv 00000000000000000000000000000000 --words 2
expect_error zuc128 --key 00000000000000000000000000000000 --iv 00000000000000000000000000000000
expect_error zuc128 --key 00000000000000000000000000000000 --iv 00000000000000000000000000000000 --words -1
expect_error zuc256 --key "$(printf '00%.0s' $(seq 32))" --iv "$(printf 'ff%.0s' $(seq 25))" --words 2
expect_error eea3 --key 173D14BA5003731D7A60049470F00A29 --count 66035492 --bearer 32 --direction 0 --length 8 --in 00
expect_error eea3 --key 173D14BA5003731D7A60049470F00A29 --count 66035492 --bearer 1 --direction 2 --length 8 --in 00
expect_error eea3 --key 173D14BA5003731D7A60049470F00A29 --count 66035492 --bearer 1 --direction 0 --length 9 --in 00
expect_error eia3 --key 00000000000000000000000000000000 --count 0 --bearer 0 --direction 2 --length 1 --in 00
expect_error eia3 --key 00000000000000000000000000000000 --count 0 --bearer 0 --direction 0 --length 9 --in 00
expect_error zuc256-mac --key "$(printf '00%.0s' $(seq 32))" --iv "$(printf '00%.0s' $(seq 25))" --tag-bits 48 --length 8 --in 00
expect_error zuc256-mac --key "$(printf '00%.0s' $(seq 32))" --iv "$(printf 'ff%.0s' $(seq 25))" --tag-bits 32 --length 8 --in 00
if [ $fail -eq 0 ]; then echo "fiberkey-tool: all vectors and error cases pass"; fi
exit $fail
