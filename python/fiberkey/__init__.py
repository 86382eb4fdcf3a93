#
# Copyright 2026 The gr-fiberkey authors.
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""gr-fiberkey: key agreement from noise over an OTU2 fiber link.

The blocks (zuc_crypt, ...) are GNU Radio blocks; the core algorithms (zuc, eea3,
frame_cipher, key_schedule, ...) are plain classes that work without a flowgraph.
"""

from .fiberkey_python import *  # noqa: F401,F403
from .key_log import key_log  # noqa: F401
from .lab import wait_for_captures  # noqa: F401
from .node import node, stop_within, wait_for_keys  # noqa: F401
