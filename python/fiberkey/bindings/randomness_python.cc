/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
// Randomness evidence: the SP 800-22 tests (fiberkey.nist_sts) and seed keys from the
// round-level model through both ends' post-processing (fiberkey-randomness).
#include <fiberkey/nist_sts.h>
#include <fiberkey/post_processor.h>
#include <fiberkey/random_source.h>
#include <fiberkey/round_model.h>

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <array>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

namespace py = pybind11;
using namespace fiberkey;

namespace {

using bit_array = py::array_t<uint8_t, py::array::c_style | py::array::forcecast>;

nist_sts::bit_span span_of(const bit_array& a)
{
    if (a.ndim() != 1)
        throw std::invalid_argument("nist_sts: a sequence is a 1-D array of 0/1 values");
    return { a.data(), static_cast<std::size_t>(a.size()) };
}

//! Binds f(bits, args...) with the GIL released while it runs.
template <typename R, typename... Args>
void def_test(py::module& m,
              const char* name,
              R (*f)(nist_sts::bit_span, Args...),
              const char* doc)
{
    m.def(
        name,
        [f](const bit_array& bits, Args... args) {
            const auto e = span_of(bits);
            py::gil_scoped_release release;
            return f(e, args...);
        },
        doc);
}

struct key_run {
    std::string keys; //!< the agreed seed keys, concatenated in key order
    std::size_t key_count = 0;
    std::size_t mismatched = 0; //!< keys the two ends disagree on
    std::uint64_t rounds = 0;
    std::uint64_t batches_failed = 0;
    std::uint64_t secret_bits = 0;
};

/*!
 * Draws rounds of direction AB from the model and runs the leader's and the follower's
 * post-processing back to back, every message delivered (as fiberkey-sweep does), until
 * \p keys seed keys came out at both ends. A seed makes the model, the nonces and the
 * privacy-amplification seeds reproducible (tests only); without one all come from the
 * CSPRNG.
 */
key_run model_seed_keys(const round_model_config& model_config,
                        post_processor_config config,
                        std::size_t keys,
                        std::optional<std::uint64_t> seed)
{
    auto source = [&](std::uint64_t salt) -> std::unique_ptr<random_source> {
        if (seed)
            return std::make_unique<test_only_seeded_random_source>(*seed * 3 + salt);
        return std::make_unique<csprng_random_source>();
    };
    round_model model(model_config, source(0));
    std::vector<std::unique_ptr<post_processor>> ends;
    for (auto role : { pp_role::leader, pp_role::follower }) {
        config.role = role;
        if (seed) {
            std::shared_ptr<random_source> r = source(role == pp_role::leader ? 1 : 2);
            config.random = [r](std::span<std::uint8_t> out) { r->fill(out); };
        }
        ends.push_back(std::make_unique<post_processor>(config));
    }
    auto& leader = *ends[0];
    auto& follower = *ends[1];
    const std::array<std::pair<post_processor*, post_processor*>, 2> links{
        { { &leader, &follower }, { &follower, &leader } }
    };
    auto pump = [&] {
        for (int pass = 0; pass < 8; ++pass) {
            bool moved = false;
            for (auto [src, dst] : links)
                for (const auto& msg : src->take_messages()) {
                    dst->handle_message(msg);
                    moved = true;
                }
            if (!moved)
                return;
        }
    };

    // Rounds go in 50 at a time between message exchanges, as on a link; the model
    // draws them in larger chunks.
    std::vector<model_round> rounds(5000);
    key_run run;
    std::vector<seed_key> from_leader, from_follower;
    while (std::min(from_leader.size(), from_follower.size()) < keys) {
        model.generate(0, rounds);
        for (std::size_t i = 0; i < rounds.size(); ++i, ++run.rounds) {
            const auto seq = static_cast<std::uint16_t>(run.rounds % 65535 + 1);
            leader.add_round(seq, rounds[i].f1);
            follower.add_round(seq, rounds[i].f2);
            if (i % 50 == 49)
                pump();
        }
        for (auto& k : leader.take_keys())
            from_leader.push_back(k);
        for (auto& k : follower.take_keys())
            from_follower.push_back(k);
    }
    for (std::size_t i = 0; i < keys; ++i) {
        if (from_leader[i].key != from_follower[i].key) {
            ++run.mismatched;
            continue;
        }
        run.keys.append(from_leader[i].key.begin(), from_leader[i].key.end());
    }
    run.key_count = run.keys.size() / 32;
    run.batches_failed = leader.stats().batches_failed;
    run.secret_bits = leader.stats().secret_bits;
    return run;
}

} // namespace

