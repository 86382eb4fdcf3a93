/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/sigmf.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <sys/stat.h>
#include <tuple>
#include <unistd.h>

using namespace fiberkey;
namespace fs = std::filesystem;

namespace {

// A fresh directory per test, removed afterwards.
class sigmf_files : public ::testing::Test
{
protected:
    void SetUp() override
    {
        dir = fs::temp_directory_path() /
              ("fiberkey_sigmf_" + std::to_string(::getpid()) + "_" +
               ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::create_directories(dir);
    }
    void TearDown() override { fs::remove_all(dir); }

    std::string path(const std::string& name) const { return (dir / name).string(); }

    void write_file(const std::string& name, const std::string& bytes) const
    {
        std::ofstream(path(name), std::ios::binary) << bytes;
    }

    fs::path dir;
};

sigmf_metadata example_meta()
{
    sigmf_metadata m;
    m.sample_rate = 4 * 11.0438e9;
    m.bit_rate = 11.0438e9;
    m.samples_per_bit = 4;
    m.description = "loopback \"A->B\"\n\tsecond line \\ done";
    m.frames = { { 100, 7 }, { 100 + 538'560, 8 }, { 100 + 2 * 538'560, 0xffffffffu } };
    return m;
}

std::string valid_json() { return to_sigmf_json(example_meta()); }

std::string error_of(const std::string& json)
{
    try {
        parse_sigmf_json(json);
    } catch (const sigmf_error& e) {
        return e.what();
    }
    return "no error";
}

std::string replaced(std::string s, const std::string& from, const std::string& to)
{
    const auto at = s.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos)
        s.replace(at, from.size(), to);
    return s;
}

} // namespace

TEST(sigmf, json_round_trip)
{
    const auto m = example_meta();
    const auto back = parse_sigmf_json(to_sigmf_json(m));
    EXPECT_EQ(back.sample_rate, m.sample_rate);
    EXPECT_EQ(back.bit_rate, m.bit_rate);
    EXPECT_EQ(back.samples_per_bit, m.samples_per_bit);
    EXPECT_EQ(back.description, m.description);
    EXPECT_EQ(back.frames, m.frames);
}

TEST(sigmf, writer_output_has_the_sigmf_fields)
{
    const auto j = valid_json();
    for (const char* needle :
         { "\"core:datatype\": \"rf32_le\"",
           "\"core:version\": \"1.0.0\"",
           "\"core:sample_rate\": ",
           "\"fiberkey:bit_rate\": ",
           "\"fiberkey:samples_per_bit\": 4",
           "\"core:sample_start\": 538660, \"fiberkey:frame_counter\": 8",
           "\"captures\"",
           "\"name\": \"fiberkey\"" })
        EXPECT_NE(j.find(needle), std::string::npos) << needle;
}

TEST(sigmf, reads_foreign_but_valid_json)
{
    // Another writer: other spacing, escapes, extra keys, other annotations, sorted.
    const std::string j =
        R"({"annotations":[{"core:sample_start":5,"core:label":"x"},)"
        R"({"core:sample_start":10,"core:sample_count":3,"fiberkey:frame_counter":42}],)"
        R"( "global":{"core:version":"1.2.0","core:datatype":"rf32_le",)"
        R"("core:sample_rate":1.5E+10, "fiberkey:bit_rate":1.5e10,)"
        "\n\t\r"
        R"("fiberkey:samples_per_bit":1,"core:description":"\u00e9\ud83d\ude00\/",)"
        R"("core:author":null,"x":[true,false,{}]},"captures":[]})";
    const auto m = parse_sigmf_json(j);
    EXPECT_EQ(m.sample_rate, 1.5e10);
    EXPECT_EQ(m.description, "\xc3\xa9\xf0\x9f\x98\x80/");
    ASSERT_EQ(m.frames.size(), 1u);
    EXPECT_EQ(m.frames[0], (sigmf_frame_annotation{ 10, 42 }));
}

