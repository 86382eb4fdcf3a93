/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
// The core algorithms for researchers, as gr-satellites binds its CRC.
#include "bytes_conversions.h"

#include <fiberkey/eea3_lanes.h>
#include <fiberkey/frame_cipher.h>
#include <fiberkey/frame_layout.h>
#include <fiberkey/frame_tag.h>
#include <fiberkey/g709_fec.h>
#include <fiberkey/g709_scrambler.h>
#include <fiberkey/lab_pattern.h>
#include <fiberkey/neg_block.h>
#include <fiberkey/neg_segment.h>
#include <fiberkey/otu_frame.h>
#include <fiberkey/round_arithmetic.h>
#include <fiberkey/secure_memory.h>
#include <fiberkey/zuc.h>
#include <fiberkey/zuc_mac.h>

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <memory>
#include <stdexcept>
#include <tuple>

namespace py = pybind11;
using namespace fiberkey;

using fiberkey_bindings::as_vector;

namespace {
template <std::size_t N>
std::span<const uint8_t, N> fixed(const py::bytes& b, const char* what)
{
    const std::string_view v(b);
    if (v.size() != N)
        throw std::invalid_argument(std::string(what) + " must be " + std::to_string(N) +
                                    " bytes");
    return std::span<const uint8_t, N>(reinterpret_cast<const uint8_t*>(v.data()), N);
}

std::span<const uint8_t> view(const py::bytes& b)
{
    const std::string_view v(b);
    return std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(v.data()), v.size());
}

py::bytes as_bytes(const std::vector<uint8_t>& v)
{
    return py::bytes(reinterpret_cast<const char*>(v.data()), v.size());
}

// A frame from Python, checked for its length.
std::vector<uint8_t> frame_of(const py::bytes& b)
{
    auto v = as_vector(b);
    if (v.size() != frame_layout::frame_bytes)
        throw std::invalid_argument("a frame is 16,830 bytes");
    return v;
}

// The frame integrity tag (frame_tag.h), for research and for checking captures.
void bind_frame_tag(py::module& m)
{
    const auto ref = [](std::vector<uint8_t>& f) {
        return otu_frame::frame_ref(f.data(), frame_layout::frame_bytes);
    };
    py::class_<frame_tag>(
        m,
        "frame_tag",
        "The 64-bit ZUC-256 integrity tag of a plaintext frame: seal before encryption, "
        "verify after decryption.")
        .def(py::init<>())
        .def_static(
            "mac_key",
            [](const py::bytes& key, unsigned direction) {
                const auto mk =
                    frame_tag::mac_key(fixed<16>(key, "session_key"), direction);
                return py::bytes(reinterpret_cast<const char*>(mk.data()), mk.size());
            },
            py::arg("session_key"),
            py::arg("direction"),
            "The 32-byte MAC key of a session key and direction.")
        .def(
            "seal",
            [ref](frame_tag& t,
                  const py::bytes& frame,
                  const py::bytes& key,
                  uint32_t counter,
                  unsigned direction) {
                auto f = frame_of(frame);
                t.seal(ref(f), fixed<16>(key, "session_key"), counter, direction);
                return as_bytes(f);
            },
            py::arg("frame"),
            py::arg("session_key"),
            py::arg("counter"),
            py::arg("direction"),
            "The plaintext frame with its tag written into the tag field.")
        .def(
            "verify",
            [ref](frame_tag& t,
                  const py::bytes& frame,
                  const py::bytes& key,
                  uint32_t counter,
                  unsigned direction) {
                auto f = frame_of(frame);
                const auto info = otu_frame::decode_int(ref(f));
                if (!info.ok())
                    throw std::invalid_argument("the INT block is beyond its RS code");
                return t.verify(
                    ref(f), info.info, fixed<16>(key, "session_key"), counter, direction);
            },
            py::arg("frame"),
            py::arg("session_key"),
            py::arg("counter"),
            py::arg("direction"),
            "Whether decrypted frame's tag holds (INT RS-checked first; ValueError when it "
            "cannot be).");
}

