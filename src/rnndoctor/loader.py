"""What a DataLoader says about the batches it gives, as plain data (torch-free).

Built once from a loader found in the user's frames, and shared: provenance
reads the size of the last batch from it, semantic mode's RNN106 the batch
size. Nothing here imports torch: a loader is recognised through
`sys.modules`, and read through its public attributes only.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping

from ._record import record

__all__ = ["LoaderFacts", "find_loaders", "loader_facts"]


@record
class LoaderFacts:
    """A DataLoader's batch size, its dataset's length and `drop_last`, and where it was seen."""

    batch_size: int
    dataset_len: int | None = None  # None: an iterable dataset, of no known length
    drop_last: bool = False
    name: str | None = None  # the variable it was found under: "train_loader"

    @property
    def full_batches(self) -> int | None:
        return None if self.dataset_len is None else self.dataset_len // self.batch_size

    @property
    def last_batch(self) -> int | None:
        """The size of the last batch when it is smaller than the others; None when there is none."""
        if self.dataset_len is None or self.drop_last:
            return None
        rest = self.dataset_len % self.batch_size
        return rest or None

    def gives(self, batch: int) -> bool:
        """Whether a batch of this size can come from this loader."""
        return batch == self.batch_size or batch == self.last_batch

    def describe(self, batch: int) -> str:
        """Why a batch of this size comes from the loader: `6 = 70 − 2 × 32: the last batch of `loader``."""
        label = f"`{self.name}`" if self.name else "the DataLoader"
        if batch == self.last_batch and self.full_batches is not None:
            return (f"{batch} = {self.dataset_len} − {self.full_batches} × {self.batch_size}: "
                    f"the last batch of {label} (drop_last=False)")
        return f"{label} gives batches of {self.batch_size}"


def loader_facts(value: object, name: str | None = None) -> LoaderFacts | None:
    """The facts of a `torch.utils.data.DataLoader`, or None for anything else.

    A loader with a batch sampler of its own (`batch_size=None`) gives no facts.
    """
    data = sys.modules.get("torch.utils.data")
    loader_type = getattr(data, "DataLoader", None)
    if loader_type is None or not isinstance(value, loader_type):
        return None
    batch_size = getattr(value, "batch_size", None)
    if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size <= 0:
        return None
    try:
        length: int | None = len(value.dataset)
    except Exception:  # an IterableDataset has no length
        length = None
    return LoaderFacts(batch_size, length, bool(getattr(value, "drop_last", False)), name)


def find_loaders(namespaces: Iterable[Mapping[str, object]]) -> tuple[LoaderFacts, ...]:
    """Every DataLoader among these namespaces' values (frames' locals, innermost first), once each."""
    found: list[LoaderFacts] = []
    seen: set[int] = set()
    loader_type = getattr(sys.modules.get("torch.utils.data"), "DataLoader", None)
    if loader_type is None:
        return ()
    for namespace in namespaces:
        for key, value in list(namespace.items()):
            if not isinstance(value, loader_type) or id(value) in seen:
                continue
            facts = loader_facts(value, key)
            if facts is not None:
                seen.add(id(value))
                found.append(facts)
    return tuple(found)
