"""moto's answers, serialised with less work: the alias lookups of its response serialiser, memoised.

moto (5.2) writes every answer by walking the operation's output shape from botocore's service model and,
for each member of each structure, asking its `AttributePicker` which names the value may go by on the
Python object (`get_possible_keys`): an explicit alias from the object's `Meta`, the member's shape name,
the key itself, the key without its parent structure's name, the key without the object's class name, and
the model's serialised name (and `XFormedAttributePicker`, the one its responses use, adds each one's
snake_case form). It builds six provider objects for every member of every item it writes and asks each,
so a page of items with a dozen members each costs tens of thousands of them; in a profile of the
integration tests this lookup was about a sixth of the whole CPU time and the largest single part.

Here the keys moto's own lookup gives are kept per (picker class, member shape, parent, key) when the value
is a dict, which is what every value the service's answers are made of is. That is safe because:

- what the providers read is the shape (its name, type and serialisation traits), its parent structure
  (its name, type and member names), the key, and of the value only whether it has a `Meta` (no dict can)
  and its class's name ("dict" for every dict); so for dicts the keys are a function of shape, parent and
  key alone, and nothing in moto changes those after the model is loaded;
- moto builds each service's model once per process (`moto.core.utils.get_service_model` is cached) and
  botocore caches its operation models, output shapes and a structure's members, so the same member is the
  same shape object for every answer; an entry holds its shape and parent, so it can never be found again
  for another object that happens to get the same `id`;
- the parent is part of the key: moto sets a member's `parent` while it serialises, so a shape met under
  another parent (or before one was set) gets an entry of its own;
- the keys are computed by moto's own code the first time, so they are moto's, in moto's order; a value
  that is not a dict, a picker with providers of its own, or a lookup that raises takes moto's own path.

The serialised answers are therefore the same byte for byte; only the repeated work is gone.

`apply()` installs it once per process, for the tests' in-process moto (tests/world.py) and for the local
stack's emulator (infra/local/emulator.py). It refuses, loudly, when moto no longer has what it replaces (a
renamed class or method, other providers or another order of them), so that an upgrade can never turn it
into a silent no-op or into something that answers differently; tests/unit/test_moto_speed.py checks that,
and that the memoised lookup equals moto's own over the shapes of every AWS service the project uses.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

# The providers moto asks, in moto's order; the memoised path is taken only for exactly these.
EXPECTED_PROVIDERS = (
    "ExplicitAlias",
    "ShapeNameAlias",
    "NoAlias",
    "ShapePrefixAlias",
    "ClassPrefixAlias",
    "ModelAlias",
)
# The pickers whose lookup is memoised: moto's own and the one its responses use, which adds each key's
# snake_case form after it.
PICKERS = ("AttributePicker", "XFormedAttributePicker")

# A shape without a `parent` attribute: moto's providers tell that apart from one whose parent is None.
_NO_PARENT = object()

# (picker class, id(shape), id(parent), key) -> (shape, parent, the keys moto's own lookup gave). Keeping
# shape and parent alive keeps their ids from being reused by other objects.
_cache: dict[tuple[str, int, int, str], tuple[Any, Any, tuple[str, ...]]] = {}

# moto's own lookups, by picker class, once applied.
_originals: dict[str, Callable[..., Iterator[str]]] = {}


class MotoChanged(RuntimeError):
    """moto no longer has what `apply` replaces; the speed-up would do nothing, or something else."""


def apply(serialize: Any = None) -> None:
    """Memoise moto's alias lookups for dict values, once per process (a second call does nothing).
    `serialize` is moto's `moto.core.serialize`, or a stand-in for it to check the refusals."""
    if serialize is None:
        serialize = _moto_serialize()
    if serialize is _moto_serialize() and applied():
        return
    providers = getattr(serialize, "DEFAULT_ALIAS_PROVIDERS", None)
    names = tuple(getattr(provider, "__name__", "") for provider in providers or ())
    if names != EXPECTED_PROVIDERS:
        raise MotoChanged(f"moto's alias providers are {names}, not {EXPECTED_PROVIDERS}")
    originals = {}
    for name in PICKERS:
        original = getattr(getattr(serialize, name, None), "get_possible_keys", None)
        if original is None or "get_possible_keys" not in vars(getattr(serialize, name)):
            raise MotoChanged(f"moto.core.serialize has no {name}.get_possible_keys of its own")
        originals[name] = original
    expected = list(providers or ())
    for name, original in originals.items():
        getattr(serialize, name).get_possible_keys = _memoised(name, original, expected)
    if serialize is _moto_serialize():
        _originals.update(originals)


def _memoised(name: str, original: Callable[..., Iterator[str]], expected: list[Any]) -> Callable[..., Any]:
    def get_possible_keys(self: Any, context: Any) -> Iterator[str]:
        # Only a dict is answered from the cache: what moto's providers read of it (a `Meta`, which no dict
        # can have, and its class's name) is the same for every dict. Anything else is moto's own path.
        shape = context.shape
        if type(context.obj) is not dict or shape is None or self.alias_providers != expected:
            return original(self, context)
        parent = getattr(shape, "parent", _NO_PARENT)
        entry_key = (name, id(shape), id(parent), context.key)
        entry = _cache.get(entry_key)
        if entry is not None and entry[0] is shape and entry[1] is parent:
            return iter(entry[2])
        try:
            keys = tuple(original(self, context))
        except Exception:
            # moto asks its providers lazily, so a later one's error may never be met: leave it to moto.
            return original(self, context)
        _cache[entry_key] = (shape, parent, keys)
        return iter(keys)

    get_possible_keys.__wrapped__ = original  # type: ignore[attr-defined]
    return get_possible_keys


def applied() -> bool:
    """Whether moto's serialiser now takes the memoised path, for both pickers."""
    serialize = _moto_serialize()
    return len(_originals) == len(PICKERS) and all(
        getattr(getattr(getattr(serialize, name, None), "get_possible_keys", None), "__wrapped__", None)
        is _originals[name]
        for name in PICKERS
    )


def original_get_possible_keys(name: str = "AttributePicker") -> Callable[..., Iterator[str]]:
    """moto's own lookup of that picker, for comparing with (after `apply`)."""
    if name not in _originals:
        raise MotoChanged("the speed-up is not applied")
    return _originals[name]


def forget() -> None:
    """Empty the cache (it fills again from moto's own lookups)."""
    _cache.clear()


def cached_lookups() -> int:
    """How many (picker, shape, parent, key) lookups are memoised so far."""
    return len(_cache)


def _moto_serialize() -> Any:
    from moto.core import serialize

    return serialize