TEST(sigmf, rejects_malformed_metadata_with_clear_errors)
{
    const auto j = valid_json();
    const struct {
        std::string json;
        std::string message;
    } cases[] = {
        { "", "unexpected end of input" },
        { "[]", "must be a JSON object" },
        { j + "x", "unexpected text after the document" },
        { replaced(j, "rf32_le", "ri16_be"), "core:datatype must be one of rf32_le" },
        { replaced(j, "rf32_le", "cf64_le"), "core:datatype must be one of rf32_le" },
        { replaced(j, "\"core:datatype\": \"rf32_le\",", ""),
          "core:datatype is missing" },
        { replaced(j, "\"1.0.0\",\n", "\"0.0.2\",\n"), "core:version must be 1.x.x" },
        { replaced(j, "\"core:sample_rate\": ", "\"core:sample_rate\": -"),
          "core:sample_rate must be positive" },
        { replaced(j, "\"core:sample_rate\": ", "\"core:sample_rate\": \"1\" ,\"x\":"),
          "core:sample_rate must be a number, not a string" },
        { replaced(
              j, "\"fiberkey:samples_per_bit\": 4", "\"fiberkey:samples_per_bit\": 4.0"),
          "fiberkey:samples_per_bit must be a non-negative integer" },
        { replaced(
              j, "\"fiberkey:samples_per_bit\": 4", "\"fiberkey:samples_per_bit\": 0"),
          "fiberkey:samples_per_bit must be at least 1" },
        { replaced(
              j, "\"fiberkey:samples_per_bit\": 4", "\"fiberkey:samples_per_bit\": 5000"),
          "fiberkey:samples_per_bit must be at most 1024" },
        { replaced(j, "\"fiberkey:bit_rate\": ", "\"fiberkey:bit_rate\": 1e999, \"y\": "),
          "number out of range" },
        { replaced(j, "4294967295", "4294967296"),
          "fiberkey:frame_counter must be at most" },
        { replaced(j, "\"core:sample_start\": 100,", "\"core:sample_start\": -100,"),
          "annotations[0].core:sample_start must be a non-negative integer" },
        { replaced(
              j, "\"core:sample_start\": 100,", "\"core:sample_start\": 99999999999,"),
          "breaks the order" },
        { replaced(j,
                   "\"core:sample_start\": 100,",
                   "\"core:sample_start\": 100000000000000000000000,"),
          "must be at most" },
        { replaced(j, "\"captures\": [", "\"captures\": [ 3,"),
          "captures[0] must be an object" },
        { replaced(j, "\"annotations\": [", "\"annotations\": {\"a\": ["),
          "expected '}'" },
        { replaced(j, "\"core:version\"", "\"core:datatype\""), "duplicate key" },
        { replaced(j, "\"global\": {", "\"global\": {\"k\": \"a\x01\","),
          "control character" },
        { replaced(j, "\"global\": {", "\"global\": {\"k\": \"\\ud800x\","),
          "surrogate" },
        { replaced(j, "\"global\": {", "\"global\": {\"k\": \"\\q\","),
          "unknown escape" },
        { replaced(j, "\"global\": {", "\"global\": {\"k\": tru,"), "unknown literal" },
        { replaced(j, "\"global\": {", "\"global\": {\"k\": 01,"), "expected" },
        { replaced(j, "\"global\": {", "\"global\": {\"k\": 1.,"), "decimal point" },
        { std::string(100, '[') + std::string(100, ']'), "nested deeper than 32" },
        { replaced(j, "\"captures\"", "\"kaptures\""), "captures is missing" },
    };
    for (const auto& c : cases)
        EXPECT_NE(error_of(c.json).find(c.message), std::string::npos)
            << "expected \"" << c.message << "\", got \"" << error_of(c.json) << "\"";
}

