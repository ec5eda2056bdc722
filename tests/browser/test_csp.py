"""Issue 9.12: a nonce-based Content-Security-Policy that the pages live with.

The browser reports every blocked script, style or connection as a
``securitypolicyviolation`` event; the pages that use Trix (the submission
form), htmx (the similar-initiatives panel, the review queue) and the
dashboards must raise none, in both languages, and the header must never allow
inline scripts.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import PHONE, sign_in
from tests.factories import InitiativeFactory, UserFactory

pytestmark = pytest.mark.browser

COLLECT = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


def test_the_policy_allows_no_inline_script(client, db):
    policy = client.get("/theo-doi/")["Content-Security-Policy"]
    script = next(part for part in policy.split(";") if part.strip().startswith("script-src"))
    assert "'nonce-" in script and "unsafe-inline" not in script and "unsafe-eval" not in script
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy


@pytest.mark.parametrize("language", ["vi", "en"])
def test_pages_with_trix_and_htmx_raise_no_violation(journey_world, live_server, browser, language):
    world = journey_world
    base = live_server.url
    reviewer = world["reviewer"]
    InitiativeFactory(phase=world["phase"], unit=world["school"], title="Sổ tay điện tử bài tập về nhà")
    member = UserFactory(full_name="Nguyễn Thị Hoa", phone="+84912000777")
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="vi-VN")
    context.add_init_script(COLLECT)
    page = context.new_page()
    messages: list[str] = []
    page.on("console", lambda m: messages.append(m.text) if "Content Security Policy" in m.text else None)
    try:
        sign_in(page, base, member.email)
        if language == "en":
            page.goto(f"{base}/theo-doi/")
            with page.expect_navigation():
                page.locator("header button[name=language][value=en]").click()
        visited = []
        form = f"{base}/chuong-trinh/{world['programme'].slug}/gui-sang-kien/"
        page.goto(form)
        page.wait_for_selector("trix-toolbar")  # Trix is up: its default styles carry the nonce
        page.fill("#id_title", "Sổ tay điện tử bài tập")
        page.locator("#id_title").press("Tab")
        page.click("trix-editor")  # a dozen words: the form asks the similar-initiatives panel (htmx)
        page.keyboard.type("Giáo viên ghi bài tập về nhà của từng lớp vào sổ tay điện tử, phụ huynh xem trên điện thoại.")
        page.wait_for_selector("#similar-panel [data-testid=similar-none]")  # it answered and was swapped in
        visited.append((form, page.evaluate("window.__cspViolations")))
        page.goto(f"{base}/thong-ke/{world['programme'].slug}/{world['province'].code}/")
        visited.append((page.url, page.evaluate("window.__cspViolations")))
        context.clear_cookies()
        sign_in(page, base, reviewer.email)
        page.goto(f"{base}/can-bo/xet-duyet/{world['programme'].slug}/")
        page.wait_for_timeout(1000)
        visited.append((page.url, page.evaluate("window.__cspViolations")))
    finally:
        context.close()
    blocked = [f"{url}: {v}" for url, violations in visited for v in violations]
    assert not blocked and not messages, blocked + messages


def test_the_error_page_style_is_allowed_by_its_hash(settings):
    """templates/500.html renders without a request, so its <style> is allowed by hash: keep it in step."""
    import base64
    import hashlib
    import re
    from pathlib import Path

    html = (Path(settings.BASE_DIR) / "sangkien" / "templates" / "500.html").read_text(encoding="utf-8")
    style = re.search(r"<style>(.*?)</style>", html, re.S).group(1)
    digest = "'sha256-" + base64.b64encode(hashlib.sha256(style.encode()).digest()).decode() + "'"
    assert digest in settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["style-src"]
