/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/g709_fec.h>
#include <fiberkey/line_fault_injector.h>
#include <fiberkey/otu_frame.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <stdexcept>

namespace fiberkey {

namespace fl = frame_layout;

namespace {
constexpr std::uint64_t never = UINT64_MAX;
constexpr double max_bursts_per_frame = 1000.0;

bool probability(double p) { return std::isfinite(p) && p >= 0.0 && p <= 1.0; }

// One stream per purpose, so that a test seed fixes each of them on its own.
gaussian_source make_source(std::optional<std::uint64_t> test_seed, std::uint64_t stream)
{
    if (!test_seed)
        return gaussian_source();
    return gaussian_source::from_test_seed(*test_seed + stream * 0x9e3779b97f4a7c15ull);
}
} // namespace

outage_fill parse_outage_fill(const std::string& name)
{
    if (name == "zeros")
        return outage_fill::zeros;
    if (name == "random")
        return outage_fill::random;
    throw std::invalid_argument(
        "line_fault_injector: outage fill is \"zeros\" or \"random\", "
        "got \"" +
        name + "\"");
}

void line_fault_config::validate() const
{
    if (!probability(drop_probability))
        throw std::invalid_argument(
            "line_fault_injector: drop_probability must be in [0, 1]");
    if (!probability(int_loss_probability))
        throw std::invalid_argument(
            "line_fault_injector: int_loss_probability must be in [0, 1]");
    if (!probability(tamper_probability))
        throw std::invalid_argument(
            "line_fault_injector: tamper_probability must be in [0, 1]");
    if (!std::isfinite(bursts_per_frame) || bursts_per_frame < 0.0 ||
        bursts_per_frame > max_bursts_per_frame)
        throw std::invalid_argument(
            "line_fault_injector: bursts_per_frame must be 0..1000");
    if (bursts_per_frame > 0.0 &&
        (burst_bits < 1 || burst_bits > line_fault_injector::frame_bits))
        throw std::invalid_argument(
            "line_fault_injector: burst_bits must be 1..134640 when bursts occur");
}

line_fault_injector::line_fault_injector(const line_fault_config& config,
                                         std::optional<std::uint64_t> test_seed)
    : d_config(config),
      d_test_seeded(test_seed.has_value()),
      d_frame_random(make_source(test_seed, 0)),
      d_burst_random(make_source(test_seed, 1)),
      d_fill_random(make_source(test_seed, 2))
{
    d_config.validate();
    next_burst(0);
}

void line_fault_injector::reconfigure(const line_fault_config& config)
{
    line_fault_config c = config;
    c.phase_bits = d_config.phase_bits;
    c.validate();
    const bool new_rate = c.bursts_per_frame != d_config.bursts_per_frame;
    d_config = c;
    if (d_burst_start >= d_position && d_burst_start != never) // drawn, not begun
        d_burst_end = d_burst_start + d_config.burst_bits;
    if (new_rate && d_burst_start >= d_position) { // none under way
        // Drawn from the next frame period on, as the other faults.
        const std::uint64_t phase = d_config.phase_bits;
        const std::uint64_t next_frame =
            d_position <= phase
                ? phase
                : phase + (d_position - phase + frame_bits - 1) / frame_bits * frame_bits;
        next_burst(next_frame);
    }
}

bool line_fault_injector::active(std::uint64_t frame) const
{
    return frame >= d_config.active_from_frame &&
           (d_config.active_frames == 0 ||
            frame - d_config.active_from_frame < d_config.active_frames);
}

void line_fault_injector::begin_frame(std::uint64_t frame)
{
    ++d_counters.frames;
    d_plan.dropped = d_plan.outage = false;
    d_plan.changes.clear();
    if (d_config.outage_frames > 0 && frame >= d_config.outage_start_frame &&
        frame - d_config.outage_start_frame < d_config.outage_frames) {
        d_plan.outage = true;
        ++d_counters.outage_frames;
        return;
    }
    if (!active(frame))
        return;
    if (d_config.drop_probability > 0.0 &&
        d_frame_random.uniform() < d_config.drop_probability) {
        d_plan.dropped = true;
        ++d_counters.frames_dropped;
        return;
    }
    if (d_config.int_loss_probability > 0.0 &&
        d_frame_random.uniform() < d_config.int_loss_probability) {
        plan_int_loss();
        return;
    }
    if (d_config.tamper_probability > 0.0 &&
        d_frame_random.uniform() < d_config.tamper_probability)
        plan_tamper();
}

void line_fault_injector::plan_int_loss()
{
    ++d_counters.int_corrupted;
    std::array<std::uint8_t, fl::block_bytes> x{};
    d_frame_random.random_bytes(x.data(), x.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
        while (x[i] == 0) // every byte in error
            d_frame_random.random_bytes(&x[i], 1);
        d_plan.changes.push_back(
            { static_cast<std::uint32_t>(fl::intb.offset + i), x[i] });
    }
}

void line_fault_injector::plan_tamper()
{
    ++d_counters.frames_tampered;
    d_delta.assign(fl::frame_bytes, 0);
    const auto draw = [this](std::uint64_t n) {
        return static_cast<std::uint64_t>(d_frame_random.uniform() *
                                          static_cast<double>(n)) %
               n;
    };
    const auto target = draw(3); // 0 payload, 1 INT, 2 both
    if (target != 1) {
        for (auto flips = 1 + draw(16); flips > 0; --flips) {
            const auto i = draw(fl::payload_bytes * 8);
            const auto byte = i / 8;
            const auto row = byte / fl::payload_columns.length;
            const auto column =
                fl::payload_columns.offset + byte % fl::payload_columns.length;
            d_delta[fl::at(row, column)] ^= static_cast<std::uint8_t>(0x80 >> (i % 8));
        }
        g709_fec::encode(d_delta); // parity of the change = change of the parity
    }
    if (target != 0) {
        std::array<std::uint8_t, fl::int_info_bytes> info{};
        for (auto flips = 1 + draw(16); flips > 0; --flips) {
            const auto i = draw(fl::int_info_bytes * 8);
            info[i / 8] ^= static_cast<std::uint8_t>(0x80 >> (i % 8));
        }
        otu_frame::write_int(otu_frame::frame_ref(d_delta.data(), fl::frame_bytes), info);
    }
    for (std::size_t i = 0; i < d_delta.size(); ++i)
        if (d_delta[i] != 0) {
            d_plan.changes.push_back({ static_cast<std::uint32_t>(i), d_delta[i] });
            d_counters.tampered_bits += static_cast<unsigned>(std::popcount(d_delta[i]));
        }
}

void line_fault_injector::random_bits(gaussian_source& source,
                                      std::uint8_t* out,
                                      std::size_t n)
{
    while (n > 0) {
        const std::size_t k = std::min(n, d_scratch.size());
        source.random_bytes(d_scratch.data(), k);
        for (std::size_t i = 0; i < k; ++i)
            out[i] = d_scratch[i] & 1;
        out += k;
        n -= k;
    }
}

void line_fault_injector::frame_faults(std::uint8_t* out,
                                       std::uint64_t offset,
                                       std::size_t n)
{
    if (d_plan.outage) {
        if (d_config.fill == outage_fill::zeros)
            std::memset(out, 0, n);
        else
            random_bits(d_fill_random, out, n);
        return;
    }
    // The changed bytes under the bits [offset, offset + n) of this frame, MSB first.
    const auto first = std::lower_bound(
        d_plan.changes.begin(),
        d_plan.changes.end(),
        offset / 8,
        [](const byte_xor& c, std::uint64_t byte) { return c.offset < byte; });
    for (auto c = first; c != d_plan.changes.end() && c->offset * 8ull < offset + n; ++c)
        for (unsigned b = 0; b < 8; ++b) {
            const std::uint64_t bit = c->offset * 8ull + b;
            if (bit >= offset && bit < offset + n)
                out[bit - offset] ^= (c->value >> (7 - b)) & 1;
        }
}

void line_fault_injector::next_burst(std::uint64_t after)
{
    d_burst_counted = false;
    if (d_config.bursts_per_frame <= 0.0) {
        d_burst_start = d_burst_end = never;
        return;
    }
    // Geometric gap: each bit starts a burst with probability p.
    const double p = d_config.bursts_per_frame / static_cast<double>(frame_bits);
    const double gap = std::floor(std::log1p(-d_burst_random.uniform()) / std::log1p(-p));
    d_burst_start = after + static_cast<std::uint64_t>(std::min(gap, 0x1p62));
    d_burst_end = d_burst_start + d_config.burst_bits; // fixed when drawn
}

void line_fault_injector::bursts(std::uint8_t* out, std::uint64_t position, std::size_t n)
{
    const std::uint64_t end = position + n;
    while (d_burst_start < end) {
        const std::uint64_t burst_end = d_burst_end;
        const std::uint64_t from = std::max(d_burst_start, position);
        const std::uint64_t to = std::min(burst_end, end);
        const bool applies = d_burst_start >= d_config.phase_bits &&
                             active((d_burst_start - d_config.phase_bits) / frame_bits);
        if (from < to && applies) {
            if (!d_burst_counted) {
                ++d_counters.bursts;
                d_burst_counted = true;
            }
            std::uint8_t* p = out + (from - position);
            const std::size_t k = static_cast<std::size_t>(to - from);
            for (std::size_t done = 0; done < k;) {
                const std::size_t m = std::min(k - done, d_scratch.size());
                d_burst_random.random_bytes(d_scratch.data(), m);
                for (std::size_t i = 0; i < m; ++i) {
                    const std::uint8_t bit = d_scratch[i] & 1;
                    d_counters.bit_errors += (p[done + i] & 1) != bit;
                    p[done + i] = bit;
                }
                done += m;
            }
        }
        if (burst_end > end)
            break; // goes on in the next piece
        next_burst(burst_end);
    }
}

std::size_t line_fault_injector::process(std::span<const std::uint8_t> in,
                                         std::uint8_t* out)
{
    const std::uint64_t phase = d_config.phase_bits;
    std::size_t taken = 0, written = 0;
    while (taken < in.size()) {
        const std::uint64_t position = d_position;
        std::size_t n = in.size() - taken;
        const bool framed = position >= phase;
        std::uint64_t offset = 0;
        if (framed) {
            offset = (position - phase) % frame_bits;
            if (offset == 0)
                begin_frame((position - phase) / frame_bits);
            n = static_cast<std::size_t>(std::min<std::uint64_t>(n, frame_bits - offset));
        } else {
            n = static_cast<std::size_t>(std::min<std::uint64_t>(n, phase - position));
        }
        if (!(framed && d_plan.dropped)) {
            std::memmove(out + written, in.data() + taken, n);
            if (framed)
                frame_faults(out + written, offset, n);
            bursts(out + written, position, n);
            written += n;
        }
        taken += n;
        d_position += n;
    }
    d_counters.bits_in += taken;
    d_counters.bits_out += written;
    return written;
}

} // namespace fiberkey
