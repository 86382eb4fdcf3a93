/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/frame_layout.h>
#include <fiberkey/g709_fec.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <memory>
#include <stdexcept>

#if defined(__x86_64__) || defined(__i386__)
#define FIBERKEY_G709_X86 1
#include <immintrin.h>
#endif

extern "C" {
#include <gnuradio/fec/rs.h>
}

namespace fiberkey {

namespace rs255 {

namespace {
// The codec's tables are read-only after init_rs_char, and encode/decode keep their
// state on the stack, so one instance serves every thread.
void* codec()
{
    struct deleter {
        void operator()(void* rs) const { free_rs_char(rs); }
    };
    static const std::unique_ptr<void, deleter> rs(init_rs_char(8, 0x11d, 0, 1, 16));
    if (!rs)
        throw std::runtime_error("rs255: init_rs_char failed");
    return rs.get();
}
} // namespace

void encode(std::span<const std::uint8_t, k> info,
            std::span<std::uint8_t, parity_bytes> parity)
{
    // encode_rs_char takes a non-const pointer but only reads the data.
    encode_rs_char(codec(), const_cast<std::uint8_t*>(info.data()), parity.data());
}

int decode(std::span<std::uint8_t, n> codeword)
{
    std::array<std::uint8_t, n> received;
    std::copy(codeword.begin(), codeword.end(), received.begin());
    const int corrected = decode_rs_char(codec(), codeword.data(), nullptr, 0);
    if (corrected == 0)
        return 0;
    // The codec can give up after applying some corrections, and beyond its capacity
    // its result is not guaranteed to be a codeword: re-encode to make sure.
    bool valid = corrected > 0 && corrected <= t;
    if (valid) {
        std::array<std::uint8_t, parity_bytes> parity;
        encode(codeword.first<k>(), parity);
        valid = std::equal(parity.begin(), parity.end(), codeword.begin() + k);
    }
    if (!valid) {
        std::copy(received.begin(), received.end(), codeword.begin());
        return -1;
    }
    return corrected;
}

} // namespace rs255

fec_counts& fec_counts::operator+=(const fec_counts& o)
{
    corrected_symbols += o.corrected_symbols;
    corrected_codewords += o.corrected_codewords;
    uncorrectable_codewords += o.uncorrectable_codewords;
    uncorrectable_mask |= o.uncorrectable_mask;
    return *this;
}

namespace g709_fec {

namespace {
void check_size(std::span<std::uint8_t> frame)
{
    if (frame.size() != frame_layout::frame_bytes)
        throw std::invalid_argument("g709_fec: a frame is 16,830 bytes");
}

static_assert(column(codewords_per_row - 1, rs255::n - 1) == frame_layout::columns - 1);
static_assert(column(0, rs255::k) == frame_layout::fec_columns.offset);

using detail::kernel;

// GF(2^8) modulo 0x11d, for the tables built at compile time.
constexpr std::uint8_t gf_mul(std::uint8_t a, std::uint8_t b)
{
    unsigned product = 0;
    for (unsigned x = a; b != 0; b >>= 1) {
        if (b & 1)
            product ^= x;
        x <<= 1;
        if (x & 0x100)
            x ^= 0x11d;
    }
    return static_cast<std::uint8_t>(product);
}

constexpr std::uint8_t alpha_power(std::size_t exponent)
{
    std::uint8_t power = 1;
    for (; exponent != 0; --exponent)
        power = gf_mul(power, 2);
    return power;
}

using parity_array = std::array<std::uint8_t, rs255::parity_bytes>;

/*
 * The division LFSR holds the remainder highest coefficient first, p[0] = parity byte 0.
 * Per information symbol d: f = d ^ p[0], then p[j] = p[j + 1] ^ f * taps[j], where
 * taps[j] is the coefficient of x^(15 - j) in g(x) = (x - alpha^0)...(x - alpha^15).
 */
constexpr parity_array lfsr_taps()
{
    std::array<std::uint8_t, rs255::parity_bytes + 1> g{ 1 }; // g[i]: coefficient of x^i
    for (std::size_t i = 0; i < rs255::parity_bytes; ++i) {
        const auto root = alpha_power(i);
        for (std::size_t j = i + 1; j > 0; --j)
            g[j] = g[j - 1] ^ gf_mul(g[j], root);
        g[0] = gf_mul(g[0], root);
    }
    parity_array taps{};
    for (std::size_t j = 0; j < taps.size(); ++j)
        taps[j] = g[rs255::parity_bytes - 1 - j];
    return taps;
}

constexpr parity_array taps = lfsr_taps();

// ---- Portable kernel: the 16 codewords of a row in step, one table lookup per symbol.

// One LFSR state, p[j] in bits 8 (j % 8) of word j / 8: shifting the register is
// shifting the words, whatever the byte order of the machine.
struct lfsr_words {
    std::uint64_t low, high;
};

// tap_products[f] = f * taps, laid out as lfsr_words.
constexpr auto tap_products = [] {
    std::array<lfsr_words, 256> products{};
    for (std::size_t f = 0; f < products.size(); ++f) {
        for (std::size_t j = 0; j < taps.size(); ++j) {
            auto& word = j < 8 ? products[f].low : products[f].high;
            word |= std::uint64_t{ gf_mul(static_cast<std::uint8_t>(f), taps[j]) }
                    << 8 * (j % 8);
        }
    }
    return products;
}();

// The LFSR states of the 16 codewords of \p row after their first \p symbols symbols.
std::array<lfsr_words, codewords_per_row> lfsr_states(const std::uint8_t* row,
                                                      std::size_t symbols)
{
    std::array<lfsr_words, codewords_per_row> states{};
    for (std::size_t s = 0; s < symbols; ++s) {
        for (std::size_t x = 0; x < codewords_per_row; ++x) {
            auto& p = states[x];
            const auto& products = tap_products[(row[column(x, s)] ^ p.low) & 0xff];
            p.low = (p.low >> 8 | p.high << 56) ^ products.low;
            p.high = (p.high >> 8) ^ products.high;
        }
    }
    return states;
}

void encode_scalar(std::uint8_t* row)
{
    const auto states = lfsr_states(row, rs255::k);
    for (std::size_t x = 0; x < codewords_per_row; ++x) {
        for (std::size_t j = 0; j < rs255::parity_bytes; ++j) {
            const auto word = j < 8 ? states[x].low : states[x].high;
            row[column(x, rs255::k + j)] = static_cast<std::uint8_t>(word >> 8 * (j % 8));
        }
    }
}

// Bit x set when codeword x of the row is not a codeword. Fed all 255 symbols, the LFSR
// holds r(x) x^16 mod g(x), zero exactly when g(x) divides r(x) (g(0) != 0): the same
// test as all-zero syndromes.
std::uint64_t dirty_scalar(const std::uint8_t* row)
{
    const auto states = lfsr_states(row, rs255::n);
    std::uint64_t dirty = 0;
    for (std::size_t x = 0; x < codewords_per_row; ++x)
        if ((states[x].low | states[x].high) != 0)
            dirty |= std::uint64_t{ 1 } << x;
    return dirty;
}

#ifdef FIBERKEY_G709_X86

/*
 * ---- SIMD kernels. The 16 codewords of a row are byte-interleaved, so the 16 bytes at
 * columns 16s..16s+15 are symbol s of codewords 0..15: lane x of a vector is codeword x,
 * and wider vectors take the next rows at once (lane l: row l / 16, codeword l % 16).
 */

// Multiplication by one constant, 64 bytes wide so that each width loads its prefix:
// PSHUFB tables for the low and the high nibble of the other factor, and the
// GF2P8AFFINEQB bit matrix of the same GF(2)-linear map (GFNI's own multiply reduces
// modulo 0x11b, the wrong field).
struct alignas(64) wide_bytes {
    std::array<std::uint8_t, 64> bytes;
};

struct constant_multiplier {
    wide_bytes low_nibble;
    wide_bytes high_nibble;
    wide_bytes bit_matrix;
};

constexpr constant_multiplier multiplier(std::uint8_t c)
{
    constant_multiplier m{};
    for (std::size_t i = 0; i < 64; ++i) {
        m.low_nibble.bytes[i] = gf_mul(c, static_cast<std::uint8_t>(i % 16));
        m.high_nibble.bytes[i] = gf_mul(c, static_cast<std::uint8_t>(i % 16 << 4));
    }
    // Result bit r is the parity of (x & matrix row r), row r is byte 7 - r of each
    // qword; bit b of row r is bit r of c * 2^b.
    for (std::size_t r = 0; r < 8; ++r) {
        unsigned row = 0;
        for (std::size_t b = 0; b < 8; ++b)
            row |= ((gf_mul(c, static_cast<std::uint8_t>(1u << b)) >> r) & 1u) << b;
        for (std::size_t qword = 0; qword < 8; ++qword)
            m.bit_matrix.bytes[8 * qword + 7 - r] = static_cast<std::uint8_t>(row);
    }
    return m;
}

constexpr auto tap_multipliers = [] {
    std::array<constant_multiplier, rs255::parity_bytes> m{};
    for (std::size_t j = 0; j < m.size(); ++j)
        m[j] = multiplier(taps[j]);
    return m;
}();

// root_multipliers[i] multiplies by alpha^i.
constexpr auto root_multipliers = [] {
    std::array<constant_multiplier, rs255::parity_bytes> m{};
    for (std::size_t i = 0; i < m.size(); ++i)
        m[i] = multiplier(alpha_power(i));
    return m;
}();

/*
 * A lane set L gives vec, operand (what mul_xor takes: the two nibbles for PSHUFB, the
 * vector itself for GFNI), rows (OTU rows per vector) and functions that load or store
 * symbol s of every lane at the first row's column 16s, make an operand, compute
 * out = x * c ^ addend, and mark the nonzero lanes. Vectors go by reference: the generic
 * templates below have no target of their own, and they only come to life inlined into
 * the flattened functions built for each ISA.
 */
struct ssse3_lanes {
    using vec = __m128i;
    struct operand {
        vec low, high;
    };
    static constexpr std::size_t rows = 1;

