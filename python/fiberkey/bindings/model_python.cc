/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
// The round-level model, the statistics and the key post-processing for researchers:
// plain core classes, no flowgraph needed.
#include "bytes_conversions.h"

#include <fiberkey/post_processing_settings.h>
#include <fiberkey/post_processor.h>
#include <fiberkey/round_model.h>
#include <fiberkey/session_key.h>
#include <fiberkey/statistics.h>

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <string>

namespace py = pybind11;
using namespace fiberkey;

namespace {
py::bytes as_bytes(std::span<const uint8_t> v)
{
    return py::bytes(reinterpret_cast<const char*>(v.data()), v.size());
}
} // namespace

void bind_model(py::module& m)
{
    py::class_<round_model_config>(
        m, "round_model_config", "Settings of the round-level statistical model.")
        .def(py::init<>())
        .def_readwrite("bits", &round_model_config::bits)
        .def_readwrite("link_ber", &round_model_config::link_ber)
        .def_readwrite("noise_ber_low", &round_model_config::noise_ber_low)
        .def_readwrite("noise_ber_high", &round_model_config::noise_ber_high)
        .def_readwrite("simulate_eve", &round_model_config::simulate_eve)
        .def_readwrite("eve_ber", &round_model_config::eve_ber);

    py::class_<round_model>(
        m, "round_model", "F1 and F2 of each round drawn from bit-error statistics.")
        .def(py::init([](const round_model_config& c) {
                 return std::make_unique<round_model>(c);
             }),
             py::arg("config"))
        .def(
            "generate",
            [](round_model& model, uint8_t direction, std::size_t n) {
                std::vector<model_round> rounds(n);
                {
                    py::gil_scoped_release release;
                    model.generate(direction, rounds);
                }
                py::array_t<int32_t> f1(n), f2(n);
                py::array_t<double> eve(n);
                auto a = f1.mutable_unchecked<1>();
                auto b = f2.mutable_unchecked<1>();
                auto e = eve.mutable_unchecked<1>();
                for (std::size_t i = 0; i < n; ++i) {
                    a(i) = rounds[i].f1;
                    b(i) = rounds[i].f2;
                    e(i) = rounds[i].eve_estimate;
                }
                return py::make_tuple(f1, f2, eve);
            },
            py::arg("direction"),
            py::arg("n"),
            "n rounds of a direction: (F1, F2, Eve's estimate) as numpy arrays.");

    m.def(
        "mutual_information",
        [](const std::vector<int32_t>& x, const std::vector<int32_t>& y) {
            return mutual_information(x, y).bits;
        },
        py::arg("x"),
        py::arg("y"),
        "I(X;Y) in bits from paired integer samples (plug-in with Miller-Madow).");

    py::enum_<quantizer_mode>(m, "quantizer_mode")
        .value("patent", quantizer_mode::patent)
        .value("equiprobable", quantizer_mode::equiprobable)
        .value("soft", quantizer_mode::soft)
        .value("multilevel", quantizer_mode::multilevel);
    py::enum_<pp_role>(m, "pp_role")
        .value("leader", pp_role::leader)
        .value("follower", pp_role::follower);

    py::class_<post_processor_config>(m, "post_processor_config")
        .def(py::init<>())
        .def_readwrite("role", &post_processor_config::role)
        .def_readwrite("direction", &post_processor_config::direction)
        .def_readwrite("batch_rounds", &post_processor_config::batch_rounds)
        .def_readwrite("abandon_after_rounds",
                       &post_processor_config::abandon_after_rounds)
        .def_readwrite("eps_total", &post_processor_config::eps_total)
        .def_readwrite("target_fer", &post_processor_config::target_fer)
        .def_property(
            "mode",
            [](const post_processor_config& c) { return c.quantizer.mode; },
            [](post_processor_config& c, quantizer_mode m) { c.quantizer.mode = m; })
        .def_property(
            "alpha",
            [](const post_processor_config& c) { return c.quantizer.alpha; },
            [](post_processor_config& c, double a) { c.quantizer.alpha = a; })
        .def_property(
            "bits_per_round",
            [](const post_processor_config& c) { return c.quantizer.bits_per_round; },
            [](post_processor_config& c, unsigned q) { c.quantizer.bits_per_round = q; })
        .def_property_readonly(
            "disclosed_levels",
            [](const post_processor_config& c) { return c.quantizer.disclosed_levels(); },
            "Levels disclosed in the SYNDROME: the multilevel mode's q - 2 at q = 3 and "
            "4, 2 at q = 5; 0 in the other modes (what pp_messages.decode needs).")
        .def_property_readonly(
            "key_bits_per_round",
            [](const post_processor_config& c) { return c.quantizer.bits(); },
            "Key bits per kept round: the reconciled levels (3 at multilevel q = 5).");

    // The one source of post-processing settings (post_processing_settings.h): the mode
    // grammar, the settings in users' units and the factory the block uses.
    m.def(
        "parse_quantizer_mode",
        [](const std::string& name) { return parse_quantizer_mode(name); },
        py::arg("name"),
        "The quantizer_mode called \"patent\", \"equiprobable\", \"soft\" or "
        "\"multilevel\"; anything else raises ValueError naming the valid ones.");
    m.def(
        "quantizer_mode_name",
        [](quantizer_mode mode) { return std::string(to_string(mode)); },
        py::arg("mode"),
        "\"patent\", \"equiprobable\", \"soft\" or \"multilevel\" (what "
        "parse_quantizer_mode reads).");
    m.def(
        "default_bits_per_round",
        [](quantizer_mode mode) { return default_bits_per_round(mode); },
        py::arg("mode"),
        "q for a mode named without one: multilevel 4, soft 3, equiprobable 2, patent 1.");
    m.def(
        "parse_pp_mode",
        [](const std::string& spec, unsigned default_q) {
            const auto s = parse_pp_mode(spec, default_q);
            return py::make_tuple(s.mode, s.bits_per_round);
        },
        py::arg("spec"),
        py::arg("default_q") = 0u,
        "(quantizer_mode, q) of a mode spec \"patent\" | \"equiprobable[:q]\" | "
        "\"soft[:q]\", q = 1..4 | \"multilevel[:q]\", q = 3..5; without :q default_q if "
        "non-zero (equiprobable and soft), else the mode's default. ValueError says what "
        "is wrong.");
    m.def(
        "format_pp_mode",
        [](quantizer_mode mode, unsigned q) {
            return to_string(pp_mode_spec{ mode, q });
        },
        py::arg("mode"),
        py::arg("bits_per_round"),
        "The spec parse_pp_mode reads back: \"patent\", \"equiprobable:2\", \"soft:3\", ...");

    py::class_<post_processing_settings>(
        m,
        "post_processing_settings",
        "Post-processing settings in users' units; the defaults are the key_post_processor "
        "block's: soft, 3 bits per round, n = 1000, alpha = 0.5, log2_epsilon = -64.")
        .def(py::init<>())
        .def(py::init([](const std::string& spec) {
                 post_processing_settings s;
                 s.set_mode(parse_pp_mode(spec));
                 return s;
             }),
             py::arg("mode"),
             "The defaults with the mode of a spec (parse_pp_mode).")
        .def_readwrite("mode", &post_processing_settings::mode)
        .def_readwrite("bits_per_round", &post_processing_settings::bits_per_round)
        .def_readwrite("batch_rounds", &post_processing_settings::batch_rounds)
        .def_readwrite("alpha", &post_processing_settings::alpha)
        .def_readwrite("log2_epsilon", &post_processing_settings::log2_epsilon)
        .def_property(
            "mode_spec",
            [](const post_processing_settings& s) { return to_string(s.mode_spec()); },
            [](post_processing_settings& s, const std::string& spec) {
                s.set_mode(parse_pp_mode(spec));
            },
            "mode and bits_per_round as a spec (\"soft:3\"); setting it parses one.")
        .def("__repr__", [](const post_processing_settings& s) {
            return "post_processing_settings(" + to_string(s.mode_spec()) +
                   ", batch_rounds=" + std::to_string(s.batch_rounds) +
                   ", alpha=" + py::repr(py::float_(s.alpha)).cast<std::string>() +
                   ", log2_epsilon=" +
                   py::repr(py::float_(s.log2_epsilon)).cast<std::string>() + ")";
        });
    m.def(
        "make_post_processor_config",
        &make_post_processor_config,
        py::arg("role"),
        py::arg("direction"),
        py::arg("settings") = post_processing_settings(),
        "One end's post_processor_config, as the key_post_processor block builds it: "
        "abandon_after_rounds = 8 n, eps_total = 2^log2_epsilon. ValueError names a field "
        "out of range.");

    py::class_<seed_key>(m, "seed_key", "A 256-bit seed key and what it cost.")
        .def_readonly("direction", &seed_key::direction)
        .def_readonly("key_index", &seed_key::key_index)
        .def_readonly("stream_position", &seed_key::stream_position)
        .def_property_readonly("key", [](const seed_key& k) { return as_bytes(k.key); })
        .def_readonly("rounds_used", &seed_key::rounds_used)
        .def_readonly("disagreement", &seed_key::disagreement)
        .def_readonly("bits_leaked", &seed_key::bits_leaked)
        .def_readonly("epsilon", &seed_key::epsilon)
        .def_readonly("last_round_sequence", &seed_key::last_round_sequence);

    py::class_<post_processor_stats>(m, "post_processor_stats")
        .def_readonly("rounds_in", &post_processor_stats::rounds_in)
        .def_readonly("batches_started", &post_processor_stats::batches_started)
        .def_readonly("batches_reconciled", &post_processor_stats::batches_reconciled)
        .def_readonly("batches_failed", &post_processor_stats::batches_failed)
        .def_readonly("blocks_dropped", &post_processor_stats::blocks_dropped)
        .def_readonly("batches_abandoned", &post_processor_stats::batches_abandoned)
        .def_readonly("keys_emitted", &post_processor_stats::keys_emitted)
        .def_readonly("secret_bits", &post_processor_stats::secret_bits);

    py::class_<reconciliation::leak_account>(
        m, "leak_account", "What a batch disclosed, in bits.")
        .def_readonly("syndrome_bits", &reconciliation::leak_account::syndrome_bits)
        .def_readonly("tag_bits", &reconciliation::leak_account::tag_bits)
        .def_readonly("disclosed_bits", &reconciliation::leak_account::disclosed_bits)
        .def_readonly("dropped_bits", &reconciliation::leak_account::dropped_bits)
        .def("total", &reconciliation::leak_account::total);

    py::class_<batch_report>(m, "batch_report", "One batch's accounting at one end.")
        .def_readonly("batch", &batch_report::batch)
        .def_readonly("reconciled", &batch_report::reconciled)
        .def_readonly("reason", &batch_report::reason)
        .def_readonly("rounds_used", &batch_report::rounds_used)
        .def_readonly("key_bits", &batch_report::key_bits)
        .def_readonly("errors", &batch_report::errors)
        .def_readonly("leak", &batch_report::leak)
        .def_readonly("min_entropy", &batch_report::min_entropy)
        .def_readonly("secret_bits", &batch_report::secret_bits)
        .def_readonly("iterations", &batch_report::iterations)
        .def_readonly("blocks_dropped", &batch_report::blocks_dropped);

    py::class_<post_processor>(
        m, "post_processor", "Key post-processing of one direction at one node.")
        .def(py::init([](const post_processor_config& c) {
                 return std::make_unique<post_processor>(c);
             }),
             py::arg("config"))
        .def("add_round",
             &post_processor::add_round,
             py::arg("sequence"),
             py::arg("count"))
        .def(
            "handle_message",
            [](post_processor& p, const py::bytes& msg) {
                const std::string_view v(msg);
                const auto verdict = p.handle_message(std::span<const uint8_t>(
                    reinterpret_cast<const uint8_t*>(v.data()), v.size()));
                return py::make_tuple(verdict.accepted, verdict.reason);
            },
            py::arg("message"))
        .def("take_messages",
             [](post_processor& p) {
                 py::list out;
                 for (const auto& msg : p.take_messages())
                     out.append(as_bytes(msg));
                 return out;
             })
        .def("take_keys", &post_processor::take_keys)
        .def("take_reports",
             &post_processor::take_reports,
             "The reports of the batches ended since the last call (the leader's carry "
             "the leak account and the min-entropy).")
        .def("stats", &post_processor::stats, py::return_value_policy::copy);

    m.def(
        "derive_session_key",
        [](const py::bytes& seed, uint8_t direction, uint32_t epoch) {
            const auto k = session_key::derive(
                fiberkey_bindings::seed_key_view(seed), direction, epoch);
            return as_bytes(k);
        },
        py::arg("seed_key"),
        py::arg("direction"),
        py::arg("epoch"),
        "The next 128-bit session key: ZUC-256 of the seed key (docs/protocol-choices.md).");
}