TEST(sigmf, reads_recordings_made_elsewhere)
{
    // A scope's own SigMF: no fiberkey fields, its datatype, a non-integer oversampling.
    const std::string scope = R"({"global": {"core:datatype": "ri8",
        "core:sample_rate": 5e10, "core:version": "1.0.0"},
        "captures": [{"core:sample_start": 0}], "annotations": []})";
    const auto m = parse_sigmf_json(scope);
    EXPECT_EQ(m.datatype, "ri8");
    EXPECT_EQ(m.sample_rate, 5e10);
    EXPECT_EQ(m.bit_rate, 0.0);
    EXPECT_EQ(m.samples_per_bit, 0u);
    // With only the bit rate: samples per bit stays unsaid (here 4.527).
    const auto b = parse_sigmf_json(replaced(
        scope, "\"core:version\"", "\"fiberkey:bit_rate\": 1.1045e10, \"core:version\""));
    EXPECT_EQ(b.bit_rate, 1.1045e10);
    EXPECT_EQ(b.samples_per_bit, 0u);
    // With only samples per bit: the bit rate follows.
    const auto s = parse_sigmf_json(replaced(
        scope, "\"core:version\"", "\"fiberkey:samples_per_bit\": 5, \"core:version\""));
    EXPECT_EQ(s.bit_rate, 1e10);
    for (const char* type : { "rf32_le", "ri16_le", "ri8", "cf32_le", "ci16_le", "ci8" })
        EXPECT_EQ(parse_sigmf_json(replaced(scope, "ri8", type)).datatype, type);
    // Written recordings stay rf32_le.
    auto w = example_meta();
    w.datatype = "ri8";
    EXPECT_THROW(to_sigmf_json(w), std::invalid_argument);
}

TEST(sigmf, segmented_recordings_say_their_segments)
{
    // A scope's segmented memory: segments of 9,600 samples, each from bit 130,500.
    const std::string scope = R"({"global": {"core:datatype": "ri8",
        "core:sample_rate": 5e10, "core:version": "1.0.0",
        "fiberkey:segment_samples": 9600, "fiberkey:segment_first_bit": 130500.25},
        "captures": [{"core:sample_start": 0}], "annotations": []})";
    const auto m = parse_sigmf_json(scope);
    EXPECT_TRUE(m.segmented);
    EXPECT_EQ(m.segment_samples, 9600u);
    EXPECT_EQ(m.segment_first_bit, 130500.25);
    EXPECT_EQ(parse_sigmf_json(replaced(scope, "130500.25", "-12")).segment_first_bit,
              -12);
    // Segments without a first bit; segments of at least one sample; a plausible bit.
    for (const auto& [from, to, field] :
         { std::tuple{
               ", \"fiberkey:segment_first_bit\": 130500.25", "", "segment_first_bit" },
           std::tuple{ "9600", "0", "segment_samples" },
           std::tuple{ "9600", "-5", "segment_samples" },
           std::tuple{ "9600", "1.5", "segment_samples" },
           std::tuple{ "130500.25", "1e300", "segment_first_bit" },
           std::tuple{ "130500.25", "\"x\"", "segment_first_bit" } }) {
        const std::string e = error_of(replaced(scope, from, to));
        EXPECT_NE(e.find(field), std::string::npos) << from << " -> " << to << ": " << e;
    }
    auto w = example_meta();
    w.segmented = true;
    w.segment_samples = 2048;
    w.segment_first_bit = 130000.5;
    const auto back = parse_sigmf_json(to_sigmf_json(w));
    EXPECT_EQ(back.segment_samples, 2048u);
    EXPECT_EQ(back.segment_first_bit, 130000.5);
    EXPECT_FALSE(parse_sigmf_json(to_sigmf_json(example_meta())).segmented);
}

