/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/sigmf.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <sys/types.h>

namespace fiberkey {

namespace {

constexpr std::size_t max_meta_bytes = 16 << 20;
constexpr int max_json_depth = 32;
constexpr unsigned max_samples_per_bit = 1024;
constexpr std::string_view meta_suffix = ".sigmf-meta";
constexpr std::string_view data_suffix = ".sigmf-data";

// ---- A small JSON reader: exactly what SigMF metadata needs. ----

struct json_value {
    enum class type : std::uint8_t { null, boolean, number, string, array, object };
    type kind = type::null;
    bool boolean = false;
    double number = 0.0;
    std::string text;              // a string's contents, or a number as written
    std::vector<json_value> items; // array elements, or object values
    std::vector<std::string> keys; // object keys, parallel to items
};

const char* type_name(json_value::type t)
{
    switch (t) {
    case json_value::type::null:
        return "null";
    case json_value::type::boolean:
        return "a boolean";
    case json_value::type::number:
        return "a number";
    case json_value::type::string:
        return "a string";
    case json_value::type::array:
        return "an array";
    case json_value::type::object:
        return "an object";
    }
    return "unknown";
}

class json_parser
{
public:
    explicit json_parser(std::string_view s) : d_s(s) {}

    json_value document()
    {
        skip_space();
        json_value v = value(0);
        skip_space();
        if (d_pos != d_s.size())
            fail("unexpected text after the document");
        return v;
    }

private:
    [[noreturn]] void fail(const std::string& what) const
    {
        throw sigmf_error("sigmf-meta: invalid JSON at byte " + std::to_string(d_pos) +
                          ": " + what);
    }

    bool at_end() const { return d_pos >= d_s.size(); }
    char peek() const { return at_end() ? '\0' : d_s[d_pos]; }

