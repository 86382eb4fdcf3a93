#
# Copyright 2026 The gr-fiberkey authors.
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""One end of a fiberkey link as a hierarchical block."""
import os
import sys
import threading
import time

from gnuradio import gr

from .fiberkey_python import (int_channel, key_delivery, key_exchange, key_post_processor,
                              line_decoder,
                              line_encoder, negotiator, otu_demux, otu_mux,
                              parse_quantizer_mode, tap_alarm_guard, zuc_crypt)

#: Where a node's post-processors take their rounds from (the rounds_source argument).
ROUNDS_SOURCES = ("negotiator", "external")


class node(gr.hier_block2):
    """One node (A or B) of the link: the transmit chain (mux, ZUC, G.709 line encoder)
    and the receive chain (G.709 line decoder, ZUC, demux), the INT message channel and
    the initial key exchange, wired as protocol.md describes.

    Inputs: 0 = client bytes to send, 1 = hard line bits from the peer.
    Outputs: 0 = line bits to the peer, 1 = client bytes received.
    Line bits are one per byte (what a modulator takes and a slicer gives), or with
    packed_line eight per byte, MSB first: the cheap form where the line is a plain byte
    channel between two nodes (no modulator, no slicer). Both nodes must agree.

    key_mode "sm2": the nodes run the SM2 exchange over the link (files and IDs needed);
    "psk": psk_hex holds K_AB || K_BA. Until its keys are agreed a node sends frames in
    the clear carrying the INT block only.

    negotiate: run the rounds of protocol.md section 5 (the negotiator; its "rounds"
    port gives the per-round counts). The mux then waits for the negotiator's NEG
    blocks, pipeline_frames of which are primed at start, so that both ends run in lock
    step with a new round every frame. seed != 0 makes the arrays reproducible, for tests
    only.

    post_process: a key post-processor for each direction (leader of its own, follower of
    the peer's: pp_own and pp_peer), talking to the peer's over the INT channel; with
    rekey their seed keys become the next session keys of the node's transmitting and
    receiving crypt blocks. pp_mode (a mode name, checked by fiberkey.parse_quantizer_mode)
    and bits_per_round go to both post-processors: "multilevel" (default, q = 4 levels of
    3..5: the most key), "soft" (q = 3 is its best), "equiprobable" or "patent" (the
    patent's, with guard band alpha); bits_per_round 0 (default) takes the mode's own q;
    batch_rounds is n;
    see key_post_processor and fiberkey.post_processing_settings.

    rounds_source, where the post-processors take their per-round counts from:
    "negotiator" (default): this node's negotiator's "rounds" (needs negotiate);
    "external": the node's message input "pp_rounds", wired to both post-processors'
    "rounds" inputs, e.g. from a model_rounds block (the negotiator, if any, still runs
    and paces the link, and the node's "rounds" output still gives its counts). Without
    post_process there is no "pp_rounds" and rounds_source is not used.

    tap_guard (needs post_process): a tap_alarm_guard holds both post-processors while
    this node's tap alarm (message input "tap_alarm", from a link_monitor's "alarm") or
    the peer's stands, and tells the peer over INT. For the link monitor the node gives
    its line decoder's "frame_status" and "status" as message outputs "rx_frame_status"
    and "rx_status" (always).

    link_key_period (default 4): every period-th seed key re-keys the link, the others
    are application keys (key_post_processor); 1: all re-key the link.

    kme_listen "HOST:PORT" (needs post_process): a key_delivery block, the node's KME of
    ETSI GS QKD 014, serves the application keys of both directions to the SAE sae_id
    (default SAE_A on A, SAE_B on B) towards the peer's SAE peer_sae_id, as KME_A or
    KME_B. kme_tls_dir holds ca.pem and kme_a.pem / kme_a.key (or kme_b.*), as
    `fiberkey-tool kme-pki` makes them; kme_store is the SQLite key store, kme_kek_file
    its key-encryption key (docs/key-service.md). The block is node.kme.

    integrity (default True): every encrypted frame carries a ZUC-256 integrity tag,
    sealed by tx_crypt and verified by rx_crypt before anything of it goes on (frames
    that fail are dropped and counted: rx_crypt.frames_rejected_by_tag()). Both nodes
    must agree.

    Every argument after name and key_mode is keyword-only.
    """

    def __init__(self, name="A", key_mode="psk", *, psk_hex="", own_key_file="",
                 peer_public_file="", own_id="", peer_id="", fec=True, backend="auto",
                 first_counter=0, negotiate=False, bits=496, seed=0, pipeline_frames=32,
                 post_process=False, pp_mode="multilevel", bits_per_round=0, batch_rounds=1000,
                 alpha=0.5, rekey=True, rounds_source="negotiator", integrity=True,
                 packed_line=False, tap_guard=False, link_key_period=4, kme_listen="",
                 kme_tls_dir="", kme_store="", kme_kek_file="", sae_id="", peer_sae_id=""):
        gr.hier_block2.__init__(
            self, f"fiberkey_node_{name}",
            gr.io_signature(2, 2, gr.sizeof_char),
            gr.io_signature(2, 2, gr.sizeof_char))
        self.message_port_register_hier_out("rounds")
        self.message_port_register_hier_out("seed_keys")
        self.message_port_register_hier_out("rx_frame_status")
        self.message_port_register_hier_out("rx_status")
        if name not in ("A", "B"):
            raise ValueError("name must be 'A' or 'B'")
        if rounds_source not in ROUNDS_SOURCES:
            raise ValueError(f"rounds_source must be 'negotiator' or 'external', "
                             f"not {rounds_source!r}")
        if post_process:
            parse_quantizer_mode(pp_mode)  # ValueError naming the valid modes
            if rounds_source == "negotiator" and not negotiate:
                raise ValueError("post_process takes its rounds from the negotiator: set "
                                 "negotiate=True, or rounds_source='external'")
            if rounds_source == "external":
                self.message_port_register_hier_in("pp_rounds")
        if tap_guard:
            if not post_process:
                raise ValueError("tap_guard holds the post-processors: set post_process=True")
            self.message_port_register_hier_in("tap_alarm")
        if kme_listen and not post_process:
            raise ValueError("a KME serves the post-processors' application keys: set "
                             "post_process=True")
        direction = 0 if name == "A" else 1
        peer_direction = 1 - direction
        clear = key_mode == "sm2"

        self.mux = otu_mux(first_counter, 64, negotiate)
        self.tx_crypt = zuc_crypt(direction, True, [], 0, backend, clear, integrity)
        self.encoder = line_encoder(fec, packed_line)
        self.decoder = line_decoder(fec, 246, packed_line)
        self.rx_crypt = zuc_crypt(peer_direction, False, [], 0, backend, clear, integrity)
        self.demux = otu_demux()
        self.channel = int_channel(78, 1024, 4)
        self.keys = key_exchange(name, key_mode, own_key_file, peer_public_file,
                                 own_id, peer_id, psk_hex)

        self.connect((self, 0), self.mux, self.tx_crypt, self.encoder, (self, 0))
        self.connect((self, 1), self.decoder, self.rx_crypt, self.demux, (self, 1))
        self.msg_connect(self.demux, "int", self.channel, "rx_int")
        self.msg_connect(self.channel, "tx_int", self.mux, "int")
        self.msg_connect(self.channel, "recv", self.keys, "recv")
        self.msg_connect(self.keys, "send", self.channel, "send")
        self.msg_connect(self.keys, "tx_key", self.tx_crypt, "key")
        self.msg_connect(self.keys, "rx_key", self.rx_crypt, "key")
        self.msg_connect(self.decoder, "frame_status", self, "rx_frame_status")
        self.msg_connect(self.decoder, "status", self, "rx_status")
        if negotiate:
            self.negotiator = negotiator(name, bits, seed, pipeline_frames)
            self.msg_connect(self.demux, "blocks", self.negotiator, "rx")
            self.msg_connect(self.negotiator, "neg", self.mux, "neg")
            # Lock step needs frames coming in; out of frame the mux is paced by the
            # line periods its receiver takes.
            self.msg_connect(self.decoder, "status", self.mux, "rx_status")
            self.msg_connect(self.decoder, "line_periods", self.mux, "line_periods")
            self.msg_connect(self.decoder, "status", self.negotiator, "rx_status")
            self.msg_connect(self.negotiator, "rounds", self, "rounds")
        if post_process:
            self.pp_own = key_post_processor(direction, True, pp_mode, bits_per_round,
                                             batch_rounds, alpha, -64, rekey,
                                             link_key_period)
            self.pp_peer = key_post_processor(peer_direction, False, pp_mode,
                                              bits_per_round, batch_rounds, alpha, -64, rekey,
                                              link_key_period)
            for pp in (self.pp_own, self.pp_peer):
                if rounds_source == "negotiator":
                    self.msg_connect(self.negotiator, "rounds", pp, "rounds")
                else:
                    self.msg_connect(self, "pp_rounds", pp, "rounds")
                self.msg_connect(self.channel, "recv", pp, "recv")
                self.msg_connect(pp, "send", self.channel, "send")
                self.msg_connect(pp, "seed_keys", self, "seed_keys")
            self.msg_connect(self.pp_own, "session_key", self.tx_crypt, "key")
            self.msg_connect(self.pp_peer, "session_key", self.rx_crypt, "key")
        self.guard = None
        if tap_guard:
            self.guard = tap_alarm_guard()
            self.msg_connect(self, "tap_alarm", self.guard, "alarm")
            self.msg_connect(self.channel, "recv", self.guard, "recv")
            self.msg_connect(self.guard, "send", self.channel, "send")
            for pp in (self.pp_own, self.pp_peer):
                self.msg_connect(self.guard, "hold", pp, "hold")
        self.kme = None
        if kme_listen:
            own, peer = ("a", "b") if name == "A" else ("b", "a")
            tls = kme_tls_dir or "."
            self.kme = key_delivery(
                f"KME_{own.upper()}", f"KME_{peer.upper()}",
                sae_id or f"SAE_{own.upper()}", peer_sae_id or f"SAE_{peer.upper()}",
                direction, kme_listen, os.path.join(tls, "ca.pem"),
                os.path.join(tls, f"kme_{own}.pem"), os.path.join(tls, f"kme_{own}.key"),
                kme_store, kme_kek_file)
            for pp in (self.pp_own, self.pp_peer):
                self.msg_connect(pp, "app_keys", self.kme, "keys")
            self.msg_connect(self.channel, "recv", self.kme, "recv")
            self.msg_connect(self.kme, "send", self.channel, "send")
        self.direction = direction
        self.post_process = post_process
        self.rounds_source = rounds_source

    def seed_key_count(self, direction):
        """Seed keys this node has agreed so far for direction 0 (AB) or 1 (BA); 0 without
        post-processing."""
        if not self.post_process:
            return 0
        return (self.pp_own if direction == self.direction else self.pp_peer).keys()


def wait_for_keys(nodes, keys, seconds, linger=1.0):
    """Waits until every node has at least `keys` seed keys in both directions (keys 0:
    never), or `seconds` have passed (0: no time limit); True when the keys arrived. Then
    it waits `linger` seconds more (within the time limit), so that the last keys'
    messages reach their consumers (a Key Log) and a peer running in another flowgraph
    gets the acknowledgements of its last keys. For flowgraphs that stop by themselves
    (the examples' snippets)."""
    deadline = time.monotonic() + seconds if seconds > 0 else float("inf")
    while keys <= 0 or min(n.seed_key_count(d) for n in nodes for d in (0, 1)) < keys:
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)
    time.sleep(max(0.0, min(linger, deadline - time.monotonic())))
    return True


def stop_within(tb, seconds=15.0):
    """Stops tb and waits for it to end, for at most `seconds`; past that the process
    exits (status 0: the flowgraph's work is done). For flowgraphs whose peer runs
    elsewhere: gr-zeromq's PUSH sink sends without a timeout, so once the peer process has
    ended and its queue is full, the sink's thread, and with it the flowgraph's wait,
    never ends."""
    stopped = threading.Event()

    def stop():
        tb.stop()
        tb.wait()
        stopped.set()

    threading.Thread(target=stop, daemon=True).start()
    if not stopped.wait(seconds):
        print(f"fiberkey: the flowgraph did not stop within {seconds:g} s (a ZeroMQ sink "
              "whose peer has ended); exiting", file=sys.stderr, flush=True)
        os._exit(0)
