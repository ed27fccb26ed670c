"""The web page end to end in headless Chromium against a real server and the real model."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SURVEY = (
    "Mã phiếu,Nhu cầu công nghệ\n"
    "KS-01,xử lý nước thải ao nuôi tôm\n"
    "KS-02,tu dong hoa cang container\n"
    "KS-03,lò đốt rác sinh hoạt 500 kg/h\n"
)


def xlsx_rows(path: str | Path) -> list[tuple]:
    from openpyxl import load_workbook

    return list(load_workbook(path).active.iter_rows(values_only=True))


def test_business_search_details_and_feedback(page, artifacts: Path) -> None:
    page.screenshot(path=artifacts / "01-home.png", full_page=True)
    page.get_by_label("Mô tả nhu cầu công nghệ của doanh nghiệp").fill("xử lý nước thải ao nuôi tôm")
    page.get_by_role("button", name="Tìm công nghệ phù hợp").click()
    card = page.locator('.card[data-tech-id="VAST-084"]')
    card.wait_for()
    assert page.locator(".card").count() >= 3
    assert card.locator("mark").count() > 0  # matched words highlighted
    assert "Tìm thấy" in page.locator("#business-status").inner_text()
    page.screenshot(path=artifacts / "02-business-results.png", full_page=True)

    card.get_by_role("button", name="Hữu ích").click()
    card.get_by_text("Cảm ơn").wait_for()

    card.get_by_role("button", name="Xem chi tiết").click()
    dialog = page.locator("dialog#detail")
    dialog.get_by_text("VAST-084").wait_for()
    page.screenshot(path=artifacts / "03-details.png")
    page.keyboard.press("Escape")
    assert not dialog.is_visible()


def test_example_chip_and_unaccented_need(page) -> None:
    page.get_by_role("button", name="tu dong hoa cang container").click()
    page.locator('.card[data-tech-id="VAST-003"]').wait_for()
    assert "đã hiểu là" in page.locator("#business-status").inner_text()


def test_restricted_need_shows_a_warning(page, artifacts: Path) -> None:
    page.get_by_label("Mô tả nhu cầu công nghệ của doanh nghiệp").fill("lò nung gạch thủ công đốt than")
    page.get_by_role("button", name="Tìm công nghệ phù hợp").click()
    warning = page.locator("#business-warnings .warning")
    warning.first.wait_for()
    assert "hạn chế" in warning.first.inner_text()
    page.screenshot(path=artifacts / "04-restricted-warning.png", full_page=True)


def test_english_need_shows_translated_terms_and_a_warning(page, artifacts: Path) -> None:
    need = page.get_by_label("Mô tả nhu cầu công nghệ của doanh nghiệp")
    need.fill("Our commune wants a small household waste incinerator, about 150 kg/h")
    page.get_by_role("button", name="Tìm công nghệ phù hợp").click()
    page.locator("#business-warnings .warning").first.wait_for()
    status = page.locator("#business-status").inner_text()
    assert "thuật ngữ đã dịch" in status and "lò đốt" in status
    page.screenshot(path=artifacts / "04b-english-need.png", full_page=True)


def test_need_in_another_language_without_known_terms_says_so(page) -> None:
    page.get_by_label("Mô tả nhu cầu công nghệ của doanh nghiệp").fill("Guitar lessons for kids")
    page.get_by_role("button", name="Tìm công nghệ phù hợp").click()
    status = page.locator("#business-status")
    status.get_by_text("chỉ tìm theo ngữ nghĩa", exact=False).wait_for()
    assert "thuật ngữ đã dịch" not in status.inner_text()


def test_abbreviations_are_shown_as_read(page) -> None:
    page.get_by_label("Mô tả nhu cầu công nghệ của doanh nghiệp").fill("hệ thống XLNT ao nuôi tôm")
    page.get_by_role("button", name="Tìm công nghệ phù hợp").click()
    page.locator('.card[data-tech-id="VAST-084"]').wait_for()
    assert "viết tắt: XLNT → xử lý nước thải" in page.locator("#business-status").inner_text()


def test_spelling_corrections_are_shown(page) -> None:
    page.get_by_label("Mô tả nhu cầu công nghệ của doanh nghiệp").fill("hệ thống sử lý nước thải ao nuôi tôm")
    page.get_by_role("button", name="Tìm công nghệ phù hợp").click()
    page.locator('.card[data-tech-id="VAST-084"]').wait_for()
    assert "đã sửa chính tả: sử → xử" in page.locator("#business-status").inner_text()


def test_empty_need_is_refused_in_place(page) -> None:
    page.get_by_role("button", name="Tìm công nghệ phù hợp").click()
    assert "Hãy mô tả" in page.locator("#need-error").inner_text()


def test_officer_filter_sort_export_and_survey(page, artifacts: Path, tmp_path: Path) -> None:
    # keyboard only: focus the business tab, arrow to the officer tab
    page.get_by_role("tab", name="Doanh nghiệp").focus()
    page.keyboard.press("ArrowRight")
    assert page.get_by_role("tab", name="Cán bộ quản lý").get_attribute("aria-selected") == "true"
    page.locator("#f-field option", has_text="Môi trường").first.wait_for(state="attached")

    page.get_by_label("Nhu cầu cần tra cứu").fill("xử lý nước thải")
    page.get_by_label("Lĩnh vực").select_option("Môi trường")
    page.get_by_label("Số kết quả").fill("10")
    page.get_by_role("button", name="Tra cứu").click()
    rows = page.locator("#officer-table tbody tr")
    rows.first.wait_for()
    fields = [rows.nth(i).locator("td").nth(4).inner_text() for i in range(rows.count())]
    assert fields and set(fields) == {"Môi trường"}

    page.get_by_role("button", name="TRL").click()  # sortable
    assert page.locator("#officer-table th[aria-sort]").inner_text().startswith("TRL")
    page.screenshot(path=artifacts / "05-officer-table.png", full_page=True)

    with page.expect_download() as dl:
        page.get_by_role("button", name="Tải Excel (XLSX)").click()
    saved = tmp_path / "ket-qua.xlsx"
    dl.value.save_as(saved)
    table = xlsx_rows(saved)
    assert table[0][:5] == ("STT nhu cầu", "Nhu cầu", "Hệ thống đã hiểu là", "Trạng thái", "Hạng")
    field = table[0].index("Lĩnh vực")
    assert {r[field] for r in table[1:]} == {"Môi trường"}
    assert len(table) - 1 == len(fields)

    survey = tmp_path / "khao-sat.csv"
    survey.write_text(SURVEY, encoding="utf-8")
    page.get_by_label("Tệp khảo sát").set_input_files(survey)
    page.get_by_label("Số công nghệ mỗi nhu cầu").fill("3")
    page.get_by_role("button", name="Tải lên và so khớp").click()
    link = page.locator("#survey-download-xlsx")
    link.wait_for(timeout=120_000)
    assert page.locator("#survey-progress").get_attribute("value") == "100"
    page.screenshot(path=artifacts / "06-survey-done.png", full_page=True)
    with page.expect_download() as dl:
        link.click()
    result = tmp_path / "khao-sat-ket-qua.xlsx"
    dl.value.save_as(result)
    rows_out = xlsx_rows(result)
    assert len(rows_out) == 1 + 3 * 3
    tech_id = rows_out[0].index("Mã công nghệ")
    assert ("KS-01", "VAST-084") in {(r[1], r[tech_id]) for r in rows_out[1:]}


def test_phone_sized_screen(browser, server: str, artifacts: Path) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(server + "/")
    page.get_by_label("Mô tả nhu cầu công nghệ của doanh nghiệp").fill("lò đốt rác sinh hoạt 500 kg/h")
    page.get_by_role("button", name="Tìm công nghệ phù hợp").click()
    page.locator('.card[data-tech-id="VAST-118"]').wait_for()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    page.screenshot(path=artifacts / "07-phone.png")
    page.locator('.card[data-tech-id="VAST-118"]').scroll_into_view_if_needed()
    page.screenshot(path=artifacts / "08-phone-card.png")
    context.close()
    assert overflow <= 0, f"page is {overflow}px wider than the phone screen"


def test_every_form_field_has_a_label(page) -> None:
    unlabeled = page.evaluate(
        """() => [...document.querySelectorAll('input, select, textarea')]
             .filter((e) => !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))
             .map((e) => e.id || e.name)"""
    )
    assert unlabeled == []


def test_survey_progress_outlasts_a_lost_connection(page, tmp_path: Path) -> None:
    """Polls that fail (a restarting service, a network blip) are retried: the job is still saved."""
    dropped: list[str] = []

    def drop_two_status_polls(route) -> None:
        if len(dropped) < 2:
            dropped.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    page.route("**/v1/jobs/*", drop_two_status_polls)  # status polls only, not the downloads
    survey = tmp_path / "khao-sat.csv"
    survey.write_text(SURVEY, encoding="utf-8")
    page.get_by_role("tab", name="Cán bộ quản lý").click()
    page.get_by_label("Tệp khảo sát").set_input_files(survey)
    page.get_by_role("button", name="Tải lên và so khớp").click()
    page.locator("#survey-download-xlsx").wait_for(timeout=120_000)
    assert len(dropped) == 2
    assert page.locator("#survey-progress").get_attribute("value") == "100"