// The OTU frame codec (otu_frame.h).
void bind_otu_frame(py::module& m)
{
    namespace of = otu_frame;
    auto sub = m.def_submodule(
        "otu_frame",
        "Builds extended OTU2 frames and takes them apart (plaintext, no FEC).");
    py::class_<of::header>(sub, "header", "What the clear overhead of row 0 says.")
        .def(py::init([](uint32_t counter, unsigned epoch, bool clear) {
                 return of::header{ counter, epoch, clear };
             }),
             py::arg("counter") = 0,
             py::arg("epoch") = 0,
             py::arg("clear") = false)
        .def_readwrite("counter", &of::header::counter)
        .def_readwrite("epoch", &of::header::epoch)
        .def_readwrite("clear", &of::header::clear)
        .def("__repr__", [](const of::header& h) {
            return "header(counter=" + std::to_string(h.counter) +
                   ", epoch=" + std::to_string(h.epoch) +
                   ", clear=" + (h.clear ? "True" : "False") + ")";
        });
    sub.def(
        "build",
        [](uint32_t counter,
           unsigned epoch,
           const py::bytes& payload,
           const py::bytes& neg,
           const py::bytes& int_info,
           bool clear) {
            std::vector<uint8_t> f(frame_layout::frame_bytes);
            of::build(of::frame_ref(f.data(), f.size()),
                      { counter, epoch, clear },
                      as_vector(payload),
                      as_vector(neg),
                      as_vector(int_info));
            return as_bytes(f);
        },
        py::arg("counter"),
        py::arg("epoch") = 0,
        py::arg("payload") = py::bytes(),
        py::arg("neg") = py::bytes(),
        py::arg("int_info") = py::bytes(),
        py::arg("clear") = false,
        "A 16,830-byte frame: payload 15,232 bytes or empty (zeros), NEG 255 bytes or "
        "empty, INT information up to 239 bytes (zero padded, RS parity added).");
    sub.def(
        "header_of",
        [](const py::bytes& frame) { return of::read_header(frame_of(frame).data()); },
        py::arg("frame"));
    sub.def(
        "payload_of",
        [](const py::bytes& frame) {
            const auto f = frame_of(frame);
            std::vector<uint8_t> p(frame_layout::payload_bytes);
            of::read_payload(of::const_frame_ref(f.data(), f.size()),
                             of::payload_ref(p.data(), p.size()));
            return as_bytes(p);
        },
        py::arg("frame"),
        "The payload columns of the four rows, in order.");
    sub.def(
        "neg_of",
        [](const py::bytes& frame) {
            const auto f = frame_of(frame);
            const auto neg = of::neg_block(of::const_frame_ref(f.data(), f.size()));
            return as_bytes(std::vector<uint8_t>(neg.begin(), neg.end()));
        },
        py::arg("frame"));
    sub.def(
        "int_of",
        [](const py::bytes& frame) {
            const auto f = frame_of(frame);
            const auto d = of::decode_int(of::const_frame_ref(f.data(), f.size()));
            return py::make_tuple(
                d.corrected,
                as_bytes(std::vector<uint8_t>(d.info.begin(), d.info.end())));
        },
        py::arg("frame"),
        "(symbols corrected or -1 if uncorrectable, the 239 INT information bytes).");
    sub.def(
        "make_clear",
        [](const py::bytes& frame) {
            auto f = frame_of(frame);
            of::make_clear(of::frame_ref(f.data(), f.size()));
            return as_bytes(f);
        },
        py::arg("frame"),
        "The link-start clear frame of a plaintext frame.");
}

