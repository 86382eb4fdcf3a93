/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/post_processing_settings.h>

#include <gtest/gtest.h>

#include <cmath>
#include <string>

using namespace fiberkey;

namespace {

// The message of the std::invalid_argument that f throws ("" when it throws none).
template <typename F>
std::string error_of(F&& f)
{
    try {
        f();
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "";
}

// "s" (built by appending: GCC 12 warns falsely on "\"" + std::string).
std::string quoted(std::string_view s)
{
    std::string q(1, '"');
    q.append(s).append(1, '"');
    return q;
}

bool contains(const std::string& s, const std::string& part)
{
    return s.find(part) != std::string::npos;
}

} // namespace

TEST(post_processing_settings, mode_names_round_trip)
{
    for (auto m : { quantizer_mode::patent,
                    quantizer_mode::equiprobable,
                    quantizer_mode::soft,
                    quantizer_mode::multilevel })
        EXPECT_EQ(parse_quantizer_mode(to_string(m)), m);
    EXPECT_STREQ(to_string(quantizer_mode::multilevel), "multilevel");
    EXPECT_STREQ(to_string(quantizer_mode::patent), "patent");
    EXPECT_STREQ(to_string(quantizer_mode::equiprobable), "equiprobable");
    EXPECT_STREQ(to_string(quantizer_mode::soft), "soft");
}

TEST(post_processing_settings, unknown_mode_names_the_valid_ones)
{
    for (const char* bad :
         { "", "fancy", "Soft", "soft ", " patent", "soft:3", "soft-q2" }) {
        const auto e = error_of([&] { parse_quantizer_mode(bad); });
        ASSERT_FALSE(e.empty()) << bad;
        EXPECT_TRUE(contains(e, "\"patent\"") && contains(e, "\"equiprobable\"") &&
                    contains(e, "\"soft\"") && contains(e, "\"multilevel\""))
            << e;
        EXPECT_TRUE(contains(e, quoted(bad))) << e;
    }
}

TEST(post_processing_settings, spec_defaults_per_mode)
{
    EXPECT_EQ(parse_pp_mode("soft"), (pp_mode_spec{ quantizer_mode::soft, 3 }));
    EXPECT_EQ(parse_pp_mode("equiprobable"),
              (pp_mode_spec{ quantizer_mode::equiprobable, 2 }));
    EXPECT_EQ(parse_pp_mode("patent"), (pp_mode_spec{ quantizer_mode::patent, 1 }));
    EXPECT_EQ(default_bits_per_round(quantizer_mode::soft), 3u);
    EXPECT_EQ(default_bits_per_round(quantizer_mode::equiprobable), 2u);
    EXPECT_EQ(default_bits_per_round(quantizer_mode::patent), 1u);
    EXPECT_EQ(parse_pp_mode("multilevel"),
              (pp_mode_spec{ quantizer_mode::multilevel, 4 }));
    EXPECT_EQ(default_bits_per_round(quantizer_mode::multilevel), 4u);
}

TEST(post_processing_settings, multilevel_levels_are_3_to_5)
{
    for (unsigned q = 3; q <= 5; ++q) {
        const auto s = parse_pp_mode("multilevel:" + std::to_string(q));
        EXPECT_EQ(s, (pp_mode_spec{ quantizer_mode::multilevel, q }));
        EXPECT_EQ(parse_pp_mode(to_string(s)), s);
        post_processing_settings settings;
        settings.set_mode(s);
        const auto c = make_post_processor_config(pp_role::leader, 0, settings);
        EXPECT_EQ(c.quantizer.levels(), q);
        // The key bits: the 2 top levels, 3 at q = 5.
        EXPECT_EQ(c.quantizer.bits(), q == 5 ? 3u : 2u);
        EXPECT_EQ(c.quantizer.disclosed_levels(), q == 5 ? 2u : q - 2);
    }
    for (const char* bad :
         { "multilevel:1", "multilevel:2", "multilevel:6", "multilevel:9" })
        EXPECT_TRUE(contains(error_of([&] { parse_pp_mode(bad); }), "3..5")) << bad;
    // A tool's --q is for the equiprobable and soft modes; multilevel keeps its default.
    EXPECT_EQ(parse_pp_mode("multilevel", 2).bits_per_round, 4u);
    quantizer_config c{ .mode = quantizer_mode::multilevel, .bits_per_round = 6 };
    EXPECT_THROW(c.validate(), std::invalid_argument);
    c.bits_per_round = 2;
    EXPECT_THROW(c.validate(), std::invalid_argument);
}

TEST(post_processing_settings, spec_with_q)
{
    for (unsigned q = 1; q <= 4; ++q) {
        const auto s = parse_pp_mode("soft:" + std::to_string(q));
        EXPECT_EQ(s, (pp_mode_spec{ quantizer_mode::soft, q }));
        EXPECT_EQ(parse_pp_mode(to_string(s)), s);
        const auto e = parse_pp_mode("equiprobable:" + std::to_string(q));
        EXPECT_EQ(e, (pp_mode_spec{ quantizer_mode::equiprobable, q }));
        EXPECT_EQ(parse_pp_mode(to_string(e)), e);
    }
    EXPECT_EQ(parse_pp_mode("patent:1"), (pp_mode_spec{ quantizer_mode::patent, 1 }));
    EXPECT_EQ(to_string(pp_mode_spec{ quantizer_mode::patent, 1 }), "patent");
    EXPECT_EQ(to_string(pp_mode_spec{ quantizer_mode::soft, 2 }), "soft:2");
}

TEST(post_processing_settings, a_tools_default_q_applies_without_q)
{
    EXPECT_EQ(parse_pp_mode("equiprobable", 3).bits_per_round, 3u);
    EXPECT_EQ(parse_pp_mode("soft", 4).bits_per_round, 4u);
    EXPECT_EQ(parse_pp_mode("soft:2", 4).bits_per_round, 2u); // explicit q wins
    EXPECT_EQ(parse_pp_mode("patent", 3).bits_per_round, 1u);
    EXPECT_EQ(parse_pp_mode("soft", 0).bits_per_round, 3u);
    EXPECT_TRUE(contains(error_of([] { parse_pp_mode("soft", 5); }), "1..4"));
}

TEST(post_processing_settings, bad_specs_say_what_is_wrong)
{
    struct case_ {
        const char* spec;
        const char* says;
    };
    for (const auto& c : { case_{ "bogus", "unknown mode \"bogus\"" },
                           case_{ "", "unknown mode \"\"" },
                           case_{ "soft-q2", "unknown mode \"soft-q2\"" },
                           case_{ "SOFT:2", "unknown mode \"SOFT\"" },
                           case_{ ":2", "unknown mode \"\"" },
                           case_{ "soft:", "missing" },
                           case_{ "soft:0", "1..4" },
                           case_{ "soft:5", "1..4" },
                           case_{ "soft:22", "1..4" },
                           case_{ "soft:02", "1..4" },
                           case_{ "soft:x", "1..4" },
                           case_{ "soft:2:3", "1..4" },
                           case_{ "equiprobable: 2", "1..4" },
                           case_{ "patent:2", "1 bit per round" },
                           case_{ "patent:3", "1 bit per round" } }) {
        const auto e = error_of([&] { parse_pp_mode(c.spec); });
        EXPECT_TRUE(contains(e, c.says)) << c.spec << ": " << e;
        EXPECT_TRUE(contains(e, quoted(c.spec))) << e;
        EXPECT_TRUE(contains(e, "soft[:q]")) << e; // the grammar, for the user
    }
}

TEST(post_processing_settings, defaults_are_the_blocks)
{
    const post_processing_settings s;
    EXPECT_EQ(s.mode, quantizer_mode::multilevel);
    EXPECT_EQ(s.bits_per_round, 4u);
    EXPECT_EQ(s.batch_rounds, 1000u);
    EXPECT_EQ(s.alpha, 0.5);
    EXPECT_EQ(s.log2_epsilon, -64.0);
    EXPECT_EQ(s.mode_spec(), (pp_mode_spec{ quantizer_mode::multilevel, 4 }));
}

// What key_post_processor's config() built before the factory, for its defaults.
TEST(post_processing_settings, factory_equals_what_the_block_built)
{
    for (auto role : { pp_role::leader, pp_role::follower }) {
        for (unsigned direction : { 0u, 1u }) {
            const auto c = make_post_processor_config(role, direction, {});
            const post_processor_config plain; // the fields the block left alone
            EXPECT_EQ(c.role, role);
            EXPECT_EQ(c.direction, direction);
            EXPECT_EQ(c.quantizer.mode, quantizer_mode::multilevel);
            EXPECT_EQ(c.quantizer.bits_per_round, 4u);
            EXPECT_EQ(c.quantizer.alpha, 0.5);
            EXPECT_EQ(c.batch_rounds, 1000u);
            EXPECT_EQ(c.abandon_after_rounds, 8000u);
            EXPECT_EQ(c.eps_total, 0x1p-64);
            EXPECT_EQ(c.min_used_rounds, plain.min_used_rounds);
            EXPECT_EQ(c.min_entropy_per_bit, plain.min_entropy_per_bit);
            EXPECT_EQ(c.initial_disagreement, plain.initial_disagreement);
            EXPECT_EQ(c.target_fer, plain.target_fer);
            EXPECT_EQ(c.estimate_margin, plain.estimate_margin);
            EXPECT_EQ(c.max_iterations, plain.max_iterations);
            EXPECT_EQ(c.initial_correlation, plain.initial_correlation);
            EXPECT_FALSE(c.random);
        }
    }
}

TEST(post_processing_settings, factory_follows_the_settings)
{
    post_processing_settings s;
    s.set_mode(parse_pp_mode("patent"));
    s.batch_rounds = 4000;
    s.alpha = 0.75;
    s.log2_epsilon = -40;
    const auto c = make_post_processor_config(pp_role::follower, 1, s);
    EXPECT_EQ(c.quantizer.mode, quantizer_mode::patent);
    EXPECT_EQ(c.quantizer.bits_per_round, 1u);
    EXPECT_EQ(c.quantizer.bits(), 1u);
    EXPECT_EQ(c.quantizer.alpha, 0.75);
    EXPECT_EQ(c.batch_rounds, 4000u);
    EXPECT_EQ(c.abandon_after_rounds, 32000u); // 8 n, at any n
    EXPECT_EQ(c.eps_total, 0x1p-40);
    // The limits themselves are accepted.
    s.batch_rounds = 64;
    s.log2_epsilon = -10;
    EXPECT_NO_THROW(make_post_processor_config(pp_role::leader, 0, s));
    s.batch_rounds = 16384;
    s.log2_epsilon = -256;
    EXPECT_NO_THROW(make_post_processor_config(pp_role::leader, 0, s));
}

TEST(post_processing_settings, range_errors_name_the_field)
{
    auto error_with = [](auto change) {
        post_processing_settings s;
        unsigned direction = 0;
        change(s, direction);
        return error_of(
            [&] { make_post_processor_config(pp_role::leader, direction, s); });
    };
    EXPECT_TRUE(contains(error_with([](auto&, unsigned& d) { d = 2; }), "direction"));
    EXPECT_TRUE(contains(error_with([](auto& s, unsigned&) { s.batch_rounds = 63; }),
                         "batch_rounds"));
    EXPECT_TRUE(contains(error_with([](auto& s, unsigned&) { s.batch_rounds = 131073; }),
                         "batch_rounds"));
    EXPECT_TRUE(contains(error_with([](auto& s, unsigned&) { s.log2_epsilon = -9; }),
                         "log2_epsilon"));
    EXPECT_TRUE(contains(error_with([](auto& s, unsigned&) { s.log2_epsilon = -257; }),
                         "log2_epsilon"));
    EXPECT_TRUE(
        contains(error_with([](auto& s, unsigned&) { s.log2_epsilon = std::nan(""); }),
                 "log2_epsilon"));
    EXPECT_TRUE(contains(error_with([](auto& s, unsigned&) { s.bits_per_round = 0; }),
                         "bits_per_round"));
    EXPECT_TRUE(contains(error_with([](auto& s, unsigned&) { s.bits_per_round = 6; }),
                         "bits_per_round"));
    EXPECT_TRUE(contains(error_with([](auto& s, unsigned&) {
                             s.mode = quantizer_mode::soft;
                             s.bits_per_round = 5;
                         }),
                         "bits_per_round"));
    EXPECT_TRUE(
        contains(error_with([](auto& s, unsigned&) { s.alpha = -0.1; }), "alpha"));
    EXPECT_TRUE(contains(error_with([](auto& s, unsigned&) { s.alpha = 10; }), "alpha"));
    EXPECT_TRUE(contains(
        error_with([](auto& s, unsigned&) { s.mode = static_cast<quantizer_mode>(7); }),
        "mode"));
}
