"""How a patch puts its function in place of an upstream one, once, and keeps the original."""

from __future__ import annotations


class Originals(dict):
    """The upstream functions one patch module replaced, by name, for it to call on."""

    def replace(self, owner, name: str, new, *also) -> bool:
        """Put ``new`` in place of ``owner.name`` (and of the same name on ``also``), keeping
        the original here; a second call for the same name does nothing. Returns whether it
        replaced."""
        if name in self:
            return False
        self[name] = vars(owner)[name] if isinstance(owner, type) else getattr(owner, name)
        for target in (owner, *also):
            setattr(target, name, new)
        return True
