/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
// The message handlers of every block with message inputs (lib/*_impl.cc), called as
// GNU Radio's block thread calls them (message_inputs::deliver), on PMTs that the input
// builds. No flowgraph runs: the handlers' output messages go to no subscriber.
//
// Input: [block u8] (by % 8: zuc_crypt, negotiator, key_post_processor leader, its
// follower, int_channel, key_exchange, eve_observer, otu_mux; round_counts with 0x80
// set, link_monitor with 0x40, tap_alarm_guard with 0x20), then messages [port u8][pmt] until the input ends. A pmt is
//   [kind u8] by % 16:
//   0 nil  1 #t  2 #f  3 long [u32, as signed]  4 uint64 [u32 << 32 | u32]
//   5 double [u32 as float]  6 a known symbol [u8] (a metadata key or port name)
//   7 u8vector [size class u8][bytes]: sizes 0, 1, 16, 239, 255, 494, [u16] % 4096
//   8 f32vector [n u8]  9 dict [n u8 % 8]([key pmt][value pmt])*  10 pair [car][cdr]
//   11 a PDU: a dict [n u8 % 8] of known keys with values, and a u8vector
//   12 vector [n u8 % 4][pmt]*  13 a 2-tuple  14 a large integer near 2^31, 2^32, 2^63
//   15 a well-formed message for that port, then mutated by one [at u16][xor u8]
// Nesting stops at depth 4. Checks, besides the sanitizers: nothing escapes a handler
// (message_inputs would count it; deliver() itself must not throw), every message is
// counted as received, refusals never exceed deliveries.
#include "fuzz_input.h"

#include "../lib/eve_observer_impl.h"
#include "../lib/int_channel_impl.h"
#include "../lib/key_exchange_impl.h"
#include "../lib/key_post_processor_impl.h"
#include "../lib/link_monitor_impl.h"
#include "../lib/negotiator_impl.h"
#include "../lib/otu_mux_impl.h"
#include "../lib/round_counts_impl.h"
#include "../lib/tap_alarm_guard_impl.h"
#include "../lib/zuc_crypt_impl.h"

#include <fiberkey/frame_layout.h>
#include <fiberkey/neg_block.h>

#include <array>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <vector>

namespace fl = fiberkey::frame_layout;
using namespace gr::fiberkey;

namespace {

const char* const known_symbols[] = {
    "frame_counter", "key_epoch",    "epoch",   "start_counter",
    "direction",     "int_ok",       "stream",  "corrected",
    "sequence",      "count",        "role",    "index",
    "leader",        "follower",     "lock",    "outage",
    "in_frame",      "out_of_frame", "int",     "neg",
    "loss_of_frame", "clear",        "relearn", "loss_of_frame_cleared",
    "event",         "cause",        "cleared", "tap_alarm",
    "learned",       "power_step",   "q_step",  "relearning",
};

class pmt_builder
{
public:
    explicit pmt_builder(fiberkey::fuzz::input& in) : d_in(in) {}

    pmt::pmt_t any(int depth = 0)
    {
        if (depth > 4)
            return pmt::PMT_NIL;
        switch (d_in.u8() % 16) {
        case 0:
            return pmt::PMT_NIL;
        case 1:
            return pmt::PMT_T;
        case 2:
            return pmt::PMT_F;
        case 3:
            return pmt::from_long(static_cast<std::int32_t>(d_in.u32()));
        case 4: {
            const std::uint64_t hi = d_in.u32();
            return pmt::from_uint64(hi << 32 | d_in.u32());
        }
        case 5: {
            const std::uint32_t bits = d_in.u32();
            float f;
            std::memcpy(&f, &bits, sizeof f);
            return pmt::from_double(f);
        }
        case 6:
            return symbol();
        case 7:
            return bytes();
        case 8: {
            std::vector<float> v(d_in.u8());
            for (auto& f : v)
                f = static_cast<float>(static_cast<std::int8_t>(d_in.u8()));
            return pmt::init_f32vector(v.size(), v);
        }
        case 9: {
            pmt::pmt_t d = pmt::make_dict();
            for (unsigned n = d_in.u8() % 8; n > 0; --n) {
                const pmt::pmt_t key = any(depth + 1);
                d = pmt::dict_add(d, key, any(depth + 1));
            }
            return d;
        }
        case 10: {
            const pmt::pmt_t car = any(depth + 1);
            return pmt::cons(car, any(depth + 1));
        }
        case 11:
            return pdu(depth);
        case 12: {
            const std::size_t n = d_in.u8() % 4;
            pmt::pmt_t v = pmt::make_vector(n, pmt::PMT_NIL);
            for (std::size_t i = 0; i < n; ++i)
                pmt::vector_set(v, i, any(depth + 1));
            return v;
        }
        case 13: {
            const pmt::pmt_t a = any(depth + 1);
            return pmt::make_tuple(a, any(depth + 1));
        }
        case 14: {
            static const std::int64_t edges[] = {
                (1LL << 31) - 1,
                1LL << 31,
                (1LL << 32) + 1,
                std::numeric_limits<std::int64_t>::max(),
                std::numeric_limits<std::int64_t>::min(),
                -1
            };
            const auto e = edges[d_in.u8() % std::size(edges)];
            return d_in.u8() & 1 ? pmt::from_uint64(static_cast<std::uint64_t>(e))
                                 : pmt::from_long(e);
        }
        default: // at the top, the caller makes a well-formed message for its port
            return depth == 0 ? nullptr : pmt::PMT_NIL;
        }
    }

