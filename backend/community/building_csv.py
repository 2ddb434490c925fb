"""Reading a community's building list (CSV: label,address,latitude,longitude) into checked rows.

No database here: the import use case in services.py decides what to create or update.
Rows are numbered as a spreadsheet shows them, the header being row 1.
"""
import csv
import io
import math
from dataclasses import dataclass

from backend.common.i18n import pick

COLUMNS = ("label", "address", "latitude", "longitude")
LABEL_MAX, ADDRESS_MAX = 60, 200
MAX_LISTED_ROWS = 100  # rows with errors named one by one; the rest are counted


@dataclass
class BuildingRow:
    row: int
    label: str
    address: str | None
    lat: float | None
    lng: float | None


class CsvRejected(Exception):
    """The file cannot be imported; `errors` maps "row N" (or "csv") to messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("building CSV rejected")
        self.errors = errors


def _coordinate(raw: str, name_zh: str, name_en: str, limit: int) -> tuple[float | None, str | None]:
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        return None, pick({"zh-CN": "{zh}应为数字。", "en": "{en} must be a number."}, zh=name_zh, en=name_en)
    if not -limit <= value <= limit:
        return None, pick({"zh-CN": "{zh}应在 -{n} 到 {n} 之间。", "en": "{en} must be between -{n} and {n}."},
                          zh=name_zh, en=name_en, n=limit)
    return value, None


def _check_row(number: int, cells: list[str]) -> tuple[BuildingRow | None, list[str]]:
    if len(cells) != len(COLUMNS):
        return None, [pick({"zh-CN": "应有 4 列，这一行有 {n} 列。", "en": "Expected 4 columns, found {n}."},
                           n=len(cells))]
    label, address, raw_lat, raw_lng = (cell.strip() for cell in cells)
    problems = []
    if not label:
        problems.append(pick({"zh-CN": "楼栋名称不能为空。", "en": "The label is empty."}))
    elif len(label) > LABEL_MAX:
        problems.append(pick({"zh-CN": "楼栋名称最多 {n} 个字。", "en": "The label is longer than {n} characters."},
                             n=LABEL_MAX))
    if len(address) > ADDRESS_MAX:
        problems.append(pick({"zh-CN": "地址最多 {n} 个字。", "en": "The address is longer than {n} characters."},
                             n=ADDRESS_MAX))
    lat = lng = None
    if raw_lat or raw_lng:
        if not (raw_lat and raw_lng):
            problems.append(pick({"zh-CN": "纬度和经度要么都填，要么都不填。",
                                  "en": "Give both latitude and longitude, or neither."}))
        else:
            lat, lat_problem = _coordinate(raw_lat, "纬度", "Latitude", 90)
            lng, lng_problem = _coordinate(raw_lng, "经度", "Longitude", 180)
            problems.extend(problem for problem in (lat_problem, lng_problem) if problem)
    if problems:
        return None, problems
    return BuildingRow(row=number, label=label, address=address or None, lat=lat, lng=lng), []


def _check_header(cells: list[str]) -> list[str]:
    names = [cell.strip().lower() for cell in cells]
    if sorted(names) == sorted(COLUMNS):
        return names
    raise CsvRejected({"row 1": [pick({
        "zh-CN": "第一行应为表头：label,address,latitude,longitude。",
        "en": "The first row must be the header: label,address,latitude,longitude.",
    })]})


def parse_building_csv(text: str, max_rows: int) -> list[BuildingRow]:
    """Every data row checked; raises CsvRejected listing the bad rows if any row is bad."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), strict=True)
    rows: list[BuildingRow] = []
    errors: dict[str, list[str]] = {}
    first_row_of_label: dict[str, int] = {}
    unlisted = 0
    header = None
    try:
        for number, cells in enumerate(reader, start=1):
            if not any(cell.strip() for cell in cells):
                continue
            if header is None:
                header = _check_header(cells)
                continue
            if len(rows) + len(errors) + unlisted >= max_rows:
                raise CsvRejected({"csv": [pick({
                    "zh-CN": "一次最多导入 {n} 栋楼，请把文件分成几份。",
                    "en": "Import at most {n} buildings at once; please split the file.",
                }, n=max_rows)]})
            ordered = dict(zip(header, cells)) if len(cells) == len(COLUMNS) else None
            row, problems = _check_row(number, [ordered[name] for name in COLUMNS] if ordered else cells)
            if row is not None and row.label in first_row_of_label:
                problems = [pick({"zh-CN": "与第 {n} 行的楼栋名称重复。", "en": "Same label as row {n}."},
                                 n=first_row_of_label[row.label])]
            if problems:
                if len(errors) < MAX_LISTED_ROWS:
                    errors[f"row {number}"] = problems
                else:
                    unlisted += 1
                continue
            first_row_of_label[row.label] = number
            rows.append(row)
    except csv.Error:
        raise CsvRejected({"csv": [pick({"zh-CN": "文件不是有效的 CSV。", "en": "The file is not valid CSV."})]})
    if header is None or (not rows and not errors):
        raise CsvRejected({"csv": [pick({"zh-CN": "文件里没有楼栋。", "en": "The file lists no buildings."})]})
    if unlisted:
        errors["csv"] = [pick({"zh-CN": "另有 {n} 行有误，未逐一列出。", "en": "{n} more rows have errors."}, n=unlisted)]
    if errors:
        raise CsvRejected(errors)
    return rows