void bind_randomness(py::module& m)
{
    auto s = m.def_submodule("nist_sts", "NIST SP 800-22 rev. 1a statistical tests.");
    py::class_<nist_sts::result>(s, "result")
        .def_readonly("statistic", &nist_sts::result::statistic)
        .def_readonly("p_value", &nist_sts::result::p_value)
        .def_readonly("counts", &nist_sts::result::counts);
    py::class_<nist_sts::dft_result, nist_sts::result>(s, "dft_result")
        .def_readonly("peaks_below_threshold",
                      &nist_sts::dft_result::peaks_below_threshold);
    py::class_<nist_sts::excursions>(s, "excursions")
        .def_readonly("cycles", &nist_sts::excursions::cycles)
        .def_readonly("applicable", &nist_sts::excursions::applicable)
        .def_readonly("states", &nist_sts::excursions::states)
        .def_readonly("results", &nist_sts::excursions::results);
    py::class_<nist_sts::proportion_range>(s, "proportion_range")
        .def_readonly("low", &nist_sts::proportion_range::low)
        .def_readonly("high", &nist_sts::proportion_range::high);

    def_test(s, "frequency", &nist_sts::frequency, "2.1 Frequency (monobit).");
    def_test(s, "block_frequency", &nist_sts::block_frequency, "2.2 (bits, M).");
    def_test(s, "runs", &nist_sts::runs, "2.3 Runs.");
    def_test(s, "longest_run_of_ones", &nist_sts::longest_run_of_ones, "2.4.");
    def_test(s,
             "binary_matrix_rank",
             &nist_sts::binary_matrix_rank,
             "2.5 (bits, rows, cols).");
    def_test(
        s, "discrete_fourier_transform", &nist_sts::discrete_fourier_transform, "2.6.");
    def_test(s,
             "non_overlapping_templates",
             &nist_sts::non_overlapping_templates,
             "2.7 over every aperiodic m-bit template (bits, m, blocks).");
    def_test(s,
             "overlapping_template",
             &nist_sts::overlapping_template,
             "2.8 (bits, m, M, K).");
    def_test(s,
             "universal",
             static_cast<nist_sts::result (*)(nist_sts::bit_span)>(&nist_sts::universal),
             "2.9 with L and Q from n.");
    def_test(s, "linear_complexity", &nist_sts::linear_complexity, "2.10 (bits, M).");
    def_test(s, "serial", &nist_sts::serial, "2.11 (bits, m): two results.");
    def_test(s, "approximate_entropy", &nist_sts::approximate_entropy, "2.12 (bits, m).");
    def_test(s,
             "cumulative_sums",
             &nist_sts::cumulative_sums,
             "2.13: forward and backward results.");
    def_test(s, "random_excursions", &nist_sts::random_excursions, "2.14.");
    def_test(
        s, "random_excursions_variant", &nist_sts::random_excursions_variant, "2.15.");
    s.def("passing_proportion_range",
          &nist_sts::passing_proportion_range,
          py::arg("sequences"),
          py::arg("alpha") = 0.01,
          "4.2.1: the range the proportion of passing sequences must fall in.");
    s.def(
        "uniformity_p_value",
        [](const std::vector<double>& p) { return nist_sts::uniformity_p_value(p); },
        py::arg("p_values"),
        "4.2.2: P-value_T of the P-values' spread over ten bins.");

    py::class_<key_run>(m, "model_key_run")
        .def_property_readonly("keys", [](const key_run& r) { return py::bytes(r.keys); })
        .def_readonly("key_count", &key_run::key_count)
        .def_readonly("mismatched", &key_run::mismatched)
        .def_readonly("rounds", &key_run::rounds)
        .def_readonly("batches_failed", &key_run::batches_failed)
        .def_readonly("secret_bits", &key_run::secret_bits);
    m.def(
        "model_seed_keys",
        [](const round_model_config& model_config,
           const post_processor_config& config,
           std::size_t keys,
           std::optional<std::uint64_t> seed) {
            py::gil_scoped_release release;
            return model_seed_keys(model_config, config, keys, seed);
        },
        py::arg("model_config"),
        py::arg("config"),
        py::arg("keys"),
        py::arg("seed") = py::none(),
        "Seed keys of direction AB from the round-level model through both ends' "
        "post-processing (role set per end); seed = None uses the CSPRNG.");
}