    pmt::pmt_t symbol()
    {
        return pmt::mp(known_symbols[d_in.u8() % std::size(known_symbols)]);
    }

    pmt::pmt_t bytes()
    {
        static const std::size_t sizes[] = { 0,
                                             1,
                                             16,
                                             fl::int_info_bytes,
                                             fl::block_bytes,
                                             fl::block_bytes + fl::int_info_bytes };
        const unsigned c = d_in.u8() % (std::size(sizes) + 1);
        const std::size_t n = c < std::size(sizes) ? sizes[c] : d_in.u16() % 4096;
        std::vector<std::uint8_t> v(n);
        const auto got = d_in.bytes(n);
        std::copy(got.begin(), got.end(), v.begin());
        return pmt::init_u8vector(v.size(), v);
    }

    pmt::pmt_t pdu(int depth)
    {
        pmt::pmt_t meta = pmt::make_dict();
        for (unsigned n = d_in.u8() % 8; n > 0; --n) {
            const pmt::pmt_t key = symbol();
            meta = pmt::dict_add(meta, key, any(depth + 1));
        }
        return pmt::cons(meta, bytes());
    }

    std::uint16_t u16() { return d_in.u16(); }
    std::uint8_t u8() { return d_in.u8(); }

private:
    fiberkey::fuzz::input& d_in;
};

// A message the port takes, as its producer sends it.
pmt::pmt_t well_formed(const std::string& port, pmt_builder& b)
{
    if (port == "rounds") {
        pmt::pmt_t d = pmt::make_dict();
        d = pmt::dict_add(d, pmt::mp("direction"), pmt::from_long(b.u8() & 1));
        d = pmt::dict_add(d, pmt::mp("sequence"), pmt::from_long(b.u16() % 65535 + 1));
        return pmt::dict_add(d, pmt::mp("count"), pmt::from_long(b.u8()));
    }
    if (port == "line_periods")
        return pmt::from_uint64(b.u8());
    if (port ==
        "frame_status") // fec, corrected, uncorrectable, MFAS; sometimes out of range
        return pmt::init_u64vector(
            4,
            std::vector<std::uint64_t>{
                b.u8() % 3u, b.u16(), b.u8() % 17u, b.u16() % 300u });
    if (port == "status") {
        const char* locks[] = {
            "in_frame", "out_of_frame", "loss_of_frame", "loss_of_frame_cleared"
        };
        return pmt::dict_add(
            pmt::make_dict(), pmt::mp("lock"), pmt::mp(locks[b.u8() % 4]));
    }
    if (port == "control")
        return pmt::mp(b.u8() & 1 ? "clear" : "relearn");
    if (port == "hold")
        return pmt::from_bool(b.u8() & 1);
    if (port == "alarm") {
        const char* events[] = { "tap_alarm", "cleared", "relearning", "learned" };
        const char* causes[] = { "power_step", "q_step", "power_level", "outage", "x" };
        pmt::pmt_t d = pmt::make_dict();
        d = pmt::dict_add(d, pmt::mp("event"), pmt::mp(events[b.u8() % 4]));
        return pmt::dict_add(d, pmt::mp("cause"), pmt::mp(causes[b.u8() % 5]));
    }
    if (port == "rx_status") {
        pmt::pmt_t d = pmt::make_dict();
        d = pmt::dict_add(d, pmt::mp("outage"), pmt::from_uint64(b.u8()));
        return pmt::dict_add(
            d, pmt::mp("lock"), pmt::mp(b.u8() & 1 ? "in_frame" : "out_of_frame"));
    }
    std::size_t n = 16;
    pmt::pmt_t meta = pmt::make_dict();
    if (port == "rx" || port == "from_a" || port == "from_b") {
        n = fl::block_bytes + fl::int_info_bytes;
        meta = pmt::dict_add(meta, pmt::mp("int_ok"), pmt::from_bool(b.u8() & 1));
        meta = pmt::dict_add(meta, pmt::mp("frame_counter"), pmt::from_uint64(b.u16()));
    } else if (port == "neg") {
        n = fl::block_bytes;
    } else if (port == "int" || port == "rx_int") {
        n = fl::int_info_bytes;
    } else if (port == "key") {
        meta = pmt::dict_add(meta, pmt::mp("epoch"), pmt::from_long(b.u8() % 4));
    } else { // send, recv
        meta = pmt::dict_add(meta, pmt::mp("stream"), pmt::from_long(b.u8()));
        n = b.u8();
    }
    std::vector<std::uint8_t> data(n);
    for (auto& x : data)
        x = b.u8();
    pmt::pmt_t msg = pmt::cons(meta, pmt::init_u8vector(data.size(), data));
    // One byte of the data changed: a well-formed message with damaged content.
    const std::size_t at = b.u16();
    const std::uint8_t x = b.u8();
    if (n > 0)
        pmt::u8vector_set(
            pmt::cdr(msg), at % n, static_cast<std::uint8_t>(data[at % n] ^ x));
    return msg;
}

struct subject {
    gr::basic_block_sptr keep; // owns the block
    message_inputs* inputs;
    std::vector<std::string> ports;
};

template <typename Impl, typename Sptr>
subject make_subject(Sptr block, std::vector<std::string> ports)
{
    auto* impl = dynamic_cast<Impl*>(block.get());
    if (!impl)
        fiberkey::fuzz::fail("not the expected implementation", __FILE__, __LINE__);
    return { block, &impl->inputs(), std::move(ports) };
}

subject make(std::uint8_t which)
{
    if (which & 0x80)
        return make_subject<round_counts_impl>(round_counts::make(16), { "rounds" });
    if (which & 0x20)
        return make_subject<tap_alarm_guard_impl>(tap_alarm_guard::make(),
                                                  { "alarm", "recv" });
    if (which & 0x40)
        return make_subject<link_monitor_impl>(
            link_monitor::make(4, 0.8, 1.0, -30, 1e-4, 2),
            { "frame_status", "status", "control" });
    switch (which % 8) {
    case 0:
        return make_subject<zuc_crypt_impl>(zuc_crypt::make(which & 8 ? 1 : 0, false),
                                            { "key" });
    case 1:
        return make_subject<negotiator_impl>(
            negotiator::make(which & 8 ? "B" : "A", 496, 7, 4), { "rx", "rx_status" });
    case 2:
    case 3:
        return make_subject<key_post_processor_impl>(
            key_post_processor::make(0, which % 8 == 2, "soft", 3, 64),
            { "rounds", "recv", "hold" });
    case 4:
        return make_subject<int_channel_impl>(int_channel::make(78, 16, 4),
                                              { "rx_int", "send" });
    case 5:
        return make_subject<key_exchange_impl>(
            key_exchange::make(
                which & 8 ? "B" : "A",
                "psk",
                "",
                "",
                "",
                "",
                "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"),
            { "recv" });
    case 6:
        return make_subject<eve_observer_impl>(eve_observer::make(496, 1e-3, 64),
                                               { "from_a", "from_b" });
    default:
        return make_subject<otu_mux_impl>(otu_mux::make(0, 8, false),
                                          { "neg", "int", "rx_status", "line_periods" });
    }
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***)
{
    // The blocks log each refusal once per cause: quiet, so the fuzzer runs fast.
    gr::logging::singleton().set_default_level(spdlog::level::critical);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    fiberkey::fuzz::input in(data, size);
    subject s = make(in.u8());
    pmt_builder build(in);
    std::uint64_t delivered = 0;
    while (!in.empty() && delivered < 256) {
        const std::string& port = s.ports[in.u8() % s.ports.size()];
        pmt::pmt_t msg = build.any();
        if (!msg)
            msg = well_formed(port, build);
        try {
            s.inputs->deliver(pmt::mp(port), msg);
        } catch (...) {
            fiberkey::fuzz::fail(
                "an exception left a message handler", __FILE__, __LINE__);
        }
        ++delivered;
        FUZZ_CHECK(s.inputs->received() == delivered);
        FUZZ_CHECK(s.inputs->refused() <= delivered);
    }
    return 0;
}
