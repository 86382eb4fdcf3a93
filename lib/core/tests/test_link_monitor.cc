/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/alarm_hold.h>
#include <fiberkey/fiber_link.h>
#include <fiberkey/monitor_model.h>
#include <fiberkey/ook_modulator.h>
#include <fiberkey/performance_monitor.h>
#include <fiberkey/tap_detector.h>

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <stdexcept>
#include <vector>

using namespace fiberkey;

namespace {

constexpr double fec_bits_per_frame = 8.0 * frame_layout::otu_bytes;

// The default link's levels at the decision point (fiber_link.h): I1, I0, sigma1, sigma0.
signal_levels default_levels()
{
    signal_levels l;
    l.one = 16.70e-6;
    l.zero = 1.670e-6;
    l.sigma_one = 1.767e-6;
    l.sigma_zero = 1.756e-6;
    return l;
}

performance_monitor_config small_windows(std::uint64_t frames)
{
    performance_monitor_config c;
    c.window_frames = frames;
    c.deg_windows = 3;
    c.lom_frames = 8;
    return c;
}

//! One window of frames in MFAS sequence from \p mfas on, each with \p corrected.
std::vector<performance_window> feed_window(performance_monitor& mon,
                                            std::uint8_t& mfas,
                                            std::uint64_t corrected,
                                            std::uint64_t uncorrectable = 0)
{
    const auto frames = mon.config().window_frames;
    for (std::uint64_t i = 0; i < frames; ++i) {
        mon.add_levels(default_levels());
        mon.add_photocurrent(9.185e-6 * 1000, 1000);
        mon.add_frame(true, corrected, uncorrectable, mfas++);
    }
    std::vector<performance_window> closed;
    mon.advance(frames, closed);
    return closed;
}

//! A window as the detector sees it: power and pre-FEC BER, nothing else measured.
performance_window window_of(std::uint64_t index, double power_dbm, double ber)
{
    performance_window w;
    w.index = index;
    w.power_dbm = power_dbm;
    w.fec_bits = static_cast<std::uint64_t>(frame_layout::frames_per_second) * 8 *
                 frame_layout::otu_bytes;
    w.pre_fec_ber = ber;
    return w;
}

} // namespace

TEST(performance_monitor, window_figures_from_levels_photocurrent_and_fec)
{
    performance_monitor mon(small_windows(10));
    std::uint8_t mfas = 200;
    const auto closed = feed_window(mon, mfas, 1);
    ASSERT_EQ(closed.size(), 1u);
    const auto& w = closed[0];
    EXPECT_EQ(w.index, 0u);
    EXPECT_EQ(w.frames, 10u);
    EXPECT_EQ(w.frame_periods, 10u);
    EXPECT_EQ(w.corrected_symbols, 10u);
    EXPECT_DOUBLE_EQ(w.pre_fec_ber, 10.0 / (10 * fec_bits_per_frame));
    // (16.70 + 1.670) / 2 uA / 0.8 A/W = 11.48 uW = -19.40 dBm.
    EXPECT_NEAR(w.power_dbm, -19.40, 0.005);
    EXPECT_NEAR(w.level_power_dbm, -19.40, 0.005);
    EXPECT_NEAR(w.extinction_ratio_db, 10.0, 1e-9);
    EXPECT_NEAR(w.q_factor, 4.27, 0.005);
    EXPECT_NEAR(w.q_ber, 9.9e-6, 0.2e-6);
    EXPECT_FALSE(w.bad);
    EXPECT_FALSE(w.any_defect());
}

TEST(performance_monitor, inverted_polarity_and_scaled_samples)
{
    auto config = small_windows(4);
    config.samples_per_ampere = -1e3; // millivolts of an inverting amplifier, 1 mV per uA
    performance_monitor mon(config);
    for (int i = 0; i < 4; ++i) {
        signal_levels l = default_levels();
        l.one *= -1e3;
        l.zero *= -1e3;
        l.sigma_one *= 1e3;
        l.sigma_zero *= 1e3;
        mon.add_levels(l);
        mon.add_photocurrent(-9.185e-3 * 10, 10);
    }
    std::vector<performance_window> closed;
    mon.advance(4, closed);
    ASSERT_EQ(closed.size(), 1u);
    EXPECT_NEAR(closed[0].power_dbm, -19.40, 0.005);
    EXPECT_NEAR(closed[0].extinction_ratio_db, 10.0, 1e-9);
    EXPECT_NEAR(closed[0].q_factor, 4.27, 0.005);
    EXPECT_TRUE(std::isnan(closed[0].pre_fec_ber)); // no frame decoded
}

