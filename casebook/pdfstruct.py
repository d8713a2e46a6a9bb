"""Reading a tagged PDF's structure tree (pikepdf): what the screen PDF repairs and verify checks."""

from __future__ import annotations

from pikepdf import Array, Dictionary, Name


def reachable(root: Dictionary) -> set[tuple[int, int]]:
    """The object ids of every structure element under the root."""
    seen: set[tuple[int, int]] = set()
    stack = kids(root)
    while stack:
        element = stack.pop()
        if not isinstance(element, Dictionary) or element.objgen in seen:
            continue
        if element.objgen != (0, 0):
            seen.add(element.objgen)
        stack.extend(kids(element))
    return seen


def kids(element: Dictionary) -> list:
    """An element's /K as a list (it may be one object, an array, or missing)."""
    value = element.get(Name.K)
    if value is None:
        return []
    return list(value) if isinstance(value, Array) else [value]


def parent_tree(root: Dictionary) -> dict[int, Array]:
    """The flat ParentTree WeasyPrint writes: page StructParents key -> array by MCID."""
    nums = root.ParentTree.Nums
    return {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)
            if isinstance(nums[i + 1], Array)}