TEST(sigmf, the_captures_of_a_recording_may_be_its_segments)
{
    // One captures entry per trigger, as a scope that writes SigMF lays out its
    // segmented memory; no fixed segment length.
    const std::string scope = R"({"global": {"core:datatype": "ri8",
        "core:sample_rate": 5e10, "core:version": "1.0.0",
        "fiberkey:segment_first_bit": 130500},
        "captures": [{"core:sample_start": 0}, {"core:sample_start": 9600},
                     {"core:sample_start": 19250}], "annotations": []})";
    const auto m = parse_sigmf_json(scope);
    EXPECT_TRUE(m.segmented);
    EXPECT_EQ(m.segment_samples, 0u);
    EXPECT_EQ(m.capture_starts, (std::vector<std::uint64_t>{ 0, 9600, 19250 }));
    EXPECT_NE(error_of(replaced(scope, "19250", "9600")).find("captures[2]"),
              std::string::npos);
    EXPECT_NE(error_of(replaced(scope, "{\"core:sample_start\": 9600}", "{}"))
                  .find("captures[1]"),
              std::string::npos);
    EXPECT_NE(
        error_of(replaced(replaced(replaced(scope, "{\"core:sample_start\": 0}, ", ""),
                                   "{\"core:sample_start\": 9600},",
                                   ""),
                          "{\"core:sample_start\": 19250}",
                          ""))
            .find("captures"),
        std::string::npos);
    // A continuous recording may leave a capture's start out.
    EXPECT_NO_THROW(parse_sigmf_json(
        replaced(replaced(scope, "\"fiberkey:segment_first_bit\": 130500", "\"x\": 0"),
                 "{\"core:sample_start\": 9600}",
                 "{}")));
    auto w = example_meta();
    w.segmented = true;
    w.segment_first_bit = 7;
    w.capture_starts = { 0, 100, 250 };
    EXPECT_EQ(parse_sigmf_json(to_sigmf_json(w)).capture_starts, w.capture_starts);
    w.capture_starts = { 0, 100, 100 };
    EXPECT_THROW(to_sigmf_json(w), std::invalid_argument);
}

TEST(sigmf, errors_are_one_short_printable_line)
{
    const auto j = valid_json();
    const std::string hostile[] = {
        // An unterminated string of a megabyte: nlohmann quotes the token it read.
        "{\"global\": \"" + std::string(1 << 20, 'x'),
        "{\"k\": \"a\nb\"}",
        "{\"k\": \"\xff\xfe\"}",
        replaced(j, "rf32_le", "x\\ny\\u0001" + std::string(1000, 'z')),
        "{\"" + std::string(5000, 'k') + "\": 1, \"" + std::string(5000, 'k') + "\": 2}",
    };
    for (const auto& text : hostile) {
        const auto e = error_of(text);
        EXPECT_NE(e, "no error");
        EXPECT_LT(e.size(), 300u) << e.substr(0, 300);
        EXPECT_TRUE(std::all_of(e.begin(), e.end(), [](char c) {
            return c >= 0x20 && c <= 0x7e;
        })) << e.substr(0, 300);
    }
    EXPECT_NE(error_of("{\"k\": \"\xc3\"}").find("not valid UTF-8"), std::string::npos);
    EXPECT_NE(error_of(std::string((16 << 20) + 1, ' ')).find("larger than 16 MiB"),
              std::string::npos);
}

