/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/fiber_link.h>
#include <fiberkey/frame_layout.h>
#include <fiberkey/performance_monitor.h>

#include <cmath>
#include <stdexcept>
#include <string>

namespace fiberkey {

namespace {

// G.798: out of multiframe after 5 wrong MFAS in a row.
constexpr unsigned mfas_misses_out = 5;
// RS(255,239) corrects 8 symbols: an uncorrectable codeword had at least 9 wrong.
constexpr std::uint64_t symbols_beyond_correction = 9;

void require(bool ok, const std::string& what)
{
    if (!ok)
        throw std::invalid_argument("performance_monitor: " + what);
}

} // namespace

void performance_monitor::persistent_defect::observe(bool condition)
{
    (condition ? without : with) = 0;
    if (++(condition ? with : without) >= needed)
        active = condition;
}

performance_monitor::performance_monitor(const performance_monitor_config& config)
    : d_config(config), d_dlom{ config.lom_frames }, d_ddeg{ config.deg_windows }
{
    require(config.window_frames > 0, "window_frames must be at least 1");
    require(std::isfinite(config.responsivity_a_per_w) && config.responsivity_a_per_w > 0,
            "responsivity_a_per_w must be > 0");
    require(std::isfinite(config.samples_per_ampere) && config.samples_per_ampere != 0,
            "samples_per_ampere must be finite and not 0");
    require(std::isfinite(config.los_threshold_dbm), "los_threshold_dbm must be finite");
    require(std::isfinite(config.deg_threshold_ber) && config.deg_threshold_ber > 0 &&
                config.deg_threshold_ber < 0.5,
            "deg_threshold_ber must be in (0, 0.5)");
    require(config.deg_windows >= 2 && config.deg_windows <= 10,
            "deg_windows (DEGM) must be 2..10");
    require(config.lom_frames >= 1, "lom_frames must be at least 1");
}

void performance_monitor::add_levels(const signal_levels& levels)
{
    const double values[] = {
        levels.one, levels.zero, levels.sigma_one, levels.sigma_zero
    };
    for (double v : values)
        if (!std::isfinite(v))
            return;
    ++d_level_frames;
    d_one += levels.one;
    d_zero += levels.zero;
    d_var_one += levels.sigma_one * levels.sigma_one;
    d_var_zero += levels.sigma_zero * levels.sigma_zero;
}

void performance_monitor::add_photocurrent(double sum, std::uint64_t count)
{
    if (!std::isfinite(sum) || count == 0)
        return;
    d_current_sum += sum;
    d_current_count += count;
}

void performance_monitor::add_frame(bool fec,
                                    std::uint64_t corrected_symbols,
                                    std::uint64_t uncorrectable_codewords,
                                    std::uint8_t mfas)
{
    ++d_frames;
    if (fec) {
        d_corrected += corrected_symbols;
        d_uncorrectable += uncorrectable_codewords;
        d_fec_bits += 8 * frame_layout::otu_bytes; // the G.709 codewords
    }
    on_mfas(mfas);
}

void performance_monitor::on_mfas(std::uint8_t mfas)
{
    if (d_multiframe_aligned) {
        if (mfas == d_expected_mfas)
            d_mfas_misses = 0;
        else if (++d_mfas_misses >= mfas_misses_out)
            d_multiframe_aligned = false;
        ++d_expected_mfas;
    } else if (d_have_mfas && mfas == static_cast<std::uint8_t>(d_last_mfas + 1)) {
        d_multiframe_aligned = true;
        d_mfas_misses = 0;
        d_expected_mfas = static_cast<std::uint8_t>(mfas + 1);
    }
    d_last_mfas = mfas;
    d_have_mfas = true;
    d_dlom.observe(!d_multiframe_aligned);
    d_lom_in_window = d_lom_in_window || d_dlom.active;
}

void performance_monitor::set_loss_of_frame(bool lof)
{
    d_lof = lof;
    d_lof_in_window = d_lof_in_window || lof;
}

void performance_monitor::advance(std::uint64_t frame_periods,
                                  std::vector<performance_window>& closed)
{
    while (frame_periods > 0) {
        const std::uint64_t step =
            std::min(frame_periods, d_config.window_frames - d_periods);
        d_periods += step;
        frame_periods -= step;
        if (d_periods == d_config.window_frames)
            closed.push_back(close_window());
    }
}

void performance_monitor::flush(std::vector<performance_window>& closed)
{
    if (d_periods > 0 || d_frames > 0)
        closed.push_back(close_window());
}

performance_window performance_monitor::close_window()
{
    performance_window w;
    w.index = d_index++;
    w.frame_periods = d_periods;
    w.frames = d_frames;
    w.corrected_symbols = d_corrected;
    w.uncorrectable_codewords = d_uncorrectable;
    w.fec_bits = d_fec_bits;
    if (d_fec_bits > 0)
        w.pre_fec_ber = static_cast<double>(d_corrected +
                                            symbols_beyond_correction * d_uncorrectable) /
                        static_cast<double>(d_fec_bits);

    const double amperes = 1.0 / d_config.samples_per_ampere;
    const double r = d_config.responsivity_a_per_w;
    if (d_current_count > 0) {
        const double mean_a =
            d_current_sum / static_cast<double>(d_current_count) * amperes;
        w.power_dbm = mean_a > 0 ? watts_to_dbm(mean_a / r) : -INFINITY;
        d_dlos = w.power_dbm < d_config.los_threshold_dbm;
    }
    if (d_level_frames > 0) {
        const double n = static_cast<double>(d_level_frames);
        link_levels levels;
        // A capture of inverted polarity has its 1 level below its 0 level.
        const double one = std::abs(d_one / n * amperes),
                     zero = std::abs(d_zero / n * amperes);
        levels.i1 = std::max(one, zero);
        levels.i0 = std::min(one, zero);
        levels.sigma1 = std::sqrt(d_var_one / n) * std::abs(amperes);
        levels.sigma0 = std::sqrt(d_var_zero / n) * std::abs(amperes);
        const double mean_a = 0.5 * (d_one + d_zero) / n * amperes;
        if (mean_a > 0)
            w.level_power_dbm = watts_to_dbm(mean_a / r);
        if (levels.i0 > 0)
            w.extinction_ratio_db = 10.0 * std::log10(levels.i1 / levels.i0);
        if (levels.sigma1 + levels.sigma0 > 0) {
            w.q_factor = q_factor(levels);
            w.q_ber = ber_from_q(w.q_factor);
        }
    }

    w.dlos = d_dlos;
    w.dlof = d_lof_in_window;
    w.dlom = d_lom_in_window;
    const bool errored = d_uncorrectable > 0 ||
                         (d_fec_bits > 0 && static_cast<double>(d_corrected) >
                                                d_config.deg_threshold_ber *
                                                    static_cast<double>(d_fec_bits));
    w.bad = errored || w.dlos || w.dlof || w.dlom;
    d_ddeg.observe(w.bad);
    w.ddeg = d_ddeg.active;

    d_periods = 0;
    d_frames = d_corrected = d_uncorrectable = d_fec_bits = 0;
    d_current_sum = 0.0;
    d_current_count = 0;
    d_level_frames = 0;
    d_one = d_zero = d_var_one = d_var_zero = 0.0;
    d_lof_in_window = d_lof;
    d_lom_in_window = d_dlom.active;
    return w;
}

} // namespace fiberkey