    void skip_space()
    {
        while (!at_end() &&
               (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r'))
            ++d_pos;
    }

    void expect(char c)
    {
        if (peek() != c || at_end())
            fail(std::string("expected '") + c + "'");
        ++d_pos;
    }

    json_value value(int depth)
    {
        if (depth > max_json_depth)
            fail("nested deeper than " + std::to_string(max_json_depth) + " levels");
        if (at_end())
            fail("unexpected end of input");
        switch (peek()) {
        case '{':
            return object(depth);
        case '[':
            return array(depth);
        case '"': {
            json_value v;
            v.kind = json_value::type::string;
            v.text = string();
            return v;
        }
        case 't':
            return literal("true", json_value::type::boolean, true);
        case 'f':
            return literal("false", json_value::type::boolean, false);
        case 'n':
            return literal("null", json_value::type::null, false);
        default:
            return number();
        }
    }

    json_value literal(std::string_view word, json_value::type kind, bool b)
    {
        if (d_s.substr(d_pos, word.size()) != word)
            fail("unknown literal");
        d_pos += word.size();
        json_value v;
        v.kind = kind;
        v.boolean = b;
        return v;
    }

    json_value object(int depth)
    {
        json_value v;
        v.kind = json_value::type::object;
        expect('{');
        skip_space();
        if (peek() == '}' && !at_end()) {
            ++d_pos;
            return v;
        }
        for (;;) {
            skip_space();
            if (peek() != '"' || at_end())
                fail("expected a key string");
            std::string key = string();
            if (std::find(v.keys.begin(), v.keys.end(), key) != v.keys.end())
                fail("duplicate key \"" + key + "\"");
            skip_space();
            expect(':');
            skip_space();
            v.items.push_back(value(depth + 1));
            v.keys.push_back(std::move(key));
            skip_space();
            if (peek() == ',' && !at_end()) {
                ++d_pos;
                continue;
            }
            expect('}');
            return v;
        }
    }

    json_value array(int depth)
    {
        json_value v;
        v.kind = json_value::type::array;
        expect('[');
        skip_space();
        if (peek() == ']' && !at_end()) {
            ++d_pos;
            return v;
        }
        for (;;) {
            skip_space();
            v.items.push_back(value(depth + 1));
            skip_space();
            if (peek() == ',' && !at_end()) {
                ++d_pos;
                continue;
            }
            expect(']');
            return v;
        }
    }

    unsigned hex4()
    {
        if (d_s.size() - d_pos < 4)
            fail("truncated \\u escape");
        unsigned v = 0;
        for (int i = 0; i < 4; ++i) {
            const char c = d_s[d_pos++];
            v <<= 4;
            if (c >= '0' && c <= '9')
                v |= static_cast<unsigned>(c - '0');
            else if (c >= 'a' && c <= 'f')
                v |= static_cast<unsigned>(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F')
                v |= static_cast<unsigned>(c - 'A' + 10);
            else
                fail("bad hex digit in \\u escape");
        }
        return v;
    }

    static void append_utf8(std::string& out, unsigned cp)
    {
        if (cp < 0x80) {
            out += static_cast<char>(cp);
        } else if (cp < 0x800) {
            out += static_cast<char>(0xc0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3f));
        } else if (cp < 0x10000) {
            out += static_cast<char>(0xe0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
            out += static_cast<char>(0x80 | (cp & 0x3f));
        } else {
            out += static_cast<char>(0xf0 | (cp >> 18));
            out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
            out += static_cast<char>(0x80 | (cp & 0x3f));
        }
    }

    std::string string()
    {
        expect('"');
        std::string out;
        for (;;) {
            if (at_end())
                fail("unterminated string");
            const char c = d_s[d_pos++];
            if (c == '"')
                return out;
            if (static_cast<unsigned char>(c) < 0x20)
                fail("control character in a string");
            if (c != '\\') {
                out += c;
                continue;
            }
            if (at_end())
                fail("unterminated escape");
            const char e = d_s[d_pos++];
            switch (e) {
            case '"':
            case '\\':
            case '/':
                out += e;
                break;
            case 'b':
                out += '\b';
                break;
            case 'f':
                out += '\f';
                break;
            case 'n':
                out += '\n';
                break;
            case 'r':
                out += '\r';
                break;
            case 't':
                out += '\t';
                break;
            case 'u': {
                unsigned cp = hex4();
                if (cp >= 0xdc00 && cp <= 0xdfff)
                    fail("lone low surrogate");
                if (cp >= 0xd800 && cp <= 0xdbff) {
                    if (d_s.substr(d_pos, 2) != "\\u")
                        fail("high surrogate without its low half");
                    d_pos += 2;
                    const unsigned low = hex4();
                    if (low < 0xdc00 || low > 0xdfff)
                        fail("high surrogate without its low half");
                    cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
                }
                append_utf8(out, cp);
                break;
            }
            default:
                fail("unknown escape");
            }
        }
    }

    json_value number()
    {
        const std::size_t start = d_pos;
        const auto digits = [&] {
            const std::size_t from = d_pos;
            while (!at_end() && peek() >= '0' && peek() <= '9')
                ++d_pos;
            return d_pos - from;
        };
        if (peek() == '-')
            ++d_pos;
        if (peek() == '0' && !at_end())
            ++d_pos;
        else if (digits() == 0)
            fail("expected a value");
        if (peek() == '.' && !at_end()) {
            ++d_pos;
            if (digits() == 0)
                fail("expected digits after the decimal point");
        }
        if ((peek() == 'e' || peek() == 'E') && !at_end()) {
            ++d_pos;
            if (peek() == '+' || peek() == '-')
                ++d_pos;
            if (digits() == 0)
                fail("expected digits in the exponent");
        }
        json_value v;
        v.kind = json_value::type::number;
        v.text = std::string(d_s.substr(start, d_pos - start));
        const auto r =
            std::from_chars(v.text.data(), v.text.data() + v.text.size(), v.number);
        if (r.ec != std::errc() || !std::isfinite(v.number))
            fail("number out of range");
        return v;
    }

    std::string_view d_s;
    std::size_t d_pos = 0;
};

// ---- The SigMF fields. ----

[[noreturn]] void field_error(const std::string& field, const std::string& what)
{
    throw sigmf_error("sigmf-meta: " + field + " " + what);
}

const json_value* find(const json_value& object, std::string_view key)
{
    for (std::size_t i = 0; i < object.keys.size(); ++i)
        if (object.keys[i] == key)
            return &object.items[i];
    return nullptr;
}

const json_value&
require_type(const json_value* v, const std::string& field, json_value::type kind)
{
    if (v == nullptr)
        field_error(field, "is missing");
    if (v->kind != kind)
        field_error(field,
                    std::string("must be ") + type_name(kind) + ", not " +
                        type_name(v->kind));
    return *v;
}

double positive_number(const json_value* v, const std::string& field)
{
    const double x = require_type(v, field, json_value::type::number).number;
    if (!(x > 0.0))
        field_error(field, "must be positive, got " + v->text);
    return x;
}

std::uint64_t
unsigned_integer(const json_value* v, const std::string& field, std::uint64_t max)
{
    const std::string& t = require_type(v, field, json_value::type::number).text;
    if (t.find_first_not_of("0123456789") != std::string::npos)
        field_error(field, "must be a non-negative integer, got " + t);
    std::uint64_t x = 0;
    const auto r = std::from_chars(t.data(), t.data() + t.size(), x);
    if (r.ec != std::errc() || x > max)
        field_error(field, "must be at most " + std::to_string(max) + ", got " + t);
    return x;
}

void append_json_string(std::string& out, std::string_view s)
{
    out += '"';
    for (const char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
            out += buf;
        } else {
            out += c;
        }
    }
    out += '"';
}

void append_number(std::string& out, double x)
{
    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof buf, x);
    out.append(buf, r.ptr);
}

void check_for_writing(const sigmf_metadata& m)
{
    if (!(std::isfinite(m.sample_rate) && m.sample_rate > 0.0))
        throw std::invalid_argument("sigmf: sample_rate must be positive and finite");
    if (!(std::isfinite(m.bit_rate) && m.bit_rate > 0.0))
        throw std::invalid_argument("sigmf: bit_rate must be positive and finite");
    if (m.samples_per_bit < 1 || m.samples_per_bit > max_samples_per_bit)
        throw std::invalid_argument("sigmf: samples_per_bit must be in 1.." +
                                    std::to_string(max_samples_per_bit));
}

using file_ptr = std::unique_ptr<std::FILE, int (*)(std::FILE*)>;

file_ptr open_file(const std::string& path, const char* mode)
{
    file_ptr f(std::fopen(path.c_str(), mode), &std::fclose);
    if (!f)
        throw sigmf_error("cannot open " + path + ": " + std::strerror(errno));
    return f;
}

bool ends_with(const std::string& s, std::string_view suffix)
{
    return s.size() >= suffix.size() &&
           std::string_view(s).substr(s.size() - suffix.size()) == suffix;
}

sigmf_metadata read_meta_file(const std::string& base)
{
    const std::string path = base + std::string(meta_suffix);
    auto f = open_file(path, "rb");
    std::string text;
    char buf[1 << 16];
    std::size_t got;
    while ((got = std::fread(buf, 1, sizeof buf, f.get())) > 0) {
        text.append(buf, got);
        if (text.size() > max_meta_bytes)
            throw sigmf_error(path + " is larger than " +
                              std::to_string(max_meta_bytes >> 20) + " MiB");
    }
    if (std::ferror(f.get()))
        throw sigmf_error("cannot read " + path);
    return parse_sigmf_json(text);
}

} // namespace

std::string sigmf_base_path(const std::string& path)
{
    for (auto suffix : { meta_suffix, data_suffix })
        if (ends_with(path, suffix))
            return path.substr(0, path.size() - suffix.size());
    return path;
}

std::string to_sigmf_json(const sigmf_metadata& meta)
{
    check_for_writing(meta);
    auto frames = meta.frames;
    std::stable_sort(frames.begin(), frames.end(), [](const auto& a, const auto& b) {
        return a.sample_start < b.sample_start;
    });
    std::string out = "{\n    \"global\": {\n        \"core:datatype\": \"rf32_le\",\n"
                      "        \"core:sample_rate\": ";
    append_number(out, meta.sample_rate);
    out += ",\n        \"core:version\": \"1.0.0\",\n";
    if (!meta.description.empty()) {
        out += "        \"core:description\": ";
        append_json_string(out, meta.description);
        out += ",\n";
    }
    out += "        \"core:extensions\": [\n            { \"name\": \"fiberkey\", "
           "\"version\": \"1.0.0\", \"optional\": true }\n        ],\n"
           "        \"fiberkey:bit_rate\": ";
    append_number(out, meta.bit_rate);
    out += ",\n        \"fiberkey:samples_per_bit\": " +
           std::to_string(meta.samples_per_bit) +
           "\n    },\n    \"captures\": [\n        { \"core:sample_start\": 0 }\n    ],\n"
           "    \"annotations\": [";
    for (std::size_t i = 0; i < frames.size(); ++i) {
        out += i == 0 ? "\n" : ",\n";
        out +=
            "        { \"core:sample_start\": " + std::to_string(frames[i].sample_start) +
            ", \"fiberkey:frame_counter\": " + std::to_string(frames[i].frame_counter) +
            " }";
    }
    out += frames.empty() ? "]\n}\n" : "\n    ]\n}\n";
    return out;
}

sigmf_metadata parse_sigmf_json(std::string_view json)
{
    if (json.size() > max_meta_bytes)
        throw sigmf_error("sigmf-meta: larger than " +
                          std::to_string(max_meta_bytes >> 20) + " MiB");
    const json_value doc = json_parser(json).document();
    if (doc.kind != json_value::type::object)
        throw sigmf_error("sigmf-meta: the document must be a JSON object");

    const auto& global =
        require_type(find(doc, "global"), "global", json_value::type::object);
    sigmf_metadata meta;
    const std::string& datatype = require_type(find(global, "core:datatype"),
                                               "core:datatype",
                                               json_value::type::string)
                                      .text;
    if (datatype != "rf32_le")
        field_error("core:datatype", "must be rf32_le, got \"" + datatype + "\"");
    const std::string& version = require_type(find(global, "core:version"),
                                              "core:version",
                                              json_value::type::string)
                                     .text;
    if (version.rfind("1.", 0) != 0)
        field_error("core:version", "must be 1.x.x, got \"" + version + "\"");
    meta.sample_rate =
        positive_number(find(global, "core:sample_rate"), "core:sample_rate");
    meta.bit_rate =
        positive_number(find(global, "fiberkey:bit_rate"), "fiberkey:bit_rate");
    const std::uint64_t sps = unsigned_integer(find(global, "fiberkey:samples_per_bit"),
                                               "fiberkey:samples_per_bit",
                                               max_samples_per_bit);
    if (sps == 0)
        field_error("fiberkey:samples_per_bit", "must be at least 1");
    meta.samples_per_bit = static_cast<unsigned>(sps);
    if (const json_value* d = find(global, "core:description"))
        meta.description =
            require_type(d, "core:description", json_value::type::string).text;

    const auto& captures =
        require_type(find(doc, "captures"), "captures", json_value::type::array);
    for (const auto& c : captures.items) {
        require_type(&c, "captures[]", json_value::type::object);
        if (const json_value* s = find(c, "core:sample_start"))
            unsigned_integer(s,
                             "captures[].core:sample_start",
                             std::numeric_limits<std::uint64_t>::max());
    }

    const auto& annotations =
        require_type(find(doc, "annotations"), "annotations", json_value::type::array);
    std::uint64_t previous = 0;
    for (std::size_t i = 0; i < annotations.items.size(); ++i) {
        const std::string name = "annotations[" + std::to_string(i) + "]";
        const auto& a =
            require_type(&annotations.items[i], name, json_value::type::object);
        const std::uint64_t start =
            unsigned_integer(find(a, "core:sample_start"),
                             name + ".core:sample_start",
                             std::numeric_limits<std::uint64_t>::max());
        if (start < previous)
            field_error(name + ".core:sample_start", "breaks the order by sample_start");
        previous = start;
        if (const json_value* count = find(a, "core:sample_count"))
            unsigned_integer(count,
                             name + ".core:sample_count",
                             std::numeric_limits<std::uint64_t>::max());
        if (const json_value* fc = find(a, "fiberkey:frame_counter"))
            meta.frames.push_back(
                { start,
                  static_cast<std::uint32_t>(unsigned_integer(
                      fc, name + ".fiberkey:frame_counter", 0xffffffffu)) });
    }
    return meta;
}

sigmf_writer::sigmf_writer(const std::string& base_path, const sigmf_metadata& meta)
    : d_base(sigmf_base_path(base_path)), d_meta(meta), d_data(nullptr, &std::fclose)
{
    check_for_writing(meta);
    d_data = open_file(d_base + std::string(data_suffix), "wb");
}

sigmf_writer::~sigmf_writer()
{
    try {
        close();
    } catch (const std::exception&) {
        // A destructor must not throw; call close() to see the error.
    }
}

void sigmf_writer::write(const float* samples, std::size_t n)
{
    if (!d_data)
        throw sigmf_error("sigmf_writer: write after close");
    bool ok = true;
    if constexpr (std::endian::native == std::endian::little) {
        ok = std::fwrite(samples, sizeof(float), n, d_data.get()) == n;
    } else {
        for (std::size_t i = 0; i < n && ok; ++i) {
            const auto v = std::bit_cast<std::uint32_t>(samples[i]);
            const unsigned char b[4] = { static_cast<unsigned char>(v),
                                         static_cast<unsigned char>(v >> 8),
                                         static_cast<unsigned char>(v >> 16),
                                         static_cast<unsigned char>(v >> 24) };
            ok = std::fwrite(b, 1, 4, d_data.get()) == 4;
        }
    }
    if (!ok)
        throw sigmf_error("cannot write " + d_base + std::string(data_suffix));
    d_samples += n;
}

void sigmf_writer::annotate_frame(std::uint64_t sample_start, std::uint32_t frame_counter)
{
    d_meta.frames.push_back({ sample_start, frame_counter });
}

void sigmf_writer::close()
{
    if (!d_data)
        return;
    const std::string data_path = d_base + std::string(data_suffix);
    auto data = std::move(d_data);
    if (std::fflush(data.get()) != 0 || std::fclose(data.release()) != 0)
        throw sigmf_error("cannot write " + data_path);
    const std::string json = to_sigmf_json(d_meta);
    const std::string meta_path = d_base + std::string(meta_suffix);
    auto meta = open_file(meta_path, "wb");
    if (std::fwrite(json.data(), 1, json.size(), meta.get()) != json.size() ||
        std::fclose(meta.release()) != 0)
        throw sigmf_error("cannot write " + meta_path);
}

sample_file_reader::sample_file_reader(const std::string& path, format fmt, float scale)
    : d_file(open_file(path, "rb")), d_format(fmt), d_scale(scale)
{
    const std::size_t size = fmt == format::f32_le ? 4 : 2;
    if (fseeko(d_file.get(), 0, SEEK_END) != 0)
        throw sigmf_error("cannot seek in " + path);
    const off_t bytes = ftello(d_file.get());
    if (bytes < 0 || fseeko(d_file.get(), 0, SEEK_SET) != 0)
        throw sigmf_error("cannot find the size of " + path);
    if (static_cast<std::uint64_t>(bytes) % size != 0)
        throw sigmf_error(path + " holds " + std::to_string(bytes) +
                          " bytes, not a whole number of " + std::to_string(size) +
                          "-byte samples");
    d_total = static_cast<std::uint64_t>(bytes) / size;
}

std::size_t sample_file_reader::read(float* out, std::size_t n)
{
    const std::size_t size = d_format == format::f32_le ? 4 : 2;
    n = static_cast<std::size_t>(std::min<std::uint64_t>(n, d_total - d_position));
    d_buffer.resize(n * size);
    const std::size_t got = std::fread(d_buffer.data(), size, n, d_file.get());
    if (got != n)
        throw sigmf_error("sample file ended early or could not be read");
    const unsigned char* b = d_buffer.data();
    for (std::size_t i = 0; i < n; ++i, b += size) {
        if (d_format == format::f32_le) {
            const std::uint32_t v = b[0] | (b[1] << 8) | (b[2] << 16) |
                                    (static_cast<std::uint32_t>(b[3]) << 24);
            out[i] = std::bit_cast<float>(v);
        } else {
            const auto v = static_cast<std::int16_t>(b[0] | (b[1] << 8));
            out[i] = static_cast<float>(v) * d_scale;
        }
    }
    d_position += n;
    return n;
}

sigmf_reader::sigmf_reader(const std::string& base_path)
    : d_meta(read_meta_file(sigmf_base_path(base_path))),
      d_data(sigmf_base_path(base_path) + std::string(data_suffix),
             sample_file_reader::format::f32_le)
{
    for (const auto& f : d_meta.frames)
        if (f.sample_start >= d_data.total_samples())
            throw sigmf_error("sigmf-meta: frame annotation at sample " +
                              std::to_string(f.sample_start) + " lies beyond the " +
                              std::to_string(d_data.total_samples()) +
                              " samples of the data");
}

} // namespace fiberkey