    [[gnu::target("ssse3")]] static void load(vec& v, const std::uint8_t* p)
    {
        v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    }
    [[gnu::target("ssse3")]] static void store(std::uint8_t* p, const vec& v)
    {
        _mm_storeu_si128(reinterpret_cast<__m128i*>(p), v);
    }
    [[gnu::target("ssse3")]] static vec wide(const wide_bytes& w)
    {
        return _mm_load_si128(reinterpret_cast<const __m128i*>(w.bytes.data()));
    }
    [[gnu::target("ssse3")]] static void to_operand(operand& o, const vec& x)
    {
        const auto mask = _mm_set1_epi8(0x0f);
        o = { _mm_and_si128(x, mask), _mm_and_si128(_mm_srli_epi16(x, 4), mask) };
    }
    [[gnu::target("ssse3")]] static void
    mul_xor(vec& out, const operand& x, const constant_multiplier& c, const vec& addend)
    {
        out = _mm_xor_si128(_mm_xor_si128(_mm_shuffle_epi8(wide(c.low_nibble), x.low),
                                          _mm_shuffle_epi8(wide(c.high_nibble), x.high)),
                            addend);
    }
    [[gnu::target("ssse3")]] static std::uint64_t nonzero_lanes(const vec& v)
    {
        const int zero = _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_setzero_si128()));
        return ~static_cast<unsigned>(zero) & 0xffffu;
    }
};

struct avx2_lanes {
    using vec = __m256i;
    struct operand {
        vec low, high;
    };
    static constexpr std::size_t rows = 2;

