"""Views: the register, audit trails and the committee update, computed from the log.

Pure like the domain: these functions take events and states and return rows; storage
adapters keep materialised copies of some of them, which must always equal these folds.
"""

from ._register import Basis, Register, RegisterFilter, RegisterRow

__all__ = ["Basis", "Register", "RegisterFilter", "RegisterRow"]