TEST(performance_monitor, degraded_signal_follows_the_consecutive_window_rule)
{
    performance_monitor mon(small_windows(10));
    std::uint8_t mfas = 0;
    // DEGTHR 1e-4 of 10 frames' bits is 130.56 corrected symbols.
    const std::uint64_t bad = 14, good = 13;
    std::vector<bool> ddeg;
    for (std::uint64_t per_frame :
         { bad, bad, good, bad, bad, bad, bad, good, good, good }) {
        const auto w = feed_window(mon, mfas, per_frame).at(0);
        EXPECT_EQ(w.bad, per_frame == bad);
        ddeg.push_back(w.ddeg);
    }
    EXPECT_EQ(ddeg,
              (std::vector<bool>{
                  false, false, false, false, false, true, true, true, true, false }));
    // One uncorrectable codeword makes a window bad whatever the count.
    EXPECT_TRUE(feed_window(mon, mfas, 0, 1).at(0).bad);
}

TEST(performance_monitor, multiframe_alignment_and_loss_of_multiframe)
{
    performance_monitor mon(small_windows(1000));
    std::uint8_t mfas = 17;
    auto frame = [&](std::uint8_t value) { mon.add_frame(true, 0, 0, value); };
    for (int i = 0; i < 20; ++i)
        frame(mfas++);
    EXPECT_FALSE(mon.dlom());
    // Four wrong MFAS keep the multiframe; the fifth loses it.
    for (int i = 0; i < 4; ++i, ++mfas)
        frame(0x55);
    frame(mfas++);
    EXPECT_FALSE(mon.dlom());
    for (int i = 0; i < 12; ++i)
        frame(0x55); // stuck: out of multiframe after 5, dLOM 8 frames later
    EXPECT_TRUE(mon.dlom());
    // In sequence again: in multiframe after two, dLOM cleared after 8 in.
    for (int i = 0; i < 8; ++i)
        frame(mfas++);
    EXPECT_TRUE(mon.dlom());
    frame(mfas++);
    EXPECT_FALSE(mon.dlom());
    std::vector<performance_window> closed;
    mon.advance(1000, closed);
    EXPECT_TRUE(closed.at(0).dlom); // it touched the window
    EXPECT_TRUE(closed.at(0).bad);
}

TEST(performance_monitor, loss_of_signal_and_loss_of_frame)
{
    performance_monitor mon(small_windows(10));
    std::vector<performance_window> closed;
    mon.add_photocurrent(0.5e-6 * 100, 100); // 0.625 uW: -32 dBm, below the -30 dBm
    mon.add_photocurrent(INFINITY, 1);       // a glitch changes nothing
    mon.set_loss_of_frame(true);
    mon.advance(10, closed);
    mon.set_loss_of_frame(false);
    mon.add_photocurrent(9.185e-6, 1);
    mon.advance(10, closed);
    mon.add_photocurrent(9.185e-6, 1);
    mon.advance(10, closed);
    ASSERT_EQ(closed.size(), 3u);
    EXPECT_TRUE(closed[0].dlos);
    EXPECT_TRUE(closed[0].dlof);
    EXPECT_TRUE(closed[1].dlof) << "the loss of frame was still on when window 1 began";
    EXPECT_FALSE(closed[1].dlos);
    EXPECT_FALSE(closed[2].dlof);
}