    [[gnu::target("avx2")]] static void load(vec& v, const std::uint8_t* p)
    {
        __m128i row0, row1;
        ssse3_lanes::load(row0, p);
        ssse3_lanes::load(row1, p + frame_layout::columns);
        v = _mm256_inserti128_si256(_mm256_castsi128_si256(row0), row1, 1);
    }
    [[gnu::target("avx2")]] static void store(std::uint8_t* p, const vec& v)
    {
        ssse3_lanes::store(p, _mm256_castsi256_si128(v));
        ssse3_lanes::store(p + frame_layout::columns, _mm256_extracti128_si256(v, 1));
    }
    [[gnu::target("avx2")]] static vec wide(const wide_bytes& w)
    {
        return _mm256_load_si256(reinterpret_cast<const __m256i*>(w.bytes.data()));
    }
    [[gnu::target("avx2")]] static void to_operand(operand& o, const vec& x)
    {
        const auto mask = _mm256_set1_epi8(0x0f);
        o = { _mm256_and_si256(x, mask),
              _mm256_and_si256(_mm256_srli_epi16(x, 4), mask) };
    }
    [[gnu::target("avx2")]] static void
    mul_xor(vec& out, const operand& x, const constant_multiplier& c, const vec& addend)
    {
        out = _mm256_xor_si256(
            _mm256_xor_si256(_mm256_shuffle_epi8(wide(c.low_nibble), x.low),
                             _mm256_shuffle_epi8(wide(c.high_nibble), x.high)),
            addend);
    }
    [[gnu::target("avx2")]] static std::uint64_t nonzero_lanes(const vec& v)
    {
        const int zero =
            _mm256_movemask_epi8(_mm256_cmpeq_epi8(v, _mm256_setzero_si256()));
        return ~static_cast<std::uint32_t>(zero);
    }
};

struct gfni_avx2_lanes : avx2_lanes {
    using operand = vec;

