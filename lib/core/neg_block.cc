/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/byte_order.h>
#include <fiberkey/neg_block.h>

#include <algorithm>
#include <stdexcept>

namespace fiberkey::neg_block {

namespace fl = frame_layout;

namespace {
void interleave(const nd_array& a, const nd_array& b, std::uint8_t* nd)
{
    for (std::size_t j = 0; j < fl::nd_array_bytes; ++j) {
        nd[2 * j] = a[j];
        nd[2 * j + 1] = b[j];
    }
}

void deinterleave(const std::uint8_t* nd, nd_array& a, nd_array& b)
{
    for (std::size_t j = 0; j < fl::nd_array_bytes; ++j) {
        a[j] = nd[2 * j];
        b[j] = nd[2 * j + 1];
    }
}
} // namespace

void encode(const neg_fields& f, std::span<std::uint8_t, fl::block_bytes> block)
{
    if (f.nd1_present != (f.send_seq != 0) || f.nd2_present != (f.response_seq != 0))
        throw std::invalid_argument(
            "neg_block: an ND is present exactly when its sequence number is nonzero");
    std::fill(block.begin(), block.end(), 0);
    std::uint8_t* p = block.data();
    p[fl::neg_status] = (f.nd1_present ? fl::neg_status_nd1 : 0) |
                        (f.nd2_present ? fl::neg_status_nd2 : 0);
    store_be(p + fl::neg_send_seq.offset, f.send_seq, 2);
    store_be(p + fl::neg_response_seq.offset, f.response_seq, 2);
    if (f.nd1_present)
        interleave(f.x1, f.x2, p + fl::neg_nd1.offset);
    if (f.nd2_present)
        interleave(f.y1, f.y2, p + fl::neg_nd2.offset);
}

neg_decoded decode(std::span<const std::uint8_t, fl::block_bytes> block)
{
    const std::uint8_t* p = block.data();
    neg_decoded d;
    neg_fields& f = d.fields;
    const std::uint8_t status = p[fl::neg_status];
    f.nd1_present = status & fl::neg_status_nd1;
    f.nd2_present = status & fl::neg_status_nd2;
    f.send_seq = static_cast<std::uint16_t>(load_be(p + fl::neg_send_seq.offset, 2));
    f.response_seq =
        static_cast<std::uint16_t>(load_be(p + fl::neg_response_seq.offset, 2));
    deinterleave(p + fl::neg_nd1.offset, f.x1, f.x2);
    deinterleave(p + fl::neg_nd2.offset, f.y1, f.y2);
    d.nd1_consistent = f.nd1_present == (f.send_seq != 0);
    d.nd2_consistent = f.nd2_present == (f.response_seq != 0);
    const std::uint8_t known = fl::neg_status_nd1 | fl::neg_status_nd2;
    d.reserved_zero = (status & ~known) == 0 && p[fl::neg_reserved.offset] == 0 &&
                      p[fl::neg_reserved.offset + 1] == 0;
    return d;
}

} // namespace fiberkey::neg_block
