# SPDX-License-Identifier: GPL-2.0
"""kvmdc's Python side: core modules below one module per subcommand.

A subcommand module (scan, check, budget, review, bot, db) imports core
modules only, never another subcommand (README: Layout)."""
import os

MACRO = "KVM_BUG_ON_DATA_CORRUPTION"
# kernel-integration/ and the project root, for default paths.
INTEGRATION = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROJECT = os.path.dirname(INTEGRATION)
DEFAULT_POLICY = os.path.join(INTEGRATION, "kvmdc.policy")


class KvmdcError(Exception):
    """A usage or environment problem; str() is the one-line reason."""