    [[gnu::target("gfni,avx2")]] static void to_operand(operand& o, const vec& x)
    {
        o = x;
    }
    [[gnu::target("gfni,avx2")]] static void
    mul_xor(vec& out, const operand& x, const constant_multiplier& c, const vec& addend)
    {
        out = _mm256_xor_si256(_mm256_gf2p8affine_epi64_epi8(x, wide(c.bit_matrix), 0),
                               addend);
    }
};

struct avx512_lanes {
    using vec = __m512i;
    struct operand {
        vec low, high;
    };
    static constexpr std::size_t rows = 4;

    [[gnu::target("avx512bw")]] static void load(vec& v, const std::uint8_t* p)
    {
        __m128i row;
        ssse3_lanes::load(row, p);
        v = _mm512_castsi128_si512(row);
        ssse3_lanes::load(row, p + frame_layout::columns);
        v = _mm512_inserti32x4(v, row, 1);
        ssse3_lanes::load(row, p + 2 * frame_layout::columns);
        v = _mm512_inserti32x4(v, row, 2);
        ssse3_lanes::load(row, p + 3 * frame_layout::columns);
        v = _mm512_inserti32x4(v, row, 3);
    }
    [[gnu::target("avx512bw")]] static void store(std::uint8_t* p, const vec& v)
    {
        // Through memory: GCC 12's _mm512_extracti32x4_epi32 trips -Wuninitialized.
        alignas(64) std::array<std::uint8_t, 64> lanes;
        _mm512_store_si512(lanes.data(), v);
        for (std::size_t r = 0; r < rows; ++r)
            std::copy_n(lanes.data() + 16 * r, 16, p + r * frame_layout::columns);
    }
    [[gnu::target("avx512bw")]] static vec wide(const wide_bytes& w)
    {
        return _mm512_load_si512(w.bytes.data());
    }
    [[gnu::target("avx512bw")]] static void to_operand(operand& o, const vec& x)
    {
        const auto mask = _mm512_set1_epi8(0x0f);
        o = { _mm512_and_si512(x, mask),
              _mm512_and_si512(_mm512_srli_epi16(x, 4), mask) };
    }
    [[gnu::target("avx512bw")]] static void
    mul_xor(vec& out, const operand& x, const constant_multiplier& c, const vec& addend)
    {
        out = _mm512_xor_si512(
            _mm512_xor_si512(_mm512_shuffle_epi8(wide(c.low_nibble), x.low),
                             _mm512_shuffle_epi8(wide(c.high_nibble), x.high)),
            addend);
    }
    [[gnu::target("avx512bw")]] static std::uint64_t nonzero_lanes(const vec& v)
    {
        return _mm512_test_epi8_mask(v, v);
    }
};

struct gfni_avx512_lanes : avx512_lanes {
    using operand = vec;