// The NEG block codec (neg_block.h): what pattern generators and offline tools write
// into a frame and read back from a decided one.
void bind_neg_block(py::module& m)
{
    auto sub = m.def_submodule(
        "neg_block",
        "The NEG block of a frame: ND1 (X1, X2) and ND2 (Y1, Y2), numbered.");
    const auto copy_array = [](const py::bytes& b, nd_array& a) {
        const auto v = fixed<frame_layout::nd_array_bytes>(b, "an array");
        std::copy(v.begin(), v.end(), a.begin());
    };
    const auto bytes_of = [](const nd_array& a) {
        return py::bytes(reinterpret_cast<const char*>(a.data()), a.size());
    };
    sub.attr("array_bytes") = frame_layout::nd_array_bytes;
    sub.def(
        "encode",
        [copy_array](uint16_t send_seq,
                     const py::bytes& x1,
                     const py::bytes& x2,
                     uint16_t response_seq,
                     const py::bytes& y1,
                     const py::bytes& y2) {
            neg_fields f;
            f.nd1_present = send_seq != 0;
            f.nd2_present = response_seq != 0;
            f.send_seq = send_seq;
            f.response_seq = response_seq;
            if (f.nd1_present) {
                copy_array(x1, f.x1);
                copy_array(x2, f.x2);
            }
            if (f.nd2_present) {
                copy_array(y1, f.y1);
                copy_array(y2, f.y2);
            }
            std::vector<uint8_t> block(frame_layout::block_bytes);
            neg_block::encode(f,
                              std::span<uint8_t, frame_layout::block_bytes>(
                                  block.data(), frame_layout::block_bytes));
            return as_bytes(block);
        },
        py::arg("send_seq"),
        py::arg("x1") = py::bytes(),
        py::arg("x2") = py::bytes(),
        py::arg("response_seq") = 0,
        py::arg("y1") = py::bytes(),
        py::arg("y2") = py::bytes(),
        "The 255-byte block: ND1 when send_seq (1..65535) is not 0, ND2 when response_seq "
        "is not 0; each array 62 bytes (m = 496 bits).");
    sub.def(
        "decode",
        [bytes_of](const py::bytes& block) {
            const auto d =
                neg_block::decode(fixed<frame_layout::block_bytes>(block, "a block"));
            const auto& f = d.fields;
            py::dict out;
            out["nd1_present"] = f.nd1_present;
            out["nd2_present"] = f.nd2_present;
            out["send_seq"] = f.send_seq;
            out["response_seq"] = f.response_seq;
            out["x1"] = bytes_of(f.x1);
            out["x2"] = bytes_of(f.x2);
            out["y1"] = bytes_of(f.y1);
            out["y2"] = bytes_of(f.y2);
            out["consistent"] = d.consistent();
            return out;
        },
        py::arg("block"),
        "A dict of the block as received (NEG has no FEC: any field may carry errors).");
}

// The round's arithmetic (round_arithmetic.h, protocol.md section 5).
void bind_round_arithmetic(py::module& m)
{
    namespace ra = round_arithmetic;
    auto sub = m.def_submodule("round_arithmetic",
                               "C1, C2 and the error counts F1, F2 of one round.");
    const auto same_size = [](std::initializer_list<const py::bytes*> arrays) {
        const auto n = std::string_view(**arrays.begin()).size();
        for (const auto* a : arrays)
            if (std::string_view(*a).size() != n)
                throw std::invalid_argument("the arrays of a round have one length");
        return n;
    };
    sub.def(
        "follower_feedback",
        [same_size](const py::bytes& xa3, const py::bytes& xb2) {
            std::vector<uint8_t> c2(same_size({ &xa3, &xb2 }));
            ra::follower_feedback(view(xa3), view(xb2), c2);
            return as_bytes(c2);
        },
        py::arg("xa3"),
        py::arg("xb2"),
        "C2 = XA3 ^ XB2.");
    sub.def(
        "leader_feedback",
        [same_size](const py::bytes& xb3, const py::bytes& xa2) {
            std::vector<uint8_t> c1(same_size({ &xb3, &xa2 }));
            ra::leader_feedback(view(xb3), view(xa2), c1);
            return as_bytes(c1);
        },
        py::arg("xb3"),
        py::arg("xa2"),
        "C1 = XB3 ^ XA2.");
    sub.def(
        "leader_error_count",
        [same_size](const py::bytes& xb4, const py::bytes& xa1, const py::bytes& c4) {
            same_size({ &xb4, &xa1, &c4 });
            return ra::leader_error_count(view(xb4), view(xa1), view(c4));
        },
        py::arg("xb4"),
        py::arg("xa1"),
        py::arg("c4"),
        "F1 = |XB4 ^ XA1 ^ C4|.");
    sub.def(
        "follower_error_count",
        [same_size](const py::bytes& xa4, const py::bytes& xb1, const py::bytes& c3) {
            same_size({ &xa4, &xb1, &c3 });
            return ra::follower_error_count(view(xa4), view(xb1), view(c3));
        },
        py::arg("xa4"),
        py::arg("xb1"),
        py::arg("c3"),
        "F2 = |XA4 ^ XB1 ^ C3|.");
}