TEST(performance_monitor, rejects_bad_settings_and_ignores_non_finite_input)
{
    auto bad = [](auto change) {
        performance_monitor_config c;
        change(c);
        EXPECT_THROW(performance_monitor{ c }, std::invalid_argument);
    };
    bad([](performance_monitor_config& c) { c.window_frames = 0; });
    bad([](performance_monitor_config& c) { c.responsivity_a_per_w = 0; });
    bad([](performance_monitor_config& c) { c.samples_per_ampere = NAN; });
    bad([](performance_monitor_config& c) { c.deg_threshold_ber = 0.6; });
    bad([](performance_monitor_config& c) { c.deg_windows = 1; });
    bad([](performance_monitor_config& c) { c.deg_windows = 11; });
    bad([](performance_monitor_config& c) { c.los_threshold_dbm = INFINITY; });

    performance_monitor mon(small_windows(2));
    signal_levels glitch = default_levels();
    glitch.one = NAN;
    mon.add_levels(glitch);
    mon.add_levels(default_levels());
    mon.add_photocurrent(INFINITY, 5);
    mon.add_photocurrent(9.185e-6, 1);
    std::vector<performance_window> closed;
    mon.advance(2, closed);
    ASSERT_EQ(closed.size(), 1u);
    EXPECT_NEAR(closed[0].power_dbm, -19.40, 0.005);
    EXPECT_NEAR(closed[0].q_factor, 4.27, 0.005);
}

TEST(performance_monitor, flush_ends_a_short_window_and_advance_closes_several)
{
    performance_monitor mon(small_windows(10));
    std::vector<performance_window> closed;
    mon.flush(closed);
    EXPECT_TRUE(closed.empty());
    mon.advance(35, closed);
    EXPECT_EQ(closed.size(), 3u);
    mon.flush(closed);
    ASSERT_EQ(closed.size(), 4u);
    EXPECT_EQ(closed[3].frame_periods, 5u);
    EXPECT_EQ(closed[3].index, 3u);
}

TEST(tap_detector, q_db_from_ber_inverts_the_gaussian_tail)
{
    EXPECT_NEAR(*q_db_from_ber(ber_from_q(4.27)), 10 * std::log10(4.27), 1e-9);
    EXPECT_FALSE(q_db_from_ber(0.0));
    EXPECT_FALSE(q_db_from_ber(0.5));
    EXPECT_FALSE(q_db_from_ber(NAN));
}

TEST(tap_detector, a_power_step_raises_the_alarm_in_its_window)
{
    std::mt19937_64 rng(11);
    std::normal_distribution<double> noise(0.0, 0.01);
    for (double step : { 0.1, 0.2, 1.0 }) {
        tap_detector det;
        std::uint64_t i = 0;
        for (; i < 100; ++i) // the BER is not measured: power alone
            ASSERT_FALSE(det.observe(window_of(i, -19.4 + noise(rng), NAN)));
        EXPECT_FALSE(det.learning());
        EXPECT_NEAR(det.power().sigma_db, 0.01, 0.003);
        std::optional<tap_alarm> alarm;
        for (; i < 103 && !alarm; ++i)
            alarm = det.observe(window_of(i, -19.4 - step + noise(rng), NAN));
        ASSERT_TRUE(alarm) << step;
        EXPECT_EQ(alarm->window, 100u) << step;
        EXPECT_EQ(alarm->cause, tap_alarm_cause::power_step);
        EXPECT_NEAR(alarm->drop_db, step, 0.05);
        EXPECT_TRUE(det.alarmed());
        // Nothing more until cleared; cleared, the new level is the baseline.
        EXPECT_FALSE(det.observe(window_of(i++, -25.0, NAN)));
        det.clear();
        for (int k = 0; k < 50; ++k)
            EXPECT_FALSE(det.observe(window_of(i++, -19.4 - step + noise(rng), NAN)));
    }
}

TEST(tap_detector, a_ber_step_at_constant_power_raises_the_q_alarm)
{
    // An amplifier that restores the tapped power adds noise: Q falls, power does not.
    std::mt19937_64 rng(12);
    const double bits = window_of(0, 0, 0).fec_bits;
    auto ber = [&](double rate) {
        return static_cast<double>(
                   std::poisson_distribution<std::uint64_t>(rate * bits)(rng)) /
               bits;
    };
    tap_detector det;
    std::uint64_t i = 0;
    for (; i < 100; ++i)
        ASSERT_FALSE(det.observe(window_of(i, -19.4, ber(1e-5))));
    const auto alarm = det.observe(window_of(i, -19.4, ber(6e-5)));
    ASSERT_TRUE(alarm);
    EXPECT_EQ(alarm->cause, tap_alarm_cause::q_step);
    EXPECT_GT(alarm->drop_db, 0.3);
}