    [[gnu::target("gfni,avx512bw")]] static void to_operand(operand& o, const vec& x)
    {
        o = x;
    }
    [[gnu::target("gfni,avx512bw")]] static void
    mul_xor(vec& out, const operand& x, const constant_multiplier& c, const vec& addend)
    {
        out = _mm512_xor_si512(_mm512_gf2p8affine_epi64_epi8(x, wide(c.bit_matrix), 0),
                               addend);
    }
};

// The division LFSR (see lfsr_taps) on every lane at once.
template <class L>
[[gnu::always_inline]] inline void encode_lanes(std::uint8_t* first_row)
{
    // The extra last vector stays 0: it is what shifts into parity[15].
    typename L::vec parity[rs255::parity_bytes + 1]{};
    typename L::vec symbol;
    typename L::operand feedback;
    for (std::size_t s = 0; s < rs255::k; ++s) {
        L::load(symbol, first_row + column(0, s));
        L::to_operand(feedback, symbol ^ parity[0]);
#pragma GCC unroll 16
        for (std::size_t j = 0; j < rs255::parity_bytes; ++j)
            L::mul_xor(parity[j], feedback, tap_multipliers[j], parity[j + 1]);
    }
    for (std::size_t j = 0; j < rs255::parity_bytes; ++j)
        L::store(first_row + column(0, rs255::k + j), parity[j]);
}

// Horner's rule per root on every lane at once; bit l set when lane l is not a codeword.
template <class L>
[[gnu::always_inline]] inline std::uint64_t dirty_lanes(const std::uint8_t* first_row)
{
    typename L::vec syndromes[rs255::parity_bytes]{};
    typename L::vec symbol;
    typename L::operand syndrome;
    for (std::size_t s = 0; s < rs255::n; ++s) {
        L::load(symbol, first_row + column(0, s));
        syndromes[0] ^= symbol; // root alpha^0 = 1
#pragma GCC unroll 16
        for (std::size_t i = 1; i < rs255::parity_bytes; ++i) {
            L::to_operand(syndrome, syndromes[i]);
            L::mul_xor(syndromes[i], syndrome, root_multipliers[i], symbol);
        }
    }
    auto any = syndromes[0];
    for (std::size_t i = 1; i < rs255::parity_bytes; ++i)
        any |= syndromes[i];
    return L::nonzero_lanes(any);
}

[[gnu::target("ssse3"), gnu::flatten]] void encode_ssse3(std::uint8_t* first_row)
{
    encode_lanes<ssse3_lanes>(first_row);
}
[[gnu::target("ssse3"), gnu::flatten]] std::uint64_t
dirty_ssse3(const std::uint8_t* first_row)
{
    return dirty_lanes<ssse3_lanes>(first_row);
}
[[gnu::target("avx2"), gnu::flatten]] void encode_avx2(std::uint8_t* first_row)
{
    encode_lanes<avx2_lanes>(first_row);
}
[[gnu::target("avx2"), gnu::flatten]] std::uint64_t
dirty_avx2(const std::uint8_t* first_row)
{
    return dirty_lanes<avx2_lanes>(first_row);
}
[[gnu::target("gfni,avx2"), gnu::flatten]] void encode_gfni_avx2(std::uint8_t* first_row)
{
    encode_lanes<gfni_avx2_lanes>(first_row);
}
[[gnu::target("gfni,avx2"), gnu::flatten]] std::uint64_t
dirty_gfni_avx2(const std::uint8_t* first_row)
{
    return dirty_lanes<gfni_avx2_lanes>(first_row);
}
[[gnu::target("avx512bw"), gnu::flatten]] void encode_avx512(std::uint8_t* first_row)
{
    encode_lanes<avx512_lanes>(first_row);
}
[[gnu::target("avx512bw"), gnu::flatten]] std::uint64_t
dirty_avx512(const std::uint8_t* first_row)
{
    return dirty_lanes<avx512_lanes>(first_row);
}
[[gnu::target("gfni,avx512bw"), gnu::flatten]] void
encode_gfni_avx512(std::uint8_t* first_row)
{
    encode_lanes<gfni_avx512_lanes>(first_row);
}
[[gnu::target("gfni,avx512bw"), gnu::flatten]] std::uint64_t
dirty_gfni_avx512(const std::uint8_t* first_row)
{
    return dirty_lanes<gfni_avx512_lanes>(first_row);
}

#endif // FIBERKEY_G709_X86

struct kernel_functions {
    std::size_t rows; // OTU rows per call
    void (*encode)(std::uint8_t* first_row);
    // Bit l set when codeword l % 16 of row l / 16 is not a codeword.
    std::uint64_t (*dirty)(const std::uint8_t* first_row);
};

// Indexed by detail::kernel.
constexpr kernel_functions kernels[] = {
    { 1, encode_scalar, dirty_scalar },
#ifdef FIBERKEY_G709_X86
    { ssse3_lanes::rows, encode_ssse3, dirty_ssse3 },
    { avx2_lanes::rows, encode_avx2, dirty_avx2 },
    { gfni_avx2_lanes::rows, encode_gfni_avx2, dirty_gfni_avx2 },
    { avx512_lanes::rows, encode_avx512, dirty_avx512 },
    { gfni_avx512_lanes::rows, encode_gfni_avx512, dirty_gfni_avx512 },
#endif
};

bool cpu_runs(kernel k)
{
#ifdef FIBERKEY_G709_X86
    __builtin_cpu_init();
    const bool gfni = __builtin_cpu_supports("gfni");
    switch (k) {
    case kernel::scalar:
        return true;
    case kernel::ssse3:
        return __builtin_cpu_supports("ssse3");
    case kernel::avx2:
        return __builtin_cpu_supports("avx2");
    case kernel::gfni_avx2:
        return gfni && __builtin_cpu_supports("avx2");
    case kernel::avx512:
        return __builtin_cpu_supports("avx512bw");
    case kernel::gfni_avx512:
        return gfni && __builtin_cpu_supports("avx512bw");
    }
    return false;
#else
    return k == kernel::scalar;
#endif
}

// The kernels are listed slowest first (gfni_avx2 and avx512 about tie; a CPU with both
// also runs gfni_avx512).
kernel fastest_kernel()
{
    auto best = kernel::scalar;
    for (std::size_t i = 0; i < std::size(kernels); ++i)
        if (cpu_runs(static_cast<kernel>(i)))
            best = static_cast<kernel>(i);
    return best;
}

std::atomic<kernel>& active()
{
    static std::atomic<kernel> k{ fastest_kernel() };
    return k;
}

const kernel_functions& active_functions()
{
    return kernels[static_cast<std::size_t>(active().load(std::memory_order_relaxed))];
}

// Hands codeword x of row \p r (at \p row) to the full decoder.
void correct(std::uint8_t* row, std::size_t r, std::size_t x, fec_counts& counts)
{
    std::array<std::uint8_t, rs255::n> cw;
    for (std::size_t i = 0; i < rs255::n; ++i)
        cw[i] = row[column(x, i)];
    const int corrected = rs255::decode(cw);
    if (corrected < 0) {
        ++counts.uncorrectable_codewords;
        counts.uncorrectable_mask |= std::uint64_t{ 1 } << (codewords_per_row * r + x);
    } else if (corrected > 0) {
        ++counts.corrected_codewords;
        counts.corrected_symbols += static_cast<std::size_t>(corrected);
        for (std::size_t i = 0; i < rs255::n; ++i)
            row[column(x, i)] = cw[i];
    }
}
} // namespace

