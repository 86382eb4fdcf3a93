/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
// OpenSSL objects owned by std::unique_ptr, and OpenSSL failures as exceptions.
#ifndef FIBERKEY_CORE_OPENSSL_UTIL_H
#define FIBERKEY_CORE_OPENSSL_UTIL_H

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <stdexcept>
#include <string>

namespace fiberkey {

template <auto Free>
struct openssl_deleter {
    template <typename T>
    void operator()(T* p) const noexcept
    {
        Free(p);
    }
};

//! A unique_ptr to an OpenSSL object of type T that \p Free releases.
template <typename T, auto Free>
using openssl_ptr = std::unique_ptr<T, openssl_deleter<Free>>;

using bio_ptr = openssl_ptr<BIO, BIO_free>;
using pkey_ptr = openssl_ptr<EVP_PKEY, EVP_PKEY_free>;
using x509_ptr = openssl_ptr<X509, X509_free>;

//! OpenSSL's reason for its last failure (never key material); the error queue cleared.
inline std::string openssl_reason()
{
    const char* reason = ERR_reason_error_string(ERR_peek_last_error());
    ERR_clear_error();
    return reason != nullptr ? reason : "no detail";
}

//! Throws std::runtime_error "<who>: <what> failed: <reason>".
[[noreturn]] inline void openssl_failure(const std::string& who, const std::string& what)
{
    throw std::runtime_error(who + ": " + what + " failed: " + openssl_reason());
}

} // namespace fiberkey

#endif