// The lab's patterns and rounds (lab_pattern.h): what fiberkey-lab keys and the Lab
// Rounds block run on.
void bind_lab(py::module& m)
{
    py::register_exception<lab_pattern_error>(m, "lab_pattern_error", PyExc_ValueError);
    py::class_<lab_pattern>(
        m,
        "lab_pattern",
        "A node's transmit pattern (fiberkey-lab pattern): the manifest "
        "and the plaintext NEG blocks. Secret.")
        .def_static("read",
                    &lab_pattern::read,
                    py::arg("prefix"),
                    "Reads PREFIX.json and its arrays file, every field and the SHA-256 "
                    "checked; raises lab_pattern_error (a ValueError) naming the file.")
        .def_property_readonly(
            "node", [](const lab_pattern& p) { return std::string(1, p.node); })
        .def_readonly("direction", &lab_pattern::direction)
        .def_readonly("frames", &lab_pattern::frames)
        .def_readonly("first_counter", &lab_pattern::first_counter)
        .def_readonly("fec", &lab_pattern::fec)
        .def_readonly("integrity", &lab_pattern::integrity)
        .def_property_readonly(
            "session_key",
            [](const lab_pattern& p) {
                return py::bytes(reinterpret_cast<const char*>(p.session_key.data()),
                                 p.session_key.size());
            })
        .def(
            "block",
            [](const lab_pattern& p, std::size_t i) {
                if (i >= p.frames)
                    throw py::index_error("frame index beyond the pattern");
                const auto b = p.block(i);
                return py::bytes(reinterpret_cast<const char*>(b.data()), b.size());
            },
            py::arg("i"),
            "Frame i's plaintext NEG block (255 bytes).");

    py::class_<lab_rounds>(
        m,
        "lab_rounds",
        "The rounds of a lab run from both patterns (A's, then B's) and "
        "each receiver's decided NEG blocks, in any order.")
        .def(py::init<lab_pattern, lab_pattern>(), py::arg("a"), py::arg("b"))
        .def(
            "add",
            [](lab_rounds& r,
               const std::string& at,
               uint32_t counter,
               const py::bytes& neg) -> py::object {
                if (at != "A" && at != "B")
                    throw std::invalid_argument("at must be 'A' or 'B'");
                const auto round = r.add(at[0], counter, view(neg));
                if (!round)
                    return py::none();
                py::dict d;
                d["index"] = round->index;
                d["sequence"] = round->sequence;
                d["ab_at_a"] = round->ab_at_a;
                d["ab_at_b"] = round->ab_at_b;
                d["ba_at_b"] = round->ba_at_b;
                d["ba_at_a"] = round->ba_at_a;
                return d;
            },
            py::arg("at"),
            py::arg("counter"),
            py::arg("neg"),
            "A NEG block decided at node `at` ('A': of B's frames) for the frame with "
            "`counter`: the round it completes (dict: index, sequence, ab_at_a, ab_at_b, "
            "ba_at_b, ba_at_a) or None.")
        .def("frames", &lab_rounds::frames)
        .def("rounds", &lab_rounds::rounds)
        .def("repeated", &lab_rounds::repeated)
        .def("outside_pattern", &lab_rounds::outside_pattern);
}

