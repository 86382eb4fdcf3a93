/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "link_monitor_impl.h"
#include "blocks_pdu.h"

#include <fiberkey/frame_layout.h>
#include <gnuradio/fiberkey/frame_tags.h>
#include <gnuradio/io_signature.h>
#include <volk/volk.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <limits>
#include <stdexcept>
#include <string>

namespace gr {
namespace fiberkey {

namespace fk = ::fiberkey;

namespace {

// One sample per bit: a frame period is a frame's bits.
constexpr uint64_t frame_samples = 8 * fk::frame_layout::frame_bytes;
// The power is the mean of the first power_run samples of every power_block: a scrambled
// line's mean, from a sixteenth of the samples read in runs that the prefetcher streams
// (every 32nd sample alone touched half of the cache lines).
constexpr uint64_t power_block = 65536, power_run = 4096;
// No capture's samples come near this in any unit (amperes, volts, ADC counts): a sample
// beyond it is a glitch, left out like a NaN.
constexpr float glitch_magnitude = 1e15f;
// Windows waiting for the float outputs (a window is a second of line time by default).
constexpr std::size_t max_pending = 64;

double number_or_nan(const pmt::pmt_t& dict, const pmt::pmt_t& key)
{
    return dict_number(dict, key).value_or(std::numeric_limits<double>::quiet_NaN());
}

// The symbols of the messages, made once.
struct symbols {
    const pmt::pmt_t window = pmt::mp("window"), frames = pmt::mp("frames"),
                     power_dbm = pmt::mp("power_dbm"),
                     level_power_dbm = pmt::mp("level_power_dbm"),
                     extinction_ratio_db = pmt::mp("extinction_ratio_db"),
                     q_factor = pmt::mp("q_factor"), q_ber = pmt::mp("q_ber"),
                     pre_fec_ber = pmt::mp("pre_fec_ber"),
                     corrected_symbols = pmt::mp("corrected_symbols"),
                     uncorrectable_codewords = pmt::mp("uncorrectable_codewords"),
                     bad = pmt::mp("bad"), dlos = pmt::mp("dlos"), dlof = pmt::mp("dlof"),
                     dlom = pmt::mp("dlom"), ddeg = pmt::mp("ddeg"),
                     event = pmt::mp("event"), cause = pmt::mp("cause"),
                     drop_db = pmt::mp("drop_db"), lock = pmt::mp("lock"),
                     loss_of_frame = pmt::mp("loss_of_frame"),
                     loss_of_frame_cleared = pmt::mp("loss_of_frame_cleared"),
                     clear = pmt::mp("clear"), relearn = pmt::mp("relearn"),
                     time = pmt::mp("time");
};

const symbols& sym()
{
    static const symbols s;
    return s;
}

double unix_seconds()
{
    return std::chrono::duration<double>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

//! Now in UTC, ISO 8601 to the second: alarms and clears are logged with it.
std::string utc_now()
{
    const std::time_t t =
        std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm utc{};
    gmtime_r(&t, &utc);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return text;
}

} // namespace

link_monitor::sptr link_monitor::make(uint64_t window_frames,
                                      double responsivity_a_per_w,
                                      double samples_per_ampere,
                                      double los_threshold_dbm,
                                      double deg_threshold_ber,
                                      int deg_windows,
                                      bool detect,
                                      double step_db,
                                      int learn_windows,
                                      double baseline_windows,
                                      double decision,
                                      double level_margin_db,
                                      bool alarm_on_outage,
                                      bool auto_relearn)
{
    if (deg_windows < 2 || deg_windows > 10)
        throw std::invalid_argument("link_monitor: deg_windows (DEGM) must be 2..10");
    if (learn_windows < 2)
        throw std::invalid_argument("link_monitor: learn_windows must be at least 2");
    fk::performance_monitor_config m;
    m.window_frames = window_frames;
    m.responsivity_a_per_w = responsivity_a_per_w;
    m.samples_per_ampere = samples_per_ampere;
    m.los_threshold_dbm = los_threshold_dbm;
    m.deg_threshold_ber = deg_threshold_ber;
    m.deg_windows = static_cast<unsigned>(deg_windows);
    fk::tap_detector_config d;
    d.step_db = step_db;
    d.learn_windows = static_cast<uint64_t>(learn_windows);
    d.baseline_windows = baseline_windows;
    d.decision = decision;
    d.level_margin_db = level_margin_db;
    d.alarm_on_outage = alarm_on_outage;
    return gnuradio::make_block_sptr<link_monitor_impl>(m, d, detect, auto_relearn);
}

link_monitor_impl::link_monitor_impl(const fk::performance_monitor_config& monitor,
                                     const fk::tap_detector_config& detector,
                                     bool detect,
                                     bool auto_relearn)
    : gr::block("link_monitor",
                gr::io_signature::make(1, 1, sizeof(float)),
                gr::io_signature::make(0, 4, sizeof(float))),
      d_monitor(monitor),
      d_detector(detector),
      d_detect(detect),
      d_auto_relearn(auto_relearn),
      d_pm_port(pmt::mp("pm")),
      d_alarm_port(pmt::mp("alarm"))
{
    set_tag_propagation_policy(TPP_DONT);
    d_inputs.add("frame_status", [this](const pmt::pmt_t& m) { on_frame_status(m); });
    d_inputs.add("status", [this](const pmt::pmt_t& m) { on_status(m); });
    d_inputs.add("control", [this](const pmt::pmt_t& m) { on_control(m); });
    message_port_register_out(d_pm_port);
    message_port_register_out(d_alarm_port);
}

void link_monitor_impl::on_frame_status(const pmt::pmt_t& msg)
{
    if (!pmt::is_u64vector(msg) || pmt::length(msg) != 4)
        throw message_refused("frame_status: expected a u64vector of 4 (fec, corrected "
                              "symbols, uncorrectable codewords, MFAS)");
    std::size_t n = 0;
    const uint64_t* v = pmt::u64vector_elements(msg, n);
    if (v[0] > 1 || v[3] > 255)
        throw message_refused("frame_status: fec must be 0 or 1 and MFAS a byte");
    d_monitor.add_frame(v[0] == 1, v[1], v[2], static_cast<uint8_t>(v[3]));
}

void link_monitor_impl::on_status(const pmt::pmt_t& msg)
{
    if (!pmt::is_dict(msg))
        throw message_refused("status: expected a Line Decoder's status dict");
    const pmt::pmt_t lock = pmt::dict_ref(msg, sym().lock, pmt::PMT_NIL);
    if (pmt::eqv(lock, sym().loss_of_frame))
        d_monitor.set_loss_of_frame(true);
    else if (pmt::eqv(lock, sym().loss_of_frame_cleared))
        d_monitor.set_loss_of_frame(false);
}

void link_monitor_impl::on_control(const pmt::pmt_t& msg)
{
    if (pmt::eqv(msg, sym().clear))
        clear_alarm();
    else if (pmt::eqv(msg, sym().relearn))
        relearn();
    else
        throw message_refused("control: expected the symbol clear or relearn");
    publish_operator_events();
}

void link_monitor_impl::publish_operator_events()
{
    gr::thread::scoped_lock guard(d_setlock);
    publish_operator_events_locked();
}

void link_monitor_impl::publish_operator_events_locked()
{
    for (const char* e : d_operator_events)
        publish_event(e, nullptr);
    d_operator_events.clear();
}

void link_monitor_impl::clear_alarm()
{
    gr::thread::scoped_lock guard(d_setlock);
    const bool was = d_detector.alarmed();
    d_detector.clear();
    d_alarmed = false;
    if (was) {
        d_logger->info(
            "tap alarm cleared by the operator at {}: the link as it is now is "
            "the baseline",
            utc_now());
        d_operator_events.push_back("cleared");
    }
}

void link_monitor_impl::relearn()
{
    gr::thread::scoped_lock guard(d_setlock);
    d_detector.relearn();
    d_alarmed = false;
    d_learning = true;
    d_logger->info("tap detector: learning a new baseline from {}", utc_now());
    d_operator_events.push_back("relearning");
}

void link_monitor_impl::set_detect(bool detect)
{
    gr::thread::scoped_lock guard(d_setlock);
    d_detect = detect;
}

pmt::pmt_t link_monitor_impl::last_window() const
{
    gr::thread::scoped_lock guard(d_last_lock);
    return d_last;
}

void link_monitor_impl::publish_event(const char* event, const fk::tap_alarm* alarm)
{
    pmt::pmt_t d = pmt::make_dict();
    d = pmt::dict_add(d, sym().event, pmt::mp(event));
    d = pmt::dict_add(d, sym().time, pmt::from_double(unix_seconds()));
    if (alarm) {
        d = pmt::dict_add(
            d, sym().cause, pmt::mp(std::string(fk::to_string(alarm->cause))));
        d = pmt::dict_add(d, sym().window, pmt::from_uint64(alarm->window));
        d = pmt::dict_add(d, sym().drop_db, pmt::from_double(alarm->drop_db));
    }
    message_port_pub(d_alarm_port, d);
}

void link_monitor_impl::publish(const fk::performance_window& w)
{
    const symbols& s = sym();
    pmt::pmt_t d = pmt::make_dict();
    d = pmt::dict_add(d, s.window, pmt::from_uint64(w.index));
    d = pmt::dict_add(d, s.frames, pmt::from_uint64(w.frames));
    d = pmt::dict_add(d, s.power_dbm, pmt::from_double(w.power_dbm));
    d = pmt::dict_add(d, s.level_power_dbm, pmt::from_double(w.level_power_dbm));
    d = pmt::dict_add(d, s.extinction_ratio_db, pmt::from_double(w.extinction_ratio_db));
    d = pmt::dict_add(d, s.q_factor, pmt::from_double(w.q_factor));
    d = pmt::dict_add(d, s.q_ber, pmt::from_double(w.q_ber));
    d = pmt::dict_add(d, s.pre_fec_ber, pmt::from_double(w.pre_fec_ber));
    d = pmt::dict_add(d, s.corrected_symbols, pmt::from_uint64(w.corrected_symbols));
    d = pmt::dict_add(
        d, s.uncorrectable_codewords, pmt::from_uint64(w.uncorrectable_codewords));
    d = pmt::dict_add(d, s.bad, pmt::from_bool(w.bad));
    d = pmt::dict_add(d, s.dlos, pmt::from_bool(w.dlos));
    d = pmt::dict_add(d, s.dlof, pmt::from_bool(w.dlof));
    d = pmt::dict_add(d, s.dlom, pmt::from_bool(w.dlom));
    d = pmt::dict_add(d, s.ddeg, pmt::from_bool(w.ddeg));
    {
        gr::thread::scoped_lock guard(d_last_lock);
        d_last = d;
    }
    message_port_pub(d_pm_port, d);
}

void link_monitor_impl::take_levels(const pmt::pmt_t& value)
{
    if (!pmt::is_dict(value))
        return;
    fk::signal_levels l;
    l.one = number_or_nan(value, frame_tags::one());
    l.zero = number_or_nan(value, frame_tags::zero());
    l.sigma_one = number_or_nan(value, frame_tags::sigma_one());
    l.sigma_zero = number_or_nan(value, frame_tags::sigma_zero());
    d_monitor.add_levels(l); // ignores what is not finite
}

void link_monitor_impl::add_power_run(const float* x, uint64_t n)
{
    float sum = 0.0f;
    volk_32f_accumulator_s32f(&sum, x, static_cast<unsigned>(n));
    if (std::abs(sum) < glitch_magnitude) { // false for NaN
        d_monitor.add_photocurrent(sum, n);
        return;
    }
    // A glitch (NaN, an infinity, 3e38) in the run: leave it out, keep the rest.
    double clean = 0.0;
    uint64_t count = 0;
    for (uint64_t i = 0; i < n; ++i) {
        if (std::abs(x[i]) < glitch_magnitude) {
            clean += x[i];
            ++count;
        } else {
            ++d_glitches;
        }
    }
    d_monitor.add_photocurrent(clean, count);
}

void link_monitor_impl::forecast(int, gr_vector_int& ninput_items_required)
{
    ninput_items_required[0] = 1; // any samples make progress; windows are rare
}

int link_monitor_impl::general_work(int noutput_items,
                                    gr_vector_int& ninput_items,
                                    gr_vector_const_void_star& input_items,
                                    gr_vector_void_star& output_items)
{
    const auto* in = static_cast<const float*>(input_items[0]);
    const auto n = static_cast<uint64_t>(ninput_items[0]);
    const uint64_t first = nitems_read(0);
    publish_operator_events();

    std::vector<gr::tag_t> tags;
    get_tags_in_range(tags, 0, first, first + n, frame_tags::frame_start());
    for (const auto& t : tags)
        take_levels(t.value);

    // The runs of this call: [run start, run end) of each block, clipped to the input.
    for (uint64_t block = first - first % power_block; block < first + n;
         block += power_block) {
        const uint64_t from = std::max(block, first);
        const uint64_t to = std::min(block + power_run, first + n);
        if (from < to)
            add_power_run(in + (from - first), to - from);
    }
    d_samples_in_period += n;
    const uint64_t periods = d_samples_in_period / frame_samples;
    d_monitor.advance(periods, d_closed);
    d_frame_periods += periods;
    d_samples_in_period %= frame_samples;

    for (const auto& w : d_closed) {
        ++d_windows;
        publish(w);
        if (!output_items.empty()) {
            if (d_pending.size() >= max_pending) {
                d_pending.pop_front();
                ++d_dropped;
            }
            d_pending.push_back(w);
        }
        if (!d_detect)
            continue;
        gr::thread::scoped_lock guard(d_setlock);
        // What the operator did goes out before what this window raises, in that order,
        // or a clear that came in during this call would release a guard after the alarm.
        publish_operator_events_locked();
        const bool was_learning = d_detector.learning();
        const auto alarm = d_detector.observe(w);
        d_learning = d_detector.learning();
        if (was_learning && !d_learning) {
            d_logger->info("tap detector: baseline learned at {}", utc_now());
            publish_event("learned", nullptr);
        }
        if (!alarm)
            continue;
        ++d_alarms;
        d_alarmed = true;
        d_logger->warn("TAP ALARM at {}: {} in window {}, {:.3f} dB below the baseline "
                       "({:.2f} dBm, pre-FEC BER {:.2e}, Q {:.2f})",
                       utc_now(),
                       fk::to_string(alarm->cause),
                       alarm->window,
                       alarm->drop_db,
                       w.power_dbm,
                       w.pre_fec_ber,
                       w.q_factor);
        publish_event("tap_alarm", &*alarm);
        if (d_auto_relearn) {
            d_detector.relearn();
            d_alarmed = false;
            d_learning = true;
            publish_event("relearning", nullptr);
        }
    }
    d_closed.clear();
    consume_each(static_cast<int>(n));

    if (output_items.empty())
        return 0;
    const auto produced =
        static_cast<int>(std::min<std::size_t>(d_pending.size(), noutput_items));
    for (int i = 0; i < produced; ++i, d_pending.pop_front()) {
        const auto& w = d_pending.front();
        const double values[] = {
            w.power_dbm, w.pre_fec_ber, w.q_factor, w.extinction_ratio_db
        };
        for (std::size_t port = 0; port < output_items.size(); ++port)
            static_cast<float*>(output_items[port])[i] = static_cast<float>(values[port]);
    }
    return produced;
}

} // namespace fiberkey
} // namespace gr
