/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/post_processing_settings.h>

#include <cmath>
#include <stdexcept>

namespace fiberkey {

namespace {
constexpr const char* valid_modes =
    "\"patent\", \"equiprobable\", \"soft\" or \"multilevel\"";
constexpr const char* grammar =
    "patent | equiprobable[:q] | soft[:q], q = 1..4 | multilevel[:q], q = 3..5";

std::string quoted(std::string_view s)
{
    std::string q;
    q.reserve(s.size() + 2);
    q.append(1, '"').append(s).append(1, '"');
    return q;
}

[[noreturn]] void bad_spec(std::string_view spec, const std::string& why)
{
    throw std::invalid_argument("post-processing mode " + quoted(spec) + ": " + why +
                                " (modes: " + grammar + ")");
}
} // namespace

quantizer_mode parse_quantizer_mode(std::string_view name)
{
    if (name == "patent")
        return quantizer_mode::patent;
    if (name == "equiprobable")
        return quantizer_mode::equiprobable;
    if (name == "soft")
        return quantizer_mode::soft;
    if (name == "multilevel")
        return quantizer_mode::multilevel;
    throw std::invalid_argument("unknown post-processing mode " + quoted(name) +
                                ": the mode is " + valid_modes);
}

const char* to_string(quantizer_mode mode)
{
    switch (mode) {
    case quantizer_mode::patent:
        return "patent";
    case quantizer_mode::equiprobable:
        return "equiprobable";
    case quantizer_mode::soft:
        return "soft";
    case quantizer_mode::multilevel:
        return "multilevel";
    }
    throw std::invalid_argument("unknown quantizer_mode value");
}

unsigned default_bits_per_round(quantizer_mode mode)
{
    switch (mode) {
    case quantizer_mode::patent:
        return 1;
    case quantizer_mode::equiprobable:
        return 2;
    case quantizer_mode::soft:
        return 3;
    case quantizer_mode::multilevel:
        return 4;
    }
    throw std::invalid_argument("unknown quantizer_mode value");
}

pp_mode_spec parse_pp_mode(std::string_view spec, unsigned default_q)
{
    const auto colon = spec.find(':');
    const std::string_view name = spec.substr(0, colon);
    quantizer_mode mode;
    try {
        mode = parse_quantizer_mode(name);
    } catch (const std::invalid_argument&) {
        bad_spec(spec, "unknown mode " + quoted(name));
    }
    if (default_q > 4)
        throw std::invalid_argument("post-processing: the default bits per round must be "
                                    "1..4 (or 0: the mode's own)");
    pp_mode_spec out{ mode, default_bits_per_round(mode) };
    const bool multilevel = mode == quantizer_mode::multilevel;
    if (colon == std::string_view::npos) {
        if (default_q != 0 && mode != quantizer_mode::patent && !multilevel)
            out.bits_per_round = default_q;
        return out;
    }
    const std::string_view q = spec.substr(colon + 1);
    if (q.empty())
        bad_spec(spec, "the bits per round after ':' are missing");
    const char low = multilevel ? '3' : '1', high = multilevel ? '5' : '4';
    if (q.size() != 1 || q[0] < low || q[0] > high)
        bad_spec(spec,
                 std::string(multilevel ? "levels q must be 3..5"
                                        : "bits per round q must be 1..4") +
                     ", not " + quoted(q));
    const unsigned bits = static_cast<unsigned>(q[0] - '0');
    if (mode == quantizer_mode::patent && bits != 1)
        bad_spec(spec, "the patent mode keeps 1 bit per round");
    out.bits_per_round = bits;
    return out;
}

std::string to_string(const pp_mode_spec& spec)
{
    if (spec.mode == quantizer_mode::patent)
        return "patent";
    return std::string(to_string(spec.mode)) + ":" + std::to_string(spec.bits_per_round);
}

post_processor_config make_post_processor_config(pp_role role,
                                                 unsigned direction,
                                                 const post_processing_settings& settings)
{
    if (role != pp_role::leader && role != pp_role::follower)
        throw std::invalid_argument("post-processing: role is leader or follower");
    if (direction > 1)
        throw std::invalid_argument("post-processing: direction is 0 (AB) or 1 (BA)");
    // -10 at most: post_processor_config wants eps_total < 1e-3 (2^-9.97).
    if (!(settings.log2_epsilon <= -10 && settings.log2_epsilon >= -256))
        throw std::invalid_argument("post-processing: log2_epsilon must be -256..-10");
    post_processor_config c;
    c.role = role;
    c.direction = static_cast<std::uint8_t>(direction);
    c.quantizer.mode = settings.mode;
    c.quantizer.bits_per_round = settings.bits_per_round;
    c.quantizer.alpha = settings.alpha;
    c.batch_rounds = settings.batch_rounds;
    // Generous: in a flowgraph the round trip through GNU Radio's buffers can be
    // thousands of frames, i.e. thousands of rounds, before a batch's answer is back.
    // Tools that deliver messages synchronously never get near it.
    c.abandon_after_rounds = 8 * settings.batch_rounds;
    c.eps_total = std::exp2(settings.log2_epsilon);
    c.validate(); // names the field that is out of range
    return c;
}

} // namespace fiberkey
