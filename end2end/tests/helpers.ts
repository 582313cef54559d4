import { expect, Locator, Page } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";

/** Waits until the WASM has hydrated the page (lib.rs sets the marker). */
export async function hydrated(page: Page) {
  await expect(page.locator("body[data-hydrated]")).toHaveCount(1);
}

/** Runs axe-core's WCAG 2.1 A/AA rules on the page, once the shop's pages have hydrated:
 * the WASM loads after the first paint, and a scan taken while a lazy page is still
 * hydrating can catch its head between two titles. Pages without the hydration script
 * (the Stripe emulator's) are scanned as they are. */
export async function noA11yViolations(page: Page) {
  if ((await page.locator('script[type="module"]').count()) > 0) await hydrated(page);
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.help} (e.g. ${v.nodes[0]?.target})`)).toEqual([]);
}

export const header = (page: Page) => page.getByRole("banner");
export const cartLink = (page: Page) => header(page).getByRole("link", { name: /^Cart/ });

/** Fills labelled fields (exact label text) inside `scope`. */
export async function fillFields(scope: Page | Locator, fields: Record<string, string>) {
  for (const [label, value] of Object.entries(fields)) {
    await scope.getByLabel(label, { exact: true }).fill(value);
  }
}

/** Adds one product from its category listing. */
export async function addFromListing(page: Page, category: string, name: string) {
  await page.goto(`/category/${category}`);
  await hydrated(page);
  const card = page.getByRole("listitem").filter({ has: page.getByRole("heading", { name }) });
  await card.getByRole("button", { name: "Add to cart" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Added to your cart" })).toBeVisible();
}

/** Puts one tea in the cart through the page, then places the order over REST with the same cookie. */
export async function orderOneTea(page: Page, name: string): Promise<number> {
  await addFromListing(page, "tea", name);
  await expect(cartLink(page)).toHaveText(/1 item/);
  const placed = await page.request.post("/api/v1/orders", {
    data: { first_name: "A", last_name: "B", email: "a@b.co", address: "1 Road", postal_code: "1000", city: "Town" },
  });
  expect(placed.status()).toBe(201);
  return (await placed.json()).id;
}