TEST(tap_detector, slow_insertion_is_caught_by_the_level_margin)
{
    tap_detector det;
    std::uint64_t i = 0;
    for (; i < 60; ++i)
        det.observe(window_of(i, -19.4 + 0.001 * (i % 2), NAN));
    // 1.25 dB (a 25 % tap) over 2,000 windows: far slower than the baseline follows.
    std::optional<tap_alarm> alarm;
    for (int k = 1; k <= 2000 && !alarm; ++k)
        alarm = det.observe(window_of(i++, -19.4 - 1.25 * k / 2000.0, NAN));
    ASSERT_TRUE(alarm);
    EXPECT_EQ(alarm->cause, tap_alarm_cause::power_level);
    EXPECT_GT(alarm->drop_db, 1.0);
}

TEST(tap_detector, outages_alarm_only_after_learning_and_defects_are_not_learned)
{
    tap_detector det;
    performance_window lost = window_of(0, -40, NAN);
    lost.dlos = true;
    EXPECT_FALSE(det.observe(lost)); // link start: nothing learned yet
    std::uint64_t i = 1;
    for (; i < 61; ++i)
        det.observe(window_of(i, -19.4 + 0.001 * (i % 2), NAN));
    performance_window degraded = window_of(i++, -30.0, NAN);
    degraded.ddeg = true;
    EXPECT_FALSE(det.observe(degraded)); // not taken as a power reading
    performance_window unframed = window_of(i++, -19.4, NAN);
    unframed.dlof = true;
    const auto alarm = det.observe(unframed);
    ASSERT_TRUE(alarm);
    EXPECT_EQ(alarm->cause, tap_alarm_cause::outage);
    // Repaired with a new splice (0.5 dB more loss) and cleared: the link as it is after
    // the clear is the baseline and the commissioned level, not the level before the cut.
    EXPECT_FALSE(det.observe(unframed)); // still out while alarmed
    det.clear();
    for (int k = 0; k < 100; ++k)
        EXPECT_FALSE(det.observe(window_of(i++, -19.9 + 0.001 * (k % 2), NAN))) << k;
    EXPECT_NEAR(det.power().commissioned_db, -19.9, 0.002);

    tap_detector_config quiet;
    quiet.alarm_on_outage = false;
    tap_detector det2(quiet);
    for (std::uint64_t k = 0; k < 60; ++k)
        det2.observe(window_of(k, -19.4 + 0.001 * (k % 2), NAN));
    EXPECT_FALSE(det2.observe(unframed));

    det.relearn();
    EXPECT_TRUE(det.learning());
    EXPECT_FALSE(det.alarmed());
}

TEST(tap_detector, rejects_bad_settings)
{
    auto bad = [](auto change) {
        tap_detector_config c;
        change(c);
        EXPECT_THROW(tap_detector{ c }, std::invalid_argument);
    };
    bad([](tap_detector_config& c) { c.learn_windows = 1; });
    bad([](tap_detector_config& c) { c.baseline_windows = 0.5; });
    bad([](tap_detector_config& c) { c.step_db = 0; });
    bad([](tap_detector_config& c) { c.decision = NAN; });
    bad([](tap_detector_config& c) { c.min_sigma_db = -1; });
    bad([](tap_detector_config& c) { c.level_margin_db = -0.1; });
}

TEST(link_drift, walk_and_thermal_steps_have_their_rates)
{
    link_drift still({ 0, 0, 0, 0 }, 1);
    EXPECT_EQ(still.advance(3600), 0.0);

    // Random walk alone: the variance after 4 hours is 4 rate^2.
    double sum2 = 0;
    constexpr int walks = 2000;
    for (int k = 0; k < walks; ++k) {
        link_drift walk({ 0.1, 0, 0, 0 }, 100 + k);
        for (int s = 0; s < 240; ++s)
            walk.advance(60);
        sum2 += walk.loss_db() * walk.loss_db();
    }
    EXPECT_NEAR(sum2 / walks, 4 * 0.01, 0.004);

    // Thermal steps alone, 10 an hour of 1 dB rms, each over 30 s: after 100 hours the
    // loss is a sum of about 1,000 steps (variance 1,000 dB^2), reached smoothly.
    link_drift steps({ 0, 10, 1.0, 30 }, 7);
    double previous = 0, largest_move = 0;
    for (int s = 0; s < 360000; ++s) {
        const double now = steps.advance(1.0);
        largest_move = std::max(largest_move, std::abs(now - previous));
        previous = now;
    }
    EXPECT_LT(largest_move,
              0.3); // a 3-sigma step of 3 dB moves at most pi/2 * 3/30 a second
    EXPECT_GT(std::abs(previous), 0.5);
    EXPECT_THROW(link_drift({ -1, 0, 0, 0 }), std::invalid_argument);
    EXPECT_THROW(steps.advance(NAN), std::invalid_argument);
}

