"""The network index as bytes: built once when a network is imported, stored with it, and loaded
by every process instead of being rebuilt (``outfall.rivers.selectors.current_network``).

The bytes are an uncompressed NumPy ``.npz`` of the per-reach arrays (lengths, filled velocities
and flows, main downstream, minor paths, pre-order, subtree sizes, cumulative labels T (h) and
D (km), the global distance order) plus a digest of the reach ids in index order, so an index is
never attached to reaches it was not built for.
"""

from __future__ import annotations

import hashlib
import io
import zipfile

import numpy as np

from outfall.core.network.graph import Network

__all__ = ["STORED_ARRAYS", "ids_digest", "index_bytes", "network_from_index"]

STORED_ARRAYS = ("length_m", "velocity_m_s", "flow_m3_s", "defaulted", "main_down", "minor", "pre", "size", "order",
                 "T_h", "D_km", "by_D")
FORMAT = 1


def ids_digest(ids: list[str]) -> str:
    """SHA-256 of the reach ids in index order (hex)."""
    h = hashlib.sha256()
    for rid in ids:
        h.update(rid.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()


def index_bytes(net: Network) -> bytes:
    """The network's index arrays as .npz bytes (uncompressed: loading is a copy, not a decode)."""
    buf = io.BytesIO()
    np.savez(buf, format=np.array(FORMAT), ids_digest=np.array(ids_digest(net.ids)),
             **{name: getattr(net, name) for name in STORED_ARRAYS})
    return buf.getvalue()


def network_from_index(data: bytes, *, ids: list[str], names: list[str], kinds: list[str], coords: list,
                       level_path: list) -> Network | None:
    """A Network from stored index bytes and the reaches' own fields (in the same order), with no
    rebuild; None when the bytes are of another format or were built for other reach ids."""
    try:
        z = np.load(io.BytesIO(bytes(data)), allow_pickle=False)
        if int(z["format"]) != FORMAT or str(z["ids_digest"]) != ids_digest(ids):
            return None
        a = {name: z[name] for name in STORED_ARRAYS}
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return None
    if a["pre"].shape != (len(ids),):
        return None
    net = Network(ids=list(ids), names=list(names), kinds=list(kinds), coords=list(coords), level_path=list(level_path),
                  length_m=a["length_m"], velocity_m_s=a["velocity_m_s"], flow_m3_s=a["flow_m3_s"],
                  defaulted=a["defaulted"], main_down=a["main_down"], minor=a["minor"].reshape(-1, 2))
    net.pre, net.size, net.order, net.T_h, net.D_km = a["pre"], a["size"], a["order"], a["T_h"], a["D_km"]
    net.__dict__["by_D"] = a["by_D"]
    return net
