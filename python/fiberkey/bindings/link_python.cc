/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <gnuradio/fiberkey/eve_observer.h>
#include <gnuradio/fiberkey/int_channel.h>
#include <gnuradio/fiberkey/key_exchange.h>
#include <gnuradio/fiberkey/key_post_processor.h>
#include <gnuradio/fiberkey/model_rounds.h>
#include <gnuradio/fiberkey/negotiator.h>
#include <gnuradio/fiberkey/pattern_rounds.h>
#include <gnuradio/fiberkey/round_counts.h>
#include <gnuradio/fiberkey/tap_alarm_guard.h>

#include <pybind11/pybind11.h>

namespace py = pybind11;
using namespace gr::fiberkey;

void bind_link(py::module& m)
{
    py::class_<int_channel,
               gr::block,
               gr::basic_block,
               message_counters,
               std::shared_ptr<int_channel>>(
        m, "int_channel", "Reliable messages over the INT blocks of a node's frames.")
        .def(py::init(&int_channel::make),
             py::arg("budget_bytes") = 78,
             py::arg("retransmit_after_frames") = 1024,
             py::arg("window") = 4)
        .def("messages_sent", &int_channel::messages_sent)
        .def("messages_delivered", &int_channel::messages_delivered)
        .def("fragments_retransmitted", &int_channel::fragments_retransmitted)
        .def("round_trip_frames", &int_channel::round_trip_frames)
        .def("retransmit_timeout_frames", &int_channel::retransmit_timeout_frames);

    py::class_<key_exchange,
               gr::block,
               gr::basic_block,
               message_counters,
               std::shared_ptr<key_exchange>>(
        m,
        "key_exchange",
        "Initial session keys: SM2 key exchange over the link, or PSK.")
        .def(py::init(&key_exchange::make),
             py::arg("node"),
             py::arg("mode"),
             py::arg("own_key_file") = "",
             py::arg("peer_public_file") = "",
             py::arg("own_id") = "",
             py::arg("peer_id") = "",
             py::arg("psk_hex") = "")
        .def("state", &key_exchange::state)
        .def("fingerprint", &key_exchange::fingerprint);

    py::class_<negotiator,
               gr::block,
               gr::basic_block,
               message_counters,
               std::shared_ptr<negotiator>>(
        m, "negotiator", "The rounds of protocol.md section 5 at one node, both roles.")
        .def(py::init(&negotiator::make),
             py::arg("node"),
             py::arg("bits") = 496,
             py::arg("seed") = 0,
             py::arg("pipeline_frames") = 0)
        .def("rounds_completed", &negotiator::rounds_completed)
        .def("frames_received", &negotiator::frames_received)
        .def("rounds_dropped", &negotiator::rounds_dropped)
        .def("frames_made_up", &negotiator::frames_made_up);

    py::class_<eve_observer,
               gr::block,
               gr::basic_block,
               message_counters,
               std::shared_ptr<eve_observer>>(
        m, "eve_observer", "Eve with the session keys: her estimate of F1, F2 per round.")
        .def(py::init(&eve_observer::make),
             py::arg("bits") = 496,
             py::arg("her_ber") = 1e-3,
             py::arg("window") = 1024)
        .def("rounds_emitted", &eve_observer::rounds_emitted)
        .def("drops", &eve_observer::drops)
        .def("rounds_dropped", &eve_observer::rounds_dropped)
        .def("her_ber", &eve_observer::her_ber)
        .def("set_her_ber", &eve_observer::set_her_ber, py::arg("her_ber"));

    py::class_<round_counts,
               gr::block,
               gr::basic_block,
               message_counters,
               std::shared_ptr<round_counts>>(
        m, "round_counts", "A node's per-round error counts as float streams.")
        .def(py::init(&round_counts::make), py::arg("queue_depth") = 4096)
        .def("rounds_dropped", &round_counts::rounds_dropped);

    py::class_<key_post_processor,
               gr::block,
               gr::basic_block,
               message_counters,
               std::shared_ptr<key_post_processor>>(
        m, "key_post_processor", "Seed keys from one direction's counts, and re-keying.")
        .def(py::init(&key_post_processor::make),
             py::arg("direction"),
             py::arg("leader"),
             py::arg("mode") = "multilevel",
             py::arg("bits_per_round") = 0,
             py::arg("batch_rounds") = 1000,
             py::arg("alpha") = 0.5,
             py::arg("log2_epsilon") = -64,
             py::arg("rekey") = true,
             py::arg("link_key_period") = 4)
        .def("keys", &key_post_processor::keys)
        .def("app_keys", &key_post_processor::app_keys)
        .def("app_keys_dropped", &key_post_processor::app_keys_dropped)
        .def("batches_failed", &key_post_processor::batches_failed)
        .def("secret_bits", &key_post_processor::secret_bits)
        .def("rounds_in", &key_post_processor::rounds_in)
        .def("set_hold", &key_post_processor::set_hold, py::arg("hold"))
        .def("held", &key_post_processor::held)
        .def("rounds_held", &key_post_processor::rounds_held)
        .def("latest_round_sequence", &key_post_processor::latest_round_sequence);

    py::class_<model_rounds,
               gr::block,
               gr::basic_block,
               message_counters,
               std::shared_ptr<model_rounds>>(
        m,
        "model_rounds",
        "Rounds from the round-level model, one per tick, for both nodes.")
        .def(py::init(&model_rounds::make),
             py::arg("bits") = 496,
             py::arg("noise_low") = 1e-3,
             py::arg("noise_high") = 0.2,
             py::arg("link_ber") = 1e-5,
             py::arg("seed") = 0,
             py::arg("rounds_per_message") = 1)
        .def("rounds", &model_rounds::rounds);

    py::class_<pattern_rounds,
               gr::block,
               gr::basic_block,
               message_counters,
               std::shared_ptr<pattern_rounds>>(
        m,
        "pattern_rounds",
        "The rounds of a lab run: both nodes' patterns and each receiver's decided NEG "
        "blocks (the demuxes' 'neg' PDUs) in, both nodes' rounds out.")
        .def(py::init(&pattern_rounds::make), py::arg("pattern_a"), py::arg("pattern_b"))
        .def("rounds", &pattern_rounds::rounds)
        .def("frames", &pattern_rounds::frames)
        .def("repeated", &pattern_rounds::repeated)
        .def("outside_pattern", &pattern_rounds::outside_pattern);

    py::class_<tap_alarm_guard,
               gr::block,
               gr::basic_block,
               message_counters,
               std::shared_ptr<tap_alarm_guard>>(
        m,
        "tap_alarm_guard",
        "Holds a node's key agreement while its own or its peer's tap alarm stands.")
        .def(py::init(&tap_alarm_guard::make))
        .def("held", &tap_alarm_guard::held)
        .def("local_alarm", &tap_alarm_guard::local_alarm)
        .def("peer_alarm", &tap_alarm_guard::peer_alarm)
        .def("holds", &tap_alarm_guard::holds);
}