TEST(sigmf, many_keys_and_values_parse_in_bounded_time)
{
    // 200,000 distinct keys in one object: the duplicate check must not be quadratic.
    std::string s = "{";
    for (int i = 0; i < 200'000; ++i)
        s += "\"k" + std::to_string(i) + "\": [], ";
    s += "\"k0\": 1}";
    const auto start = std::chrono::steady_clock::now();
    EXPECT_NE(error_of(s).find("duplicate key \"k0\""), std::string::npos);
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

TEST(sigmf, writer_keeps_one_annotation_a_line_and_refuses_bad_utf8)
{
    const auto j = valid_json();
    EXPECT_NE(
        j.find(
            "\n        { \"core:sample_start\": 100, \"fiberkey:frame_counter\": 7 },\n"),
        std::string::npos)
        << j;
    EXPECT_EQ(
        j.rfind("{\n    \"global\": {\n        \"core:datatype\": \"rf32_le\",\n", 0), 0u)
        << j;
    auto m = example_meta();
    m.frames.clear();
    EXPECT_NE(to_sigmf_json(m).find("\"annotations\": []\n}\n"), std::string::npos);
    m.description = "caf\xc3";
    EXPECT_THROW(to_sigmf_json(m), std::invalid_argument);
}

TEST(sigmf, ten_thousand_random_mutations_never_crash)
{
    const auto j = valid_json();
    std::mt19937_64 rng(1);
    const std::string alphabet = "{}[]\",:0123456789-+.eE \\utrfaln\x01\xff";
    int accepted = 0, refused = 0;
    for (int i = 0; i < 10'000; ++i) {
        std::string s = j;
        const int edits = 1 + static_cast<int>(rng() % 4);
        for (int e = 0; e < edits && !s.empty(); ++e) {
            const std::size_t at = rng() % s.size();
            switch (rng() % 6) {
            case 0:
                s[at] = static_cast<char>(rng());
                break;
            case 1:
                s[at] = alphabet[rng() % alphabet.size()];
                break;
            case 2:
                s.insert(at, 1, alphabet[rng() % alphabet.size()]);
                break;
            case 3:
                s.erase(at, 1 + rng() % 20);
                break;
            case 4:
                s.resize(at);
                break;
            case 5: {
                const std::size_t from = rng() % s.size();
                s.insert(at, s.substr(from, 1 + rng() % 40));
                break;
            }
            }
        }
        try {
            parse_sigmf_json(s);
            ++accepted;
        } catch (const sigmf_error&) {
            ++refused;
        }
    }
    // Anything other than sigmf_error would have failed the test by escaping.
    EXPECT_EQ(accepted + refused, 10'000);
    EXPECT_GT(refused, 5'000);
    // Pure noise too.
    for (int i = 0; i < 1'000; ++i) {
        std::string s(rng() % 300, '\0');
        for (auto& c : s)
            c = static_cast<char>(rng());
        EXPECT_THROW(parse_sigmf_json(s), sigmf_error);
    }
}

TEST_F(sigmf_files, write_read_round_trip)
{
    const auto meta = example_meta();
    std::vector<float> samples(3 * 538'560 + 17);
    std::mt19937 rng(2);
    std::normal_distribution<float> n;
    for (auto& v : samples)
        v = n(rng);
    {
        sigmf_metadata first = meta;
        first.frames.resize(1);
        sigmf_writer w(path("rec.sigmf-meta"), first);
        w.write(samples.data(), 1000);
        w.annotate_frame(meta.frames[2].sample_start, meta.frames[2].frame_counter);
        w.annotate_frame(meta.frames[1].sample_start, meta.frames[1].frame_counter);
        w.write(samples.data() + 1000, samples.size() - 1000);
        EXPECT_EQ(w.samples_written(), samples.size());
        w.close();
    }
    EXPECT_EQ(fs::file_size(path("rec.sigmf-data")), samples.size() * 4);
    sigmf_reader r(path("rec"));
    EXPECT_EQ(r.metadata().frames, meta.frames); // sorted on writing
    EXPECT_EQ(r.metadata().samples_per_bit, 4u);
    EXPECT_EQ(r.total_samples(), samples.size());
    std::vector<float> back(samples.size());
    std::size_t got = 0;
    while (std::size_t k = r.read(back.data() + got, 100'000))
        got += k;
    EXPECT_EQ(got, samples.size());
    EXPECT_EQ(back, samples);
    EXPECT_EQ(r.read(back.data(), 10), 0u);
}

TEST_F(sigmf_files, reader_refuses_bad_recordings)
{
    const auto meta_with_frame = [](std::uint64_t start) {
        auto m = example_meta();
        m.frames = { { start, 1 } };
        return to_sigmf_json(m);
    };
    // Frame annotation beyond the data.
    write_file("a.sigmf-meta", meta_with_frame(10));
    write_file("a.sigmf-data", std::string(40, '\0'));
    EXPECT_THROW(sigmf_reader(path("a")), sigmf_error);
    write_file("a.sigmf-meta", meta_with_frame(9));
    EXPECT_NO_THROW(sigmf_reader(path("a.sigmf-data")));
    // Data that is not whole samples, missing files, malformed metadata.
    write_file("a.sigmf-data", std::string(41, '\0'));
    EXPECT_THROW(sigmf_reader(path("a")), sigmf_error);
    EXPECT_THROW(sigmf_reader(path("missing")), sigmf_error);
    write_file("b.sigmf-meta", "{\"global\": ");
    write_file("b.sigmf-data", "");
    EXPECT_THROW(sigmf_reader(path("b")), sigmf_error);
    // The writer refuses metadata the reader would refuse.
    sigmf_metadata bad = example_meta();
    bad.sample_rate = 0;
    EXPECT_THROW(sigmf_writer(path("c"), bad), std::invalid_argument);
    bad = example_meta();
    bad.samples_per_bit = 0;
    EXPECT_THROW(sigmf_writer(path("c"), bad), std::invalid_argument);
    EXPECT_THROW(sigmf_writer(path("no/such/dir/c"), example_meta()), sigmf_error);
}

TEST_F(sigmf_files, raw_float_int16_and_int8_readers)
{
    // 1.5 = 0x3fc00000, -2 = 0xc0000000, 0.15625 = 0x3e200000.
    const float f[3] = { 1.5f, -2.0f, 0.15625f };
    const unsigned char f_bytes[12] = { 0x00, 0x00, 0xc0, 0x3f, 0x00, 0x00,
                                        0x00, 0xc0, 0x00, 0x00, 0x20, 0x3e };
    write_file("f.raw", std::string(reinterpret_cast<const char*>(f_bytes), 12));
    auto rf = open_raw_f32(path("f.raw"));
    EXPECT_EQ(rf.total_samples(), 3u);
    float out[4];
    ASSERT_EQ(rf.read(out, 4), 3u);
    EXPECT_EQ(out[0], f[0]);
    EXPECT_EQ(out[1], f[1]);
    EXPECT_EQ(out[2], f[2]);

    // int16 little-endian: 0x4000 = 16384, 0x8000 = -32768, 0xffff = -1.
    const unsigned char i_bytes[6] = { 0x00, 0x40, 0x00, 0x80, 0xff, 0xff };
    write_file("i.raw", std::string(reinterpret_cast<const char*>(i_bytes), 6));
    auto ri = open_raw_i16(path("i.raw"));
    ASSERT_EQ(ri.read(out, 2), 2u);
    ASSERT_EQ(ri.read(out + 2, 2), 1u);
    EXPECT_EQ(out[0], 0.5f);
    EXPECT_EQ(out[1], -1.0f);
    EXPECT_EQ(out[2], -1.0f / 32768);
    auto scaled = open_raw_i16(path("i.raw"), 2.0f);
    ASSERT_EQ(scaled.read(out, 3), 3u);
    EXPECT_EQ(out[0], 32768.0f);

    // int8, two's complement: 0x40 = 64, 0x80 = -128, 0xff = -1, 0x7f = 127.
    write_file("b.raw", std::string("\x40\x80\xff\x7f", 4));
    auto rb = open_raw_i8(path("b.raw"));
    EXPECT_EQ(rb.total_samples(), 4u);
    ASSERT_EQ(rb.read(out, 4), 4u);
    EXPECT_EQ(out[0], 0.5f);
    EXPECT_EQ(out[1], -1.0f);
    EXPECT_EQ(out[2], -1.0f / 128);
    EXPECT_EQ(out[3], 127.0f / 128);

    write_file("odd.raw", "abc");
    EXPECT_THROW(open_raw_i16(path("odd.raw")), sigmf_error);
    EXPECT_THROW(open_raw_f32(path("odd.raw")), sigmf_error);
    EXPECT_EQ(open_raw_i8(path("odd.raw")).total_samples(), 3u); // any length is whole
}

TEST(sigmf, a_sample_rate_that_disagrees_with_bit_rate_and_samples_per_bit_is_refused)
{
    auto m = example_meta();
    m.sample_rate = 3 * m.bit_rate; // samples_per_bit says 4
    const std::string e = error_of(to_sigmf_json(m));
    EXPECT_NE(e.find("core:sample_rate"), std::string::npos) << e;
    EXPECT_NE(e.find("fiberkey:samples_per_bit"), std::string::npos) << e;
    m.sample_rate = 4 * m.bit_rate * (1 + 1e-9); // rounding in a foreign writer: taken
    EXPECT_NO_THROW(parse_sigmf_json(to_sigmf_json(m)));
}

TEST_F(sigmf_files, integer_and_complex_recordings_made_elsewhere)
{
    const std::string meta = R"({"global": {"core:datatype": "ci16_le",
        "core:sample_rate": 4e10, "core:version": "1.0.0"},
        "captures": [{"core:sample_start": 0}], "annotations": []})";
    write_file("c.sigmf-meta", meta);
    // I = 16384, Q = -5; I = -32768, Q = 7: the real parts at full scale 1.
    write_file("c.sigmf-data", std::string("\x00\x40\xfb\xff\x00\x80\x07\x00", 8));
    sigmf_reader c(path("c"));
    EXPECT_EQ(c.total_samples(), 2u);
    float out[2];
    ASSERT_EQ(c.read(out, 2), 2u);
    EXPECT_EQ(out[0], 0.5f);
    EXPECT_EQ(out[1], -1.0f);

    std::string ri8 = meta;
    ri8.replace(ri8.find("ci16_le"), 7, "ri8");
    write_file("b.sigmf-meta", ri8);
    write_file("b.sigmf-data", std::string("\x40\xc0\x01", 3));
    sigmf_reader b(path("b"));
    ASSERT_EQ(b.read(out, 2), 2u);
    EXPECT_EQ(out[0], 0.5f);
    EXPECT_EQ(out[1], -0.5f);

    write_file("c.sigmf-data", std::string("\x00\x40\xfb", 3)); // half a sample
    EXPECT_THROW(sigmf_reader(path("c")), sigmf_error);
}

TEST_F(sigmf_files, non_finite_samples_are_replaced_and_counted)
{
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const float inf = std::numeric_limits<float>::infinity();
    const float in[7] = { nan, 0.25f, nan, -inf, 0.5f, inf, 1.0f };
    std::string bytes(reinterpret_cast<const char*>(in), sizeof in); // little-endian host
    write_file("bad.f32", bytes);
    auto r = open_raw_f32(path("bad.f32"));
    float out[7];
    ASSERT_EQ(r.read(out, 3), 3u); // in pieces: the last finite sample carries over
    ASSERT_EQ(r.read(out + 3, 4), 4u);
    const float expected[7] = { 0.0f, 0.25f, 0.25f, 0.25f, 0.5f, 0.5f, 1.0f };
    for (int i = 0; i < 7; ++i)
        EXPECT_EQ(out[i], expected[i]) << i;
    EXPECT_EQ(r.nonfinite_samples(), 4u);
}

TEST_F(sigmf_files, only_regular_files_are_read)
{
    // A directory, and a FIFO without a writer (which would block an ordinary open).
    EXPECT_THROW(open_raw_f32(dir.string()), sigmf_error);
    const std::string fifo = path("capture.f32");
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    try {
        open_raw_f32(fifo);
        ADD_FAILURE() << "a FIFO was opened";
    } catch (const sigmf_error& e) {
        EXPECT_NE(std::string(e.what()).find("not a regular file"), std::string::npos);
    }
    // A SigMF pair whose data file is a directory.
    auto meta = example_meta();
    meta.frames.clear();
    sigmf_writer w(path("rec"), meta);
    w.close();
    fs::remove(path("rec.sigmf-data"));
    fs::create_directory(path("rec.sigmf-data"));
    EXPECT_THROW(sigmf_reader(path("rec")), sigmf_error);
}