// A segmented capture's receiver (neg_segment.h), for a lab's own scripts.
void bind_neg_segment(py::module& m)
{
    using samples = py::array_t<float, py::array::c_style | py::array::forcecast>;
    const auto span_of = [](const samples& x) {
        return std::span<const float>(x.data(), static_cast<std::size_t>(x.size()));
    };
    py::class_<neg_segment_receiver>(
        m,
        "neg_segment_receiver",
        "Decides the NEG block of every segment of a segmented capture (a scope's "
        "segmented memory, one trigger per frame): the bit clock from the segment, NEG by "
        "its 56 known encrypted bits (status, sequence numbers, reserved), the local noise "
        "on ND1 and ND2 (noise_law '' for none), the decisions, descrambled and "
        "decrypted. frames: (counter, send_seq, response_seq) of every frame the capture "
        "may hold. test_seed fixes the local noise: FOR TESTS ONLY.")
        .def(py::init(
                 [](double samples_per_bit,
                    double first_bit,
                    unsigned search_bits,
                    const py::bytes& key,
                    unsigned direction,
                    const std::vector<std::tuple<uint32_t, uint16_t, uint16_t>>& frames,
                    const std::string& noise_law,
                    double noise_low,
                    double noise_high,
                    uint64_t test_seed) {
                     neg_segment_config c{ .samples_per_bit = samples_per_bit,
                                           .first_bit = first_bit,
                                           .search_bits = search_bits,
                                           .local_noise = !noise_law.empty(),
                                           .noise = {} };
                     if (c.local_noise)
                         c.noise = { parse_noise_law(noise_law), noise_low, noise_high };
                     std::vector<neg_frame_id> ids;
                     for (const auto& [counter, send, response] : frames)
                         ids.push_back({ counter, send, response });
                     return std::make_unique<neg_segment_receiver>(
                         c,
                         fixed<16>(key, "key"),
                         direction,
                         ids,
                         test_seed ? gaussian_source::from_test_seed(test_seed)
                                   : gaussian_source());
                 }),
             py::arg("samples_per_bit"),
             py::arg("first_bit"),
             py::arg("search_bits"),
             py::arg("key"),
             py::arg("direction"),
             py::arg("frames"),
             py::arg("noise_law") = "ber_log_uniform",
             py::arg("noise_low") = 1e-3,
             py::arg("noise_high") = 0.2,
             py::arg("test_seed") = 0)
        .def_static(
            "measure_samples_per_bit",
            [span_of](const samples& x, double nominal) {
                return neg_segment_receiver::measure_samples_per_bit(span_of(x), nominal);
            },
            py::arg("segment"),
            py::arg("nominal"),
            "The samples per bit the segment's clock tone shows near nominal, or None.")
        .def("set_samples_per_bit",
             &neg_segment_receiver::set_samples_per_bit,
             py::arg("samples_per_bit"))
        .def("samples_per_bit", &neg_segment_receiver::samples_per_bit)
        .def("min_segment_samples", &neg_segment_receiver::min_segment_samples)
        .def(
            "decide",
            [span_of](neg_segment_receiver& rx, const samples& x, std::size_t expected) {
                // With the GIL held: a receiver is not for two threads at once.
                neg_segment_result r = rx.decide(span_of(x), expected);
                static const char* const names[] = {
                    "decided", "too_short", "no_signal", "not_aligned"
                };
                py::dict d;
                d["status"] = names[static_cast<int>(r.status)];
                if (r.status != neg_segment_status::decided)
                    return d;
                d["frame"] = r.frame;
                d["searched"] = r.searched;
                d["neg"] =
                    py::bytes(reinterpret_cast<const char*>(r.neg.data()), r.neg.size());
                d["bit_offset"] = r.bit_offset;
                d["inverted"] = r.inverted;
                d["known_bit_errors"] = r.known_bit_errors;
                d["clock_phase"] = r.clock_phase;
                d["threshold"] = r.levels.threshold;
                d["sigma_nd1"] = r.noise.sigma_nd1;
                d["sigma_nd2"] = r.noise.sigma_nd2;
                secure_wipe(r.neg);
                return d;
            },
            py::arg("segment"),
            py::arg("expected") = 0,
            "A dict: status ('decided', 'too_short', 'no_signal', 'not_aligned') and, when "
            "decided, frame (index into frames), searched, neg (255 bytes, secret), "
            "bit_offset, inverted, known_bit_errors, clock_phase, threshold, sigma_nd1, "
            "sigma_nd2.");
}
} // namespace

