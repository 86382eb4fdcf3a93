/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef FIBERKEY_CORE_POST_PROCESSING_SETTINGS_H
#define FIBERKEY_CORE_POST_PROCESSING_SETTINGS_H

#include <fiberkey/post_processor.h>
#include <fiberkey/quantizer.h>

#include <cstddef>
#include <string>
#include <string_view>

namespace fiberkey {

/*
 * The one place where post-processing settings are read and turned into a
 * post_processor_config: the key_post_processor block, fiberkey.node, fiberkey-sim,
 * fiberkey-sweep and fiberkey-randomness all go through here, so a mode name means the
 * same everywhere and a batch is abandoned after the same number of rounds everywhere.
 */

/*!
 * The quantizer mode called \p name: "patent", "equiprobable", "soft" or "multilevel"
 * (exactly, lower case). Anything else throws std::invalid_argument naming the valid
 * ones.
 */
quantizer_mode parse_quantizer_mode(std::string_view name);

//! "patent", "equiprobable", "soft" or "multilevel": what parse_quantizer_mode reads
//! back.
const char* to_string(quantizer_mode mode);

//! Levels q when a mode is named without them: multilevel 4, soft 3, equiprobable 2,
//! patent 1.
unsigned default_bits_per_round(quantizer_mode mode);

//! A mode with its bits per round, as the tools' --mode options name it.
struct pp_mode_spec {
    quantizer_mode mode = quantizer_mode::soft;
    unsigned bits_per_round = 3;

    bool operator==(const pp_mode_spec&) const = default;
};

/*!
 * The tools' mode grammar: "patent" | "equiprobable[:q]" | "soft[:q]", q = 1..4 |
 * "multilevel[:q]", q = 3..5 (one decimal digit). Without ":q" the equiprobable and soft
 * modes take \p default_q when it is non-zero (a tool's --q option), else
 * default_bits_per_round(), as the multilevel mode always does; patent always has q = 1
 * and takes no ":q" other than ":1". Throws std::invalid_argument saying what is wrong.
 */
pp_mode_spec parse_pp_mode(std::string_view spec, unsigned default_q = 0);

//! "patent", "equiprobable:2", "soft:3", ...: a spec that parse_pp_mode reads back.
std::string to_string(const pp_mode_spec& spec);

/*!
 * Post-processing settings in the units users give them. The defaults are the
 * key_post_processor block's (and fiberkey.node's).
 */
struct post_processing_settings {
    quantizer_mode mode = quantizer_mode::multilevel; //!< the most key
    //! q, key bits per round in the equiprobable and soft modes (1..4), levels in the
    //! multilevel mode (3..5, of which 2 are key bits); the patent mode keeps one bit per
    //! kept round whatever this says (still checked to be 1..4).
    unsigned bits_per_round = 4;
    std::size_t batch_rounds = 1000; //!< n, rounds per batch at the leader (64..131072)
    double alpha = 0.5;              //!< patent mode's guard band, standard deviations
    double log2_epsilon = -64;       //!< epsilon per batch as a power of two (-256..-10)

    //! Sets mode and bits_per_round.
    void set_mode(const pp_mode_spec& spec)
    {
        mode = spec.mode;
        bits_per_round = spec.bits_per_round;
    }
    pp_mode_spec mode_spec() const { return { mode, bits_per_round }; }
};

/*!
 * The configuration of one end's post_processor: \p role, \p direction (0 = AB, 1 = BA)
 * and \p settings; abandon_after_rounds = 8 n, eps_total = 2^log2_epsilon, every other
 * field post_processor_config's default. Throws std::invalid_argument naming the field
 * that is out of range.
 */
post_processor_config make_post_processor_config(
    pp_role role, unsigned direction, const post_processing_settings& settings);

} // namespace fiberkey

#endif
