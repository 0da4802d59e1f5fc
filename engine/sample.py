"""A sample file's columns as the mapping assistant shows them."""

import dataclasses
from dataclasses import dataclass
from itertools import islice

from .mapping import plan_columns
from .readers import read_table


@dataclass
class SampleColumn:
    """One column of a sample: its header, the field it feeds ("" when ignored), how, values."""

    header: str
    field: str = ""
    how: str = "ignored"
    transform: str = "none"
    values: list = dataclasses.field(default_factory=list)


@dataclass
class FileSample:
    """Every column of a sample file, the layout recognised and what needs a look."""

    columns: list
    layout: object = None
    warnings: list = dataclasses.field(default_factory=list)


def sample_columns(data, filename, mapping=None, rows=3, **read_options):
    """Read the header and the first ``rows`` rows of ``data``; match its columns.

    ``mapping`` is the importer's current mapping (``None``: automatic
    matching).  Every column is returned, ignored ones too; a column map's
    problems (no key, two candidate keys) are warnings here, for a person
    to settle, not errors.  Raises :class:`~engine.errors.FileFormatError`
    for a file that cannot be read.
    """
    table = read_table(data, filename, **read_options)
    column_map = plan_columns(table.headers, mapping)
    first = [cells for _row, cells in islice(table.rows, rows)]
    used = {column.index: column for column in column_map.columns}
    columns = []
    for index, header in enumerate(table.headers):
        if not header:
            continue
        values = [cells[index].strip() for cells in first if index < len(cells)]
        column = used.get(index)
        if column is None:
            columns.append(SampleColumn(header, values=values))
        else:
            columns.append(SampleColumn(header, column.field, column.how, column.transform, values))
    return FileSample(columns, column_map.layout, column_map.problems + column_map.warnings)