TEST(monitor_model, matches_the_link_physics_and_counts_poisson_errors)
{
    monitor_model_config config;
    config.drift = { 0, 0, 0, 0 };
    config.power_reading_sigma_db = 0;
    monitor_model model(config, 3);
    // fiber_link.h's worked example: Q 4.27, BER 9.9e-6, -19.4 dBm.
    EXPECT_NEAR(model.expected_ber(), 9.9e-6, 0.2e-6);
    double errors = 0;
    for (int i = 0; i < 100; ++i) {
        const auto w = model.next();
        EXPECT_NEAR(w.power_dbm, -19.40, 0.005);
        EXPECT_NEAR(w.q_factor, 4.27, 0.005);
        errors += static_cast<double>(w.corrected_symbols);
    }
    const double expected =
        100 * model.expected_ber() * frame_layout::frames_per_second * fec_bits_per_frame;
    EXPECT_NEAR(errors, expected, 5 * std::sqrt(expected));
    model.set_tap(0.1);
    EXPECT_NEAR(model.next().power_dbm, -19.40 + 10 * std::log10(0.9), 0.005);
    EXPECT_THROW(model.set_tap(1.0), std::invalid_argument);
}

TEST(tap_detector, on_the_drifting_model_taps_are_seen_and_drift_alone_is_not)
{
    // Reduced size of docs/security.md's table: six hours of drift without a tap raise
    // nothing; taps of 2 % and more are seen in the window they begin.
    {
        monitor_model model({}, 21);
        tap_detector det;
        for (int i = 0; i < 6 * 3600; ++i)
            ASSERT_FALSE(det.observe(model.next())) << "window " << i;
    }
    for (double tap : { 0.02, 0.05, 0.10, 0.25 }) {
        for (std::uint64_t trial = 0; trial < 10; ++trial) {
            monitor_model model({}, 1000 + trial);
            tap_detector det;
            for (int i = 0; i < 120; ++i)
                if (det.observe(model.next()))
                    det.clear();
            model.set_tap(tap);
            EXPECT_TRUE(det.observe(model.next())) << tap << " trial " << trial;
        }
    }
}

TEST(alarm_hold, either_end_holds_and_each_clears_its_own)
{
    alarm_hold policy;
    EXPECT_FALSE(policy.hold());
    auto o = policy.local_alarm(tap_alarm_cause::q_step);
    EXPECT_TRUE(o.hold_changed && o.hold);
    ASSERT_TRUE(o.to_peer);
    EXPECT_EQ(*o.to_peer, (std::vector<std::uint8_t>{ 1, 1 }));
    // The peer alarms too; this end's alarm clears: still held, the peer is told.
    o = policy.peer_notice(std::vector<std::uint8_t>{ 1, 0 });
    EXPECT_FALSE(o.hold_changed);
    EXPECT_FALSE(o.to_peer);
    o = policy.local_cleared();
    EXPECT_FALSE(o.hold_changed);
    EXPECT_TRUE(o.hold);
    ASSERT_TRUE(o.to_peer);
    EXPECT_EQ(*o.to_peer, (std::vector<std::uint8_t>{ 2, 0 }));
    EXPECT_FALSE(policy.local_cleared().to_peer); // nothing of its own to clear
    o = policy.peer_notice(std::vector<std::uint8_t>{ 2, 0 });
    EXPECT_TRUE(o.hold_changed);
    EXPECT_FALSE(o.hold);
    for (const auto& bad : { std::vector<std::uint8_t>{},
                             std::vector<std::uint8_t>{ 1 },
                             std::vector<std::uint8_t>{ 3, 0 },
                             std::vector<std::uint8_t>{ 1, 9 },
                             std::vector<std::uint8_t>{ 1, 0, 0 } })
        EXPECT_THROW(policy.peer_notice(bad), std::invalid_argument);
    EXPECT_FALSE(policy.hold());
}