void encode(std::span<std::uint8_t> frame)
{
    check_size(frame);
    const auto& f = active_functions();
    for (std::size_t r = 0; r < frame_layout::rows; r += f.rows)
        f.encode(frame.data() + frame_layout::at(r, 0));
}

fec_counts decode(std::span<std::uint8_t> frame)
{
    check_size(frame);
    const auto& f = active_functions();
    fec_counts counts;
    for (std::size_t r = 0; r < frame_layout::rows; r += f.rows) {
        std::uint8_t* first_row = frame.data() + frame_layout::at(r, 0);
        // Codewords with all-zero syndromes, nearly all of them, need nothing more.
        for (auto dirty = f.dirty(first_row); dirty != 0; dirty &= dirty - 1) {
            const auto lane = static_cast<std::size_t>(std::countr_zero(dirty));
            const std::size_t row = lane / codewords_per_row;
            correct(first_row + frame_layout::columns * row,
                    r + row,
                    lane % codewords_per_row,
                    counts);
        }
    }
    return counts;
}

namespace detail {

bool supported(kernel k)
{
    return static_cast<std::size_t>(k) < std::size(kernels) && cpu_runs(k);
}

kernel active_kernel() { return active().load(std::memory_order_relaxed); }

void force_kernel(kernel k)
{
    if (!supported(k))
        throw std::invalid_argument("g709_fec: kernel not supported here");
    active().store(k, std::memory_order_relaxed);
}

} // namespace detail
} // namespace g709_fec
} // namespace fiberkey
