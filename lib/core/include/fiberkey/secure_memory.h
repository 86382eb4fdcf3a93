/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef FIBERKEY_CORE_SECURE_MEMORY_H
#define FIBERKEY_CORE_SECURE_MEMORY_H

#include <cstddef>
#include <string.h>

namespace fiberkey {

//! Overwrites key material so that the compiler cannot elide the store.
inline void secure_wipe(void* p, std::size_t n) noexcept
{
    if (p != nullptr && n != 0)
        explicit_bzero(p, n);
}

template <typename Container>
inline void secure_wipe(Container& c) noexcept
{
    secure_wipe(c.data(), c.size() * sizeof(*c.data()));
}

} // namespace fiberkey

#endif
