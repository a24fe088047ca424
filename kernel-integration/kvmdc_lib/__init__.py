# SPDX-License-Identifier: GPL-2.0
"""kvmdc's Python side: policy, records, output and one module per subcommand."""
import os

MACRO = "KVM_BUG_ON_DATA_CORRUPTION"
# kernel-integration/ and the project root, for default paths.
INTEGRATION = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROJECT = os.path.dirname(INTEGRATION)
DEFAULT_POLICY = os.path.join(INTEGRATION, "kvmdc.policy")
