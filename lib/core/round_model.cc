/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/round_model.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>

namespace fiberkey {

double either_flips(double p, double q) { return p + q - 2.0 * p * q; }

double eve_estimate(unsigned seen_leader_errors,
                    unsigned seen_follower_errors,
                    unsigned bits,
                    double g)
{
    const double m = bits;
    const auto unbiased = [m, g](unsigned w) {
        return std::clamp((w - g * m) / (1.0 - 2.0 * g), 0.0, m);
    };
    const double kl = unbiased(seen_leader_errors), kf = unbiased(seen_follower_errors);
    return kl + kf / m * (m - 2.0 * kl);
}

namespace {
//! ln k! minus its Stirling approximation, for BTRD's exact acceptance test.
double stirling_tail(double k)
{
    return std::lgamma(k + 1.0) - ((k + 0.5) * std::log(k + 1.0) - (k + 1.0) +
                                   0.5 * std::log(2.0 * std::numbers::pi));
}

void check(const round_model_config& c)
{
    const auto is_rate = [](double p) { return p >= 0.0 && p <= 0.5; };
    if (c.bits == 0 || c.bits > 65535)
        throw std::invalid_argument("round_model: bits must be 1..65535");
    if (!(c.noise_ber_low > 0.0) || c.noise_ber_high < c.noise_ber_low ||
        !is_rate(c.noise_ber_high))
        throw std::invalid_argument("round_model: need 0 < noise BER low <= high <= 0.5");
    for (int i = 0; i < 2; ++i)
        if (!is_rate(c.link_ber[i]) || !is_rate(c.eve_ber[i]))
            throw std::invalid_argument("round_model: BERs must lie in [0, 0.5]");
}
} // namespace

round_model::round_model(const round_model_config& config,
                         std::unique_ptr<random_source> random)
    : d_config(config),
      d_random(std::move(random)),
      d_log_low(std::log(config.noise_ber_low)),
      d_log_span(std::log(config.noise_ber_high) - std::log(config.noise_ber_low))
{
    check(d_config);
    if (!d_random)
        throw std::invalid_argument("round_model: no random source");
}

double round_model::uniform()
{
    // Refilling in blocks keeps the virtual call and the DRBG call off the hot path.
    if (d_next_word == buffer_words) {
        d_random->fill(
            std::span(reinterpret_cast<std::uint8_t*>(d_words.data()), sizeof d_words));
        d_next_word = 0;
    }
    return static_cast<double>(d_words[d_next_word++] >> 11) * 0x1p-53;
}

double round_model::noise_ber() { return std::exp(d_log_low + d_log_span * uniform()); }

unsigned round_model::binomial(unsigned n, double p)
{
    if (n == 0 || p <= 0.0)
        return 0;
    if (p >= 1.0)
        return n;
    if (p > 0.5)
        return n - binomial(n, 1.0 - p);
    return n * p < 10.0 ? binomial_by_inversion(n, p) : binomial_by_btrd(n, p);
}

unsigned round_model::binomial_by_inversion(unsigned n, double p)
{
    // Walk the CDF up from 0; the mean is below 10, so a handful of steps.
    const double q = 1.0 - p, odds = p / q, a = (n + 1) * odds;
    const double p0 = std::pow(q, static_cast<double>(n));
    for (;;) {
        double u = uniform(), pk = p0;
        unsigned k = 0;
        while (u > pk && k <= n) {
            u -= pk;
            ++k;
            pk *= a / k - odds;
        }
        if (k <= n) // else rounding left u above the total mass: draw again
            return k;
    }
}

// W. Hormann, "The generation of binomial random variates", J. Statist. Comput. Simul.
// 46 (1993): transformed rejection with decomposition (BTRD), for n p >= 10, p <= 1/2.
unsigned round_model::binomial_by_btrd(unsigned n, double p)
{
    const double q = 1.0 - p, npq = n * p * q, spq = std::sqrt(npq);
    const double b = 1.15 + 2.53 * spq;
    const double a = -0.0873 + 0.0248 * b + 0.01 * p;
    const double c = n * p + 0.5;
    const double alpha = (2.83 + 5.1 / b) * spq;
    const double v_r = 0.92 - 4.2 / b;
    const double u_rv_r = 0.86 * v_r;
    const double mode = std::floor((n + 1) * p);
    const double r = p / q, nr = (n + 1) * r;

    for (;;) {
        double v = uniform(), u;
        if (v <= u_rv_r) { // inside the box under the hat: accept at once (~86 %)
            u = v / v_r - 0.43;
            const double k = std::floor((2.0 * a / (0.5 - std::abs(u)) + b) * u + c);
            if (k >= 0.0 && k <= n)
                return static_cast<unsigned>(k);
            continue;
        }
        if (v >= v_r) {
            u = uniform() - 0.5;
        } else {
            u = v / v_r - 0.93;
            u = std::copysign(0.5, u) - u;
            v = uniform() * v_r;
        }
        const double us = 0.5 - std::abs(u);
        const double k = std::floor((2.0 * a / us + b) * u + c);
        if (k < 0.0 || k > n)
            continue;
        v = v * alpha / (a / (us * us) + b);
        const double km = std::abs(k - mode);

        if (km <= 15.0) { // near the mode: the ratio f(k) / f(mode) by recursion
            double f = 1.0;
            for (double i = mode + 1; i <= k; ++i)
                f *= nr / i - r;
            for (double i = k + 1; i <= mode; ++i)
                v *= nr / i - r;
            if (v <= f)
                return static_cast<unsigned>(k);
            continue;
        }
        // Squeeze with a normal-like bound, then the exact log ratio.
        v = std::log(v);
        const double rho =
            (km / npq) * (((km / 3.0 + 0.625) * km + 1.0 / 6.0) / npq + 0.5);
        const double t = -km * km / (2.0 * npq);
        if (v < t - rho)
            return static_cast<unsigned>(k);
        if (v > t + rho)
            continue;
        const double nm = n - mode + 1.0, nk = n - k + 1.0;
        const double h = (mode + 0.5) * std::log((mode + 1.0) / (r * nm)) +
                         stirling_tail(mode) + stirling_tail(n - mode);
        if (v <= h + (n + 1.0) * std::log(nm / nk) +
                     (k + 0.5) * std::log(nk * r / (k + 1.0)) - stirling_tail(k) -
                     stirling_tail(n - k))
            return static_cast<unsigned>(k);
    }
}

unsigned round_model::flipped_weight(unsigned k, double p)
{
    return k - binomial(k, p) + binomial(d_config.bits - k, p);
}

model_round round_model::next(std::uint8_t direction)
{
    const unsigned m = d_config.bits;
    const unsigned d = direction & 1u;
    model_round out;
    out.leader_field_ber = either_flips(noise_ber(), d_config.link_ber[d]);
    out.follower_field_ber = either_flips(noise_ber(), d_config.link_ber[d ^ 1]);
    const double p_l = out.leader_field_ber, p_f = out.follower_field_ber;

    if (!d_config.simulate_eve) {
        // Without Eve only the counts matter: each bit of E1 or E2 is wrong at the rate
        // below, independently, so each count is one binomial (same law, a third of the
        // draws).
        const double p_e = either_flips(p_l, p_f);
        out.f1 = static_cast<std::uint16_t>(binomial(m, p_e));
        out.f2 = static_cast<std::uint16_t>(binomial(m, p_e));
        return out;
    }
    const unsigned k_l = binomial(m, p_l); // |e(X1)|
    const unsigned k_f = binomial(m, p_f); // |e(Y1)|
    out.f1 = static_cast<std::uint16_t>(flipped_weight(k_l, p_f));
    out.f2 = static_cast<std::uint16_t>(flipped_weight(k_f, p_l));

    const double g = either_flips(d_config.eve_ber[0], d_config.eve_ber[1]);
    const unsigned w_l = flipped_weight(k_l, g), w_f = flipped_weight(k_f, g);
    out.eve_seen_leader_errors = static_cast<std::uint16_t>(w_l);
    out.eve_seen_follower_errors = static_cast<std::uint16_t>(w_f);
    out.eve_estimate = eve_estimate(w_l, w_f, m, g);

    const double other_round =
        either_flips(either_flips(noise_ber(), d_config.link_ber[d]),
                     either_flips(noise_ber(), d_config.link_ber[d ^ 1]));
    out.eve_passive_guess = static_cast<std::uint16_t>(binomial(m, other_round));
    return out;
}

void round_model::generate(std::uint8_t direction, std::span<model_round> out)
{
    for (auto& r : out)
        r = next(direction);
}

} // namespace fiberkey
