"""slant for Python: the ``slant`` command (installed with this package) and a reader for
its runs.

    >>> import slant
    >>> tables = slant.read_run("runs/demo")
    >>> tables["mentions"].groupby("outlet")["score"].mean()

``read_run`` returns each table of a ``slant score`` output folder as a pandas DataFrame,
typed as run.json says (text as strings, counts as nullable integers, numbers as nullable
floats, flags as booleans), after checking every file against the rows and sha256 that
run.json records. The column kinds come from run.json, so this reader holds no copy of the
tables' shape.
"""

import hashlib
import io
import json
from pathlib import Path

__all__ = ["read_run", "RunMismatch"]

# The pandas dtype of each column kind run.json names.
_DTYPES = {"text": "string", "count": "Int64", "number": "Float64", "flag": "boolean"}


class RunMismatch(ValueError):
    """A table is not the file run.json records (another run's, or changed since)."""


def read_run(path, tables=None, verify=True):
    """The tables of the run in ``path`` as ``{name: DataFrame}`` (``"mentions"``,
    ``"articles"``, ...), typed by run.json's column kinds.

    ``tables`` limits the names read; ``verify=False`` skips the checksum check (it reads
    every byte once more)."""
    import pandas as pd

    path = Path(path)
    run_json = path / "run.json"
    if not run_json.is_file():
        raise FileNotFoundError(f"{run_json}: no run.json (is this a `slant score` output folder?)")
    run = json.loads(run_json.read_text(encoding="utf-8"))
    columns = run.get("columns")
    if not columns:
        raise ValueError(f"{run_json}: records no column kinds (a run from an older slant: score it again)")
    out = {}
    for record in run.get("tables", []):
        file = record["file"]
        name = file.removesuffix(".csv")
        if not file.endswith(".csv") or file not in columns or (tables and name not in tables):
            continue
        data = (path / file).read_bytes()
        if verify:
            digest = hashlib.sha256(data).hexdigest()
            if digest != record["sha256"]:
                raise RunMismatch(f"{path / file}: sha256 {digest}, run.json records {record['sha256']}")
        kinds = {c["name"]: c["kind"] for c in columns[file]}
        frame = pd.read_csv(
            io.BytesIO(data),
            dtype={n: _DTYPES[k] for n, k in kinds.items() if k != "flag"},
            keep_default_na=False,
            na_values={n: [""] for n, k in kinds.items() if k in ("count", "number")},
            true_values=["true"],
            false_values=["false"],
        )
        for n, k in kinds.items():
            if k == "flag":
                frame[n] = frame[n].astype("boolean")
        if verify and len(frame) != record["rows"]:
            raise RunMismatch(f"{path / file}: {len(frame)} rows, run.json records {record['rows']}")
        if list(frame.columns) != list(kinds):
            raise RunMismatch(f"{path / file}: columns {list(frame.columns)}, run.json records {list(kinds)}")
        out[name] = frame
    return out
