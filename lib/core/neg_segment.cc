/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/g709_scrambler.h>
#include <fiberkey/neg_segment.h>
#include <fiberkey/secure_memory.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <numbers>
#include <stdexcept>
#include <string>

namespace fiberkey {

namespace {

constexpr std::size_t neg_bits = frame_layout::block_bytes * 8;
constexpr long neg_first_bit = static_cast<long>(frame_layout::neg.offset * 8);

// The NEG bytes whose plaintext a frame's counter and sequence numbers fix.
constexpr std::array<std::size_t, 7> known_bytes{ frame_layout::neg_status,
                                                  frame_layout::neg_send_seq.offset,
                                                  frame_layout::neg_send_seq.offset + 1,
                                                  frame_layout::neg_response_seq.offset,
                                                  frame_layout::neg_response_seq.offset +
                                                      1,
                                                  frame_layout::neg_reserved.offset,
                                                  frame_layout::neg_reserved.offset + 1 };
static_assert(known_bytes.size() * 8 == neg_segment_receiver::known_bits);

//! Bit q of the known bits: its position within NEG.
constexpr std::size_t known_position(std::size_t q)
{
    return known_bytes[q / 8] * 8 + q % 8;
}

//! The tone at frequency f (cycles per sample) in the squared differences of x over
//! [begin, end): the bit clock of NRZ, its phase at the bit boundaries. Also the
//! energy of the differences, against which the tone's strength is judged.
std::complex<double> clock_tone(std::span<const float> x,
                                std::size_t begin,
                                std::size_t end,
                                double f,
                                double& energy)
{
    std::complex<double> z = 0.0;
    energy = 0.0;
    const double w = -2.0 * std::numbers::pi * f;
    // A rotating phasor, re-anchored every 256 samples so that rounding cannot build up.
    constexpr std::size_t anchor = 256;
    const std::complex<double> step = std::polar(1.0, w);
    std::complex<double> phasor;
    for (std::size_t n = begin; n + 1 < end; ++n) {
        if ((n - begin) % anchor == 0)
            phasor = std::polar(1.0, w * (static_cast<double>(n) + 0.5));
        const double d = static_cast<double>(x[n + 1]) - x[n];
        energy += d * d;
        z += d * d * phasor;
        phasor *= step;
    }
    return z;
}

//! A tone stands out of noise-like differences by this many times their spread.
bool clear_tone(std::complex<double> z, double energy, std::size_t samples)
{
    return energy > 0.0 &&
           std::abs(z) > 3.0 * energy / std::sqrt(static_cast<double>(samples));
}

//! Catmull-Rom cubic interpolation of x at t, with 1 <= t and floor(t) + 2 < x.size().
float interpolate(std::span<const float> x, double t)
{
    const auto i = static_cast<std::size_t>(t);
    const double u = t - static_cast<double>(i);
    const double p0 = x[i - 1], p1 = x[i], p2 = x[i + 1], p3 = x[i + 2];
    return static_cast<float>(p1 + 0.5 * u *
                                       (p2 - p0 +
                                        u * (2.0 * p0 - 5.0 * p1 + 4.0 * p2 - p3 +
                                             u * (3.0 * (p1 - p2) + p3 - p0))));
}

void check_samples_per_bit(double sps)
{
    if (!(sps == 1.0 || (sps >= 2.0 && sps <= 1024.0)))
        throw std::invalid_argument(
            "neg_segment_receiver: samples per bit must be 1 or in [2, 1024] (a bit clock "
            "is recovered from at least 2 samples per bit), got " +
            std::to_string(sps));
}

neg_segment_config
checked(const neg_segment_config& c, unsigned direction, std::size_t frames)
{
    check_samples_per_bit(c.samples_per_bit);
    if (!std::isfinite(c.first_bit) || std::fabs(c.first_bit) > 1e9)
        throw std::invalid_argument(
            "neg_segment_receiver: first_bit must be a finite bit "
            "position");
    if (c.search_bits > 100000)
        throw std::invalid_argument("neg_segment_receiver: search_bits must be at most "
                                    "100000");
    if (direction > 1)
        throw std::invalid_argument("neg_segment_receiver: direction must be 0 or 1");
    if (frames == 0 || frames > (std::size_t{ 1 } << 20))
        throw std::invalid_argument("neg_segment_receiver: 1 to 2^20 frames, got " +
                                    std::to_string(frames));
    return c;
}

} // namespace

neg_segment_receiver::neg_segment_receiver(const neg_segment_config& config,
                                           std::span<const std::uint8_t, 16> key,
                                           unsigned direction,
                                           std::span<const neg_frame_id> frames,
                                           gaussian_source noise)
    : d_config(checked(config, direction, frames.size())),
      d_sps(config.samples_per_bit),
      d_direction(direction),
      d_frames(frames.begin(), frames.end()),
      d_noise({ .samples_per_bit = 1, .distribution = config.noise }, std::move(noise)),
      d_frame(frame_layout::frame_bytes)
{
    std::copy(key.begin(), key.end(), d_key.begin());
    d_known.reserve(d_frames.size());
    d_by_known.reserve(d_frames.size());
    for (std::size_t f = 0; f < d_frames.size(); ++f) {
        const auto& id = d_frames[f];
        neg_mask(f);
        const std::array<std::uint8_t, known_bytes.size()> plain{
            static_cast<std::uint8_t>(
                (id.send_seq ? frame_layout::neg_status_nd1 : 0) |
                (id.response_seq ? frame_layout::neg_status_nd2 : 0)),
            static_cast<std::uint8_t>(id.send_seq >> 8),
            static_cast<std::uint8_t>(id.send_seq),
            static_cast<std::uint8_t>(id.response_seq >> 8),
            static_cast<std::uint8_t>(id.response_seq),
            0,
            0
        };
        std::uint64_t bits = 0;
        for (std::size_t i = 0; i < known_bytes.size(); ++i)
            bits = (bits << 8) | (plain[i] ^ d_neg_mask[known_bytes[i]]);
        d_known.push_back(bits);
        d_by_known.emplace_back(bits, f);
    }
    // Frames that share their known bits are left out of the search.
    std::sort(d_by_known.begin(), d_by_known.end());
    std::vector<std::pair<std::uint64_t, std::size_t>> unique;
    for (std::size_t i = 0; i < d_by_known.size(); ++i) {
        const bool shared =
            (i > 0 && d_by_known[i - 1].first == d_by_known[i].first) ||
            (i + 1 < d_by_known.size() && d_by_known[i + 1].first == d_by_known[i].first);
        if (!shared)
            unique.push_back(d_by_known[i]);
    }
    secure_wipe(d_by_known);
    d_by_known = std::move(unique);
}

neg_segment_receiver::~neg_segment_receiver()
{
    secure_wipe(d_key);
    secure_wipe(d_frame);
    secure_wipe(d_neg_mask);
    secure_wipe(d_known);
    secure_wipe(d_by_known);
    // The soft values (local noise on them) and their sorted copy, whole capacity.
    secure_wipe(d_soft.data(), d_soft.capacity() * sizeof(float));
    secure_wipe(d_scratch.data(), d_scratch.capacity() * sizeof(float));
}

std::optional<double>
neg_segment_receiver::measure_samples_per_bit(std::span<const float> segment,
                                              double nominal)
{
    if (!(nominal >= min_measured_samples_per_bit && nominal <= 1024.0) ||
        static_cast<double>(segment.size()) < 256.0 * nominal)
        return std::nullopt;
    for (const float v : segment)
        if (!std::isfinite(v))
            return std::nullopt;
    // The tone's phase in four quarters: it advances by 2 pi (f - f0) per sample.
    constexpr std::size_t quarters = 4;
    const std::size_t length = segment.size() / quarters;
    const double f0 = 1.0 / nominal;
    std::array<std::complex<double>, quarters> tone;
    for (std::size_t q = 0; q < quarters; ++q) {
        double energy = 0.0;
        tone[q] = clock_tone(segment,
                             q * length,
                             std::min((q + 1) * length + 1, segment.size()),
                             f0,
                             energy);
        if (!clear_tone(tone[q], energy, length))
            return std::nullopt;
    }
    double advance = 0.0;
    for (std::size_t q = 0; q + 1 < quarters; ++q)
        advance += std::arg(tone[q + 1] * std::conj(tone[q]));
    advance /= quarters - 1;
    const double f =
        f0 + advance / (2.0 * std::numbers::pi * static_cast<double>(length));
    if (!(std::fabs(f / f0 - 1.0) <= 0.005))
        return std::nullopt;
    return 1.0 / f;
}

void neg_segment_receiver::set_samples_per_bit(double samples_per_bit)
{
    check_samples_per_bit(samples_per_bit);
    d_sps = samples_per_bit;
}

std::size_t neg_segment_receiver::min_segment_samples() const
{
    return static_cast<std::size_t>(std::ceil((neg_bits + 3) * d_sps));
}

bool neg_segment_receiver::bit_centres(std::span<const float> x)
{
    d_soft.clear();
    for (const float v : x)
        if (!std::isfinite(v))
            return false;
    if (d_sps == 1.0) {
        d_phase = 0.0;
        d_soft.assign(x.begin(), x.end());
        return true;
    }
    double energy = 0.0;
    const std::complex<double> z = clock_tone(x, 0, x.size(), 1.0 / d_sps, energy);
    if (!clear_tone(z, energy, x.size()))
        return false;
    // Bit boundaries at phase + k sps; centres half a bit later.
    d_phase = std::fmod(-std::arg(z) / (2.0 * std::numbers::pi) * d_sps + d_sps, d_sps);
    double centre = d_phase + 0.5 * d_sps;
    while (centre - d_sps >= 1.0)
        centre -= d_sps;
    while (centre < 1.0)
        centre += d_sps;
    d_phase = centre - 0.5 * d_sps; // the boundary before the first centre
    for (; std::floor(centre) + 2.0 < static_cast<double>(x.size()); centre += d_sps)
        d_soft.push_back(interpolate(x, centre));
    return d_soft.size() >= 2;
}

void neg_segment_receiver::neg_mask(std::size_t f)
{
    // The keystream over NEG: the encryption of zeros. Then the scrambler on top.
    std::fill(d_frame.begin(), d_frame.end(), 0);
    d_cipher.crypt(d_frame, d_key, d_frames[f].counter, d_direction);
    const auto scrambler = g709_scrambler::sequence();
    const std::size_t scrambled_from = frame_layout::fas.length;
    for (std::size_t b = 0; b < frame_layout::block_bytes; ++b)
        d_neg_mask[b] = d_frame[frame_layout::neg.offset + b] ^
                        scrambler[frame_layout::neg.offset + b - scrambled_from];
}

bool neg_segment_receiver::known_bit(std::size_t f, std::size_t q) const
{
    return (d_known[f] >> (known_bits - 1 - q)) & 1;
}

std::pair<long, long>
neg_segment_receiver::candidate_firsts(long nominal_first_index) const
{
    const long search = static_cast<long>(d_config.search_bits);
    const long size = static_cast<long>(d_soft.size());
    return { std::max(nominal_first_index - search,
                      neg_first_bit + static_cast<long>(neg_bits) - size),
             std::min(nominal_first_index + search, neg_first_bit) };
}

std::optional<neg_segment_receiver::alignment>
neg_segment_receiver::align(std::size_t f, long nominal_first_index, double middle) const
{
    std::optional<alignment> best;
    unsigned good =
        0; // positions and polarities that fit: one, or the block is ambiguous
    const auto [lo, hi] = candidate_firsts(nominal_first_index);
    for (long first = lo; first <= hi; ++first) {
        const auto neg_at = static_cast<std::size_t>(neg_first_bit - first);
        unsigned errors = 0;
        for (std::size_t q = 0; q < known_bits; ++q)
            errors += (d_soft[neg_at + known_position(q)] > middle) != known_bit(f, q);
        for (const bool inverted : { false, true }) {
            const unsigned e =
                inverted ? static_cast<unsigned>(known_bits) - errors : errors;
            if (e > max_known_bit_errors)
                continue;
            ++good;
            if (!best || e < best->errors)
                best = alignment{ first, inverted, e, f };
        }
    }
    if (good != 1)
        return std::nullopt;
    return best;
}

std::optional<neg_segment_receiver::alignment>
neg_segment_receiver::search(long nominal_first_index, double middle) const
{
    constexpr std::uint64_t all_known = (std::uint64_t{ 1 } << known_bits) - 1;
    std::optional<alignment> found;
    unsigned hits = 0;
    const auto [lo, hi] = candidate_firsts(nominal_first_index);
    for (long first = lo; first <= hi; ++first) {
        const auto neg_at = static_cast<std::size_t>(neg_first_bit - first);
        std::uint64_t bits = 0;
        for (std::size_t q = 0; q < known_bits; ++q)
            bits = (bits << 1) | (d_soft[neg_at + known_position(q)] > middle);
        for (const bool inverted : { false, true }) {
            const std::uint64_t key = inverted ? bits ^ all_known : bits;
            const auto it =
                std::lower_bound(d_by_known.begin(),
                                 d_by_known.end(),
                                 std::pair<std::uint64_t, std::size_t>{ key, 0 });
            if (it == d_by_known.end() || it->first != key)
                continue;
            ++hits;
            found = alignment{ first, inverted, 0, it->second };
        }
    }
    if (hits != 1)
        return std::nullopt;
    return found;
}

neg_segment_result neg_segment_receiver::decide(std::span<const float> segment,
                                                std::size_t expected)
{
    neg_segment_result r;
    if (segment.size() < min_segment_samples()) {
        r.status = neg_segment_status::too_short;
        return r;
    }
    if (!bit_centres(segment)) {
        r.status = neg_segment_status::no_signal;
        return r;
    }
    r.clock_phase = d_phase;
    // The frame bit of the first centre, as the trigger places it.
    const long nominal_first_index = std::lround(d_config.first_bit + d_phase / d_sps);
    const auto [lo, hi] = candidate_firsts(nominal_first_index);
    if (lo > hi) {
        r.status = neg_segment_status::too_short;
        return r;
    }
    const auto spread = robust_spread::of(d_soft.data(), d_soft.size(), 1, d_scratch);
    if (!spread || !(spread->lower_quartile < spread->upper_quartile)) {
        r.status = neg_segment_status::no_signal;
        return r;
    }
    const double middle = spread->middle();
    std::optional<alignment> found;
    const std::size_t n = d_frames.size();
    for (std::size_t k = 0; k <= missed_triggers_tried && k < n && !found; ++k)
        found = align((expected + k) % n, nominal_first_index, middle);
    if (!found && (found = search(nominal_first_index, middle)))
        r.searched = true;
    if (!found) {
        r.status = neg_segment_status::not_aligned;
        return r;
    }
    r.frame = found->frame;
    const auto neg_at = static_cast<std::size_t>(neg_first_bit - found->first_bit_index);
    r.bit_offset = found->first_bit_index - nominal_first_index;
    r.inverted = found->inverted;
    r.known_bit_errors = found->errors;

    // Levels over the whole segment, the known bits marking which level is a 1.
    std::vector<std::int8_t> known(d_soft.size(), -1);
    for (std::size_t q = 0; q < known_bits; ++q)
        known[neg_at + known_position(q)] = known_bit(found->frame, q);
    const auto measured = level_measurement::of(d_soft, known);
    if (!measured || (measured->one > measured->zero) == found->inverted) {
        r.status = neg_segment_status::no_signal;
        return r;
    }
    r.levels = measured->decision_levels();
    float* neg = d_soft.data() + neg_at;
    if (d_config.local_noise) {
        try {
            r.noise = d_noise.draw(r.levels);
        } catch (const std::invalid_argument&) { // no eye between the levels
            r.status = neg_segment_status::no_signal;
            return r;
        }
        d_noise.apply(neg, frame_layout::neg.offset * 8, neg_bits, r.noise);
    }
    neg_mask(found->frame);
    const bool low_is_one = r.levels.one < r.levels.zero;
    for (std::size_t b = 0; b < frame_layout::block_bytes; ++b) {
        std::uint8_t byte = 0;
        for (std::size_t k = 0; k < 8; ++k)
            byte = static_cast<std::uint8_t>(
                (byte << 1) | ((neg[b * 8 + k] > r.levels.threshold) != low_is_one));
        r.neg[b] = byte ^ d_neg_mask[b];
    }
    r.status = neg_segment_status::decided;
    return r;
}

} // namespace fiberkey
