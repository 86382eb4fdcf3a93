/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef INCLUDED_FIBERKEY_API_H
#define INCLUDED_FIBERKEY_API_H

#include <gnuradio/attributes.h>

#ifdef gnuradio_fiberkey_EXPORTS
#define FIBERKEY_API __GR_ATTR_EXPORT
#else
#define FIBERKEY_API __GR_ATTR_IMPORT
#endif

#endif /* INCLUDED_FIBERKEY_API_H */
