/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "blocks_pdu.h"
#include "message_inputs.h"
#include <fiberkey/random_source.h>
#include <fiberkey/round_model.h>
#include <gnuradio/fiberkey/model_rounds.h>
#include <gnuradio/io_signature.h>

#include <array>
#include <atomic>
#include <stdexcept>
#include <string>
#include <vector>

namespace gr {
namespace fiberkey {

namespace fk = ::fiberkey;

class model_rounds_impl : public message_input_block<model_rounds>
{
public:
    model_rounds_impl(int bits,
                      double noise_low,
                      double noise_high,
                      double link_ber,
                      uint64_t seed,
                      int rounds_per_message)
        : gr::block("model_rounds",
                    gr::io_signature::make(0, 0, 0),
                    gr::io_signature::make(0, 0, 0)),
          d_model(config(bits, noise_low, noise_high, link_ber), random_for(seed)),
          d_per_message(checked_rounds_per_message(rounds_per_message)),
          d_ports{ pmt::mp("a"), pmt::mp("b") }
    {
        if (seed != 0)
            d_logger->warn("seed {}: reproducible rounds FOR TESTS ONLY", seed);
        d_inputs.add("tick", [this](const pmt::pmt_t&) { on_tick(); });
        for (const auto& p : d_ports)
            message_port_register_out(p);
    }

    uint64_t rounds() const override { return d_rounds; }

private:
    static std::size_t checked_rounds_per_message(int n)
    {
        if (n < 1 || n > max_rounds_per_message)
            throw std::invalid_argument(
                "model_rounds: rounds_per_message must be in 1.." +
                std::to_string(max_rounds_per_message));
        return static_cast<std::size_t>(n);
    }

    static fk::round_model_config
    config(int bits, double noise_low, double noise_high, double link_ber)
    {
        if (bits < 8 || bits > 496 || bits % 8 != 0)
            throw std::invalid_argument(
                "model_rounds: bits must be a multiple of 8 in 8..496");
        if (!(noise_low > 0 && noise_low <= noise_high && noise_high < 0.5))
            throw std::invalid_argument(
                "model_rounds: need 0 < noise_low <= noise_high < 0.5");
        if (!(link_ber >= 0 && link_ber < 0.5))
            throw std::invalid_argument("model_rounds: link_ber must be in [0, 0.5)");
        fk::round_model_config c;
        c.bits = static_cast<unsigned>(bits);
        c.noise_ber_low = noise_low;
        c.noise_ber_high = noise_high;
        c.link_ber = { link_ber, link_ber };
        return c;
    }

    static std::unique_ptr<fk::random_source> random_for(uint64_t seed)
    {
        if (seed == 0)
            return std::make_unique<fk::csprng_random_source>();
        return std::make_unique<fk::test_only_seeded_random_source>(seed);
    }

    void on_tick()
    {
        const auto seq = static_cast<uint16_t>(d_rounds % 65535 + 1);
        if (d_pending[0][0].empty())
            d_first_sequence = seq;
        for (uint8_t direction = 0; direction < 2; ++direction) {
            const fk::model_round r = d_model.next(direction);
            d_pending[direction][0].push_back(r.f1);
            d_pending[direction][1].push_back(r.f2);
        }
        ++d_rounds;
        if (d_pending[0][0].size() < d_per_message)
            return;
        for (uint8_t direction = 0; direction < 2; ++direction) {
            // The leader of direction d is node d (A for AB, B for BA).
            message_port_pub(
                d_ports[direction],
                rounds_message(
                    direction, d_first_sequence, d_pending[direction][0], true));
            message_port_pub(
                d_ports[1 - direction],
                rounds_message(
                    direction, d_first_sequence, d_pending[direction][1], false));
            d_pending[direction][0].clear();
            d_pending[direction][1].clear();
        }
    }

    fk::round_model d_model;
    const std::size_t d_per_message;
    // F1 and F2 of each direction not yet sent, from round d_first_sequence on; only the
    // message thread touches them.
    std::array<std::array<std::vector<uint32_t>, 2>, 2> d_pending;
    uint16_t d_first_sequence = 1;
    std::atomic<uint64_t> d_rounds{ 0 };
    const std::array<pmt::pmt_t, 2> d_ports;
};

model_rounds::sptr model_rounds::make(int bits,
                                      double noise_low,
                                      double noise_high,
                                      double link_ber,
                                      uint64_t seed,
                                      int rounds_per_message)
{
    return gnuradio::make_block_sptr<model_rounds_impl>(
        bits, noise_low, noise_high, link_ber, seed, rounds_per_message);
}

} // namespace fiberkey
} // namespace gr