void bind_core(py::module& m)
{
    py::class_<zuc>(m, "zuc", "The ZUC keystream generator (ZUC-128 and ZUC-256).")
        .def_static(
            "zuc128",
            [](const py::bytes& key, const py::bytes& iv) {
                return zuc::zuc128(fixed<16>(key, "key"), fixed<16>(iv, "iv"));
            },
            py::arg("key"),
            py::arg("iv"))
        .def_static(
            "zuc256",
            [](const py::bytes& key, const py::bytes& iv) {
                return zuc::zuc256(fixed<32>(key, "key"), fixed<25>(iv, "iv"));
            },
            py::arg("key"),
            py::arg("iv"))
        .def("next_word", &zuc::next_word)
        .def(
            "words",
            [](zuc& z, std::size_t n) {
                std::vector<uint32_t> w(n);
                z.generate(w);
                return w;
            },
            py::arg("n"),
            "The next n keystream words.")
        .def(
            "keystream",
            [](zuc& z, std::size_t n) {
                std::vector<uint8_t> b(n);
                z.generate_bytes(b);
                return as_bytes(b);
            },
            py::arg("n"),
            "The next n keystream bytes (words big-endian).");

    m.def(
        "eea3",
        [](const py::bytes& key,
           uint32_t count,
           unsigned bearer,
           unsigned direction,
           const py::bytes& data,
           uint64_t length_bits) {
            auto v = as_vector(data);
            eea3::crypt(fixed<16>(key, "key"), count, bearer, direction, v, length_bits);
            return as_bytes(v);
        },
        py::arg("key"),
        py::arg("count"),
        py::arg("bearer"),
        py::arg("direction"),
        py::arg("data"),
        py::arg("length_bits"),
        "128-EEA3: encrypts or decrypts length_bits bits of data.");

    m.def(
        "eia3_mac",
        [](const py::bytes& key,
           uint32_t count,
           unsigned bearer,
           unsigned direction,
           const py::bytes& message,
           uint64_t length_bits) {
            return eia3::mac(fixed<16>(key, "key"),
                             count,
                             bearer,
                             direction,
                             view(message),
                             length_bits);
        },
        py::arg("key"),
        py::arg("count"),
        py::arg("bearer"),
        py::arg("direction"),
        py::arg("message"),
        py::arg("length_bits"),
        "128-EIA3 (3GPP): the 32-bit MAC, as an int, of the first length_bits bits of "
        "message (MSB first) under the 16-byte key IK, COUNT, BEARER (0..31) and "
        "DIRECTION (0 or 1). Raises ValueError on a bad argument or a message shorter than "
        "ceil(length_bits / 8) bytes.");
    m.def(
        "zuc256_mac",
        [](const py::bytes& key,
           const py::bytes& iv,
           const py::bytes& message,
           uint64_t length_bits,
           unsigned tag_bits) {
            std::vector<uint8_t> tag(zuc256_mac::max_tag_bytes);
            zuc256_mac::compute(fixed<zuc256_mac::key_bytes>(key, "key"),
                                fixed<zuc256_mac::iv_bytes>(iv, "iv"),
                                view(message),
                                length_bits,
                                tag_bits,
                                tag);
            tag.resize(tag_bits / 8);
            return as_bytes(tag);
        },
        py::arg("key"),
        py::arg("iv"),
        py::arg("message"),
        py::arg("length_bits"),
        py::arg("tag_bits"),
        "The ZUC-256 MAC (2018 paper): the tag_bits / 8 bytes (tag_bits 32, 64 or 128) of "
        "the tag of the first length_bits bits of message (MSB first) under a 32-byte key "
        "and a 25-byte IV whose last 8 bytes hold 6 bits each. Raises ValueError on a bad "
        "argument.");

    py::class_<frame_cipher>(
        m, "frame_cipher", "Encrypts the covered bytes of one 16,830-byte frame.")
        .def(py::init([](const std::string& backend) {
                 return std::make_unique<frame_cipher>(parse_zuc_backend(backend));
             }),
             py::arg("backend") = "auto")
        .def(
            "crypt",
            [](frame_cipher& c,
               const py::bytes& frame,
               const py::bytes& key,
               uint32_t count,
               unsigned direction) {
                auto v = as_vector(frame);
                c.crypt(v, fixed<16>(key, "key"), count, direction);
                return as_bytes(v);
            },
            py::arg("frame"),
            py::arg("key"),
            py::arg("count"),
            py::arg("direction"))
        .def_static("lane_bytes",
                    [] {
                        const auto& a = frame_cipher::lane_bytes();
                        return std::vector<uint32_t>(a.begin(), a.end());
                    })
        .def("backend", [](const frame_cipher& c) { return to_string(c.backend()); });

    m.def(
        "rs255_encode",
        [](const py::bytes& info) {
            std::vector<uint8_t> parity(rs255::parity_bytes);
            rs255::encode(
                fixed<rs255::k>(info, "info"),
                std::span<uint8_t, rs255::parity_bytes>(parity.data(), parity.size()));
            return as_bytes(parity);
        },
        py::arg("info"),
        "RS(255,239) of G.709: the 16 parity bytes of 239 information bytes.");
    m.def(
        "rs255_decode",
        [](const py::bytes& codeword) {
            auto v = as_vector(codeword);
            if (v.size() != rs255::n)
                throw std::invalid_argument("a codeword is 255 bytes");
            const int corrected =
                rs255::decode(std::span<uint8_t, rs255::n>(v.data(), v.size()));
            return py::make_tuple(corrected, as_bytes(v));
        },
        py::arg("codeword"),
        "Corrects a codeword: (symbols corrected or -1 if uncorrectable, codeword).");
    m.def(
        "g709_scrambler_sequence",
        [](std::size_t n) {
            const auto seq = g709_scrambler::sequence();
            if (n > seq.size())
                throw std::invalid_argument(
                    "the scrambler covers 16,824 bytes per frame");
            return as_bytes(std::vector<uint8_t>(seq.begin(), seq.begin() + n));
        },
        py::arg("n"),
        "The first n bytes of the G.709 frame-synchronous scrambler.");

    m.def("zuc_backends", [] {
        std::vector<std::string> names;
        for (auto b : available_zuc_backends())
            names.push_back(to_string(b));
        return names;
    });

    auto layout =
        m.def_submodule("frame_layout", "Byte offsets of the extended OTU2 frame.");
    layout.attr("frame_bytes") = frame_layout::frame_bytes;
    layout.attr("frames_per_second") = frame_layout::frames_per_second;
    layout.attr("line_bit_rate") = frame_layout::line_bit_rate;
    layout.attr("frame_item_bytes") = frame_layout::frame_item_bytes;
    layout.attr("otu_bytes") = frame_layout::otu_bytes;
    layout.attr("payload_bytes") = frame_layout::payload_bytes;
    layout.attr("encrypted_bytes") = frame_layout::encrypted_bytes();
    layout.attr("neg_offset") = frame_layout::neg.offset;
    layout.attr("int_offset") = frame_layout::intb.offset;
    layout.attr("block_bytes") = frame_layout::block_bytes;
    layout.attr("epoch_flags") = frame_layout::epoch_flags;
    layout.attr("tag_offset") = frame_layout::tag.offset;
    layout.attr("tag_bytes") = frame_layout::tag.length;
    layout.attr("authenticated_bytes") = frame_layout::authenticated_bytes();
    bind_otu_frame(m);
    bind_neg_block(m);
    bind_round_arithmetic(m);
    bind_neg_segment(m);
    bind_lab(m);
    bind_frame_tag(m);
}
