import { test, expect } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";

// Automated accessibility checks (WCAG 2.1 A/AA rules in axe-core) on each page type.
for (const path of [
  "/",
  "/category/tea?sort=price_desc",
  "/?q=zzzz-nothing",
  "/no/such/page",
  "/dev/mail",
  "/cart",
  "/account/orders",
  "/login",
  "/password-reset",
  "/payment/cancel?order_id=1",
  "/payment/success?session_id=cs_test_unknown",
]) {
  test(`no WCAG A/AA violations on ${path}`, async ({ page }) => {
    await page.goto(path);
    await expect(page.locator("body[data-hydrated]")).toHaveCount(1);
    const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
    const summary = results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length}× e.g. ${v.nodes[0]?.target})`);
    expect(summary).toEqual([]);
  });
}

test("no WCAG A/AA violations on a product page", async ({ page }) => {
  await page.goto("/category/coffee");
  await page.getByRole("link", { name: "Kenya AA Nyeri" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Kenya AA Nyeri" })).toBeVisible();
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
});
