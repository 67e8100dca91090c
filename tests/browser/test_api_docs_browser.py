"""The API documentation (/api/v1/docs) in a real browser: Swagger UI renders the service's
operations from files the service serves itself, under its Content-Security-Policy (a CSP
violation is a console error, which the `page` fixture fails on), with no request to any
other origin."""

from __future__ import annotations

from urllib.parse import urlsplit

from playwright.sync_api import Page, expect


def test_swagger_ui_renders_from_the_service_alone(stack, page: Page) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{stack.service.url}/api/v1/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("EPSS")
    tasks = page.locator("#operations-tag-tasks")
    expect(tasks).to_be_visible()
    expect(
        page.locator(".opblock-summary-path", has_text="/api/v1/tasks/{slug}").first
    ).to_be_visible()
    page.locator(".opblock-summary", has_text="/api/v1/tasks/{slug}").first.click()
    expect(page.locator(".opblock.is-open .parameters").first).to_be_visible()
    stack.screenshots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=stack.screenshots / "api-docs.png", full_page=False, caret="initial")
    origins = {urlsplit(url).netloc for url in requested if url.startswith("http")}
    assert origins == {urlsplit(stack.service.url).netloc}, requested
