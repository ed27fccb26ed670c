"""Vietnamese numbers and units, read and converted."""

from __future__ import annotations

import pytest

from matcher.text.quantities import find_quantities, parse_number


@pytest.mark.parametrize(
    ("text", "unit", "value", "written"),
    [
        ("lò đốt 250 kg/h", "kg/h", 250, "250 kg/h"),
        ("công suất 0,3 tấn/giờ", "kg/h", 300, "0,3 tấn/giờ"),
        ("4 nghìn tấn clinker mỗi ngày", "t/day", 4000, "4 nghìn tấn clinker mỗi ngày"),
        ("4.000 tấn clanhke/ngày", "t/day", 4000, "4.000 tấn clanhke/ngày"),
        ("120 tấn/mẻ", "t/heat", 120, "120 tấn/mẻ"),
        ("3 triệu m2/năm", "m2/year", 3_000_000, "3 triệu m2/năm"),
        ("5.000.000 m²/năm", "m2/year", 5_000_000, "5.000.000 m²/năm"),
        ("1,2 triệu m3/năm", "m3/year", 1_200_000, "1,2 triệu m3/năm"),
        ("800 tấn/năm", "t/year", 800, "800 tấn/năm"),
        ("0.5 kg/tấn", "kg/t", 0.5, "0.5 kg/tấn"),
        ("100 kWh/tấn sản phẩm", "kWh/t", 100, "100 kWh/tấn"),
        ("4,000 t/day", "t/day", 4000, "4,000 t/day"),
        ("3 ngàn tấn/ngày", "t/day", 3000, "3 ngàn tấn/ngày"),
        ("cong suat 0,25 tan/gio", "kg/h", 250, "0,25 tan/gio"),
        ("2 tấn/ngày", "kg/h", 2000 / 24, "2 tấn/ngày"),
        ("60 tấn/tháng", "t/year", 720, "60 tấn/tháng"),
        ("< 3 triệu  $m^2$ /năm", "m2/year", 3_000_000, "3 triệu $m^2$ /năm"),
    ],
)
def test_reads_and_converts(text, unit, value, written):
    (q,) = find_quantities(text)
    assert q.to(unit) == pytest.approx(value)
    assert q.text == written


def test_bare_mass_is_a_per_heat_capacity_only_when_asked():
    (q,) = find_quantities("lò điện hồ quang 150 tấn")
    assert q.unit == "t"
    assert q.to("t/heat") is None
    assert q.to("t/heat", bare_means_per=True) == 150


def test_different_dimensions_do_not_convert():
    (q,) = find_quantities("120 tấn/mẻ")
    assert q.to("kg/h") is None
    (q,) = find_quantities("3 triệu m2/năm")
    assert q.to("m3/year") is None


@pytest.mark.parametrize(
    ("raw", "english", "value"),
    [
        ("4.000", False, 4000),
        ("0,3", False, 0.3),
        ("5.000.000", False, 5e6),
        ("1,2", False, 1.2),
        ("4,000", True, 4000),
        ("4,000", False, 4.0),
        ("0.5", False, 0.5),
        ("1.234,5", False, 1234.5),
        ("1,234.5", True, 1234.5),
        ("0,300", True, 0.3),
    ],
)
def test_vietnamese_number_conventions(raw, english, value):
    assert parse_number(raw, english=english) == pytest.approx(value)


def test_plain_numbers_and_years_are_not_quantities():
    assert find_quantities("Giai đoạn 2026 - 2030, nhóm 5 doanh nghiệp, 20 triệu viên") == []


def test_several_quantities_in_order():
    qs = find_quantities("Dầu FO lớn hơn 160 kg/tấn sản phẩm; dầu DO lớn hơn 0,5 kg/tấn; điện 100 KWh/tấn")
    assert [(q.value, q.unit) for q in qs] == [(160, "kg/t"), (0.5, "kg/t"), (100, "kWh/t")]
