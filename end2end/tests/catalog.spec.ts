import { test, expect, Page } from "@playwright/test";

const products = (page: Page) => page.getByRole("list", { name: "Products" }).getByRole("listitem");

async function hydrated(page: Page) {
  await expect(page.locator("body[data-hydrated]")).toHaveCount(1);
}

test("home page lists the newest products", async ({ page }) => {
  await page.goto("/");
  await expect(page).toHaveTitle("All products · Ember & Leaf");
  await expect(page.getByRole("heading", { level: 1, name: "All products" })).toBeVisible();
  await expect(products(page)).toHaveCount(12);
  await expect(page.getByText("48 products")).toBeVisible();
  await expect(page.getByRole("link", { name: "Tea Sampler Box" })).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Categories" })).toBeVisible();
});

test("category filter shows only that category", async ({ page }) => {
  await page.goto("/");
  await page.getByRole("navigation", { name: "Categories" }).getByRole("link", { name: "Tea", exact: true }).click();
  await expect(page).toHaveURL(/\/category\/tea$/);
  await expect(page.getByRole("heading", { level: 1, name: "Tea" })).toBeVisible();
  await expect(products(page)).toHaveCount(8);
  await expect(page.getByRole("link", { name: "Jasmine Pearls" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Gooseneck Kettle" })).toHaveCount(0);
});

test("search finds products by name", async ({ page }) => {
  await page.goto("/");
  // Typed before hydration, the text would be reset to the URL's query.
  await hydrated(page);
  await page.getByLabel("Search").fill("kettle");
  await page.getByLabel("Search").press("Enter");
  await expect(page).toHaveURL(/q=kettle/);
  await expect(page.getByRole("heading", { level: 1, name: /Results for .kettle./ })).toBeVisible();
  await expect(products(page)).toHaveCount(1);
  await expect(page.getByRole("link", { name: "Gooseneck Kettle" })).toBeVisible();
});

test("search suggests products as you type, chosen with the keyboard", async ({ page }) => {
  await page.goto("/");
  await hydrated(page);
  const field = page.getByRole("combobox", { name: "Search" });
  await field.pressSequentially("goosen");
  const list = page.getByRole("listbox", { name: "Suggestions" });
  const kettle = list.getByRole("option", { name: /Gooseneck Kettle/ });
  await expect(kettle).toBeVisible();
  await expect(field).toHaveAttribute("aria-expanded", "true");
  await field.press("ArrowDown");
  await expect(kettle).toHaveAttribute("aria-selected", "true");
  await expect(field).toHaveAttribute("aria-activedescendant", await kettle.getAttribute("id") ?? "");
  await field.press("Enter");
  await expect(page).toHaveURL(/\/product\/\d+\/gooseneck-kettle$/);
  await expect(page.getByRole("heading", { level: 1, name: "Gooseneck Kettle" })).toBeVisible();
});

test("Escape closes the suggestions, and Enter then searches", async ({ page }) => {
  await page.goto("/");
  await hydrated(page);
  const field = page.getByRole("combobox", { name: "Search" });
  await field.pressSequentially("matcha");
  await expect(page.getByRole("listbox", { name: "Suggestions" }).getByRole("option").first()).toBeVisible();
  await field.press("Escape");
  await expect(field).toHaveAttribute("aria-expanded", "false");
  await expect(page.getByRole("listbox", { name: "Suggestions" })).toBeHidden();
  await field.press("Enter");
  await expect(page).toHaveURL(/q=matcha/);
  await expect(page.getByRole("heading", { level: 1, name: /Results for .matcha./ })).toBeVisible();
});

test("filters narrow a search, and a typo still finds the product", async ({ page }) => {
  await page.goto("/?q=tea");
  await hydrated(page);
  await page.getByLabel("Price up to").fill("10");
  await page.getByLabel("In stock only").check();
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(/max_price=10/);
  await expect(page).toHaveURL(/in_stock=true/);
  await expect(page.getByLabel("Price up to")).toHaveValue("10");
  const prices = await products(page).locator(".price").allTextContents();
  expect(prices.length).toBeGreaterThan(0);
  for (const price of prices) expect(Number(price.replace(/[^0-9.]/g, ""))).toBeLessThanOrEqual(10);

  await page.goto("/?q=cofee");
  await expect(page.getByText(/No exact matches for .cofee./)).toBeVisible();
  await expect(page.getByRole("link", { name: "Coffee Lover's Gift Box" })).toBeVisible();
});

test("search with no match shows a helpful empty state", async ({ page }) => {
  await page.goto("/?q=zzzz-nothing");
  await expect(page.getByText("No products")).toBeVisible();
  await expect(page.getByRole("link", { name: "Show all products" })).toBeVisible();
});

test("product page shows details and the cart controls", async ({ page }) => {
  await page.goto("/category/brewing-gear");
  await page.getByRole("link", { name: "Burr Hand Grinder" }).click();
  await expect(page).toHaveURL(/\/product\/\d+\/burr-hand-grinder$/);
  await expect(page.getByRole("heading", { level: 1, name: "Burr Hand Grinder" })).toBeVisible();
  await expect(page).toHaveTitle("Burr Hand Grinder · Ember & Leaf");
  await expect(page.getByText("$89.00")).toBeVisible();
  await expect(page.getByLabel("Quantity")).toHaveValue("1");
  await expect(page.getByRole("button", { name: "Add to cart" })).toBeVisible();
  await expect(page.getByRole("main").getByRole("link", { name: "Brewing Gear" }).first()).toBeVisible();
});

test("a wrong slug redirects to the canonical product URL", async ({ page, request }) => {
  const api = await request.get("/api/v1/products?q=matcha%20chawan");
  const id = (await api.json()).items[0].id;
  await page.goto(`/product/${id}/old-name`);
  await expect(page).toHaveURL(new RegExp(`/product/${id}/matcha-chawan$`));
  await expect(page.getByRole("heading", { level: 1, name: "Matcha Chawan" })).toBeVisible();
});

test("hydrated pages sort and paginate without a full reload", async ({ page }) => {
  await page.goto("/");
  await hydrated(page);
  // A full page load would wipe this marker; client-side navigation keeps it.
  await page.evaluate(() => ((window as any).__sameDocument = true));

  // Choosing a sort applies it at once (no submit button press): only the WASM does this.
  await page.getByLabel("Sort by").selectOption("price_asc");
  await expect(page).toHaveURL(/sort=price_asc/);
  await expect(products(page).first()).toContainText("Honey Sticks, 20");
  await expect(products(page).first()).toContainText("$5.50");

  await page.getByRole("navigation", { name: "Pagination" }).getByRole("link", { name: "Next" }).click();
  await expect(page).toHaveURL(/page=2/);
  await expect(page.getByRole("link", { name: "Page 1" })).toBeVisible();
  expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);
});

test("unknown pages get a 404 page", async ({ page }) => {
  const response = await page.goto("/no/such/page");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1, name: "Page not found" })).toBeVisible();
  await page.getByRole("link", { name: "Back to the shop" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "All products" })).toBeVisible();
});

test("a product page carries structured data that parses, and stays so after hydration", async ({ page }) => {
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  await page.goto("/");
  await products(page).first().getByRole("link").first().click();
  await hydrated(page);
  // A link followed in the app renders the product page after `hydrated` (set by the
  // page before) already holds: wait for the product's data to be there.
  const structured = () =>
    page
      .locator('script[type="application/ld+json"]')
      .evaluateAll((scripts) => scripts.map((s) => JSON.parse(s.textContent ?? "")));
  await expect.poll(async () => (await structured()).some((d) => d["@type"] === "Product")).toBe(true);
  const data = await structured();
  const product = data.find((d) => d["@type"] === "Product");
  expect(product?.offers?.priceCurrency).toBe("USD");
  expect(product?.offers?.url).toBe(page.url());
  expect(data.some((d) => d["@type"] === "BreadcrumbList")).toBe(true);
  expect(await page.locator('meta[property="og:url"]').getAttribute("content")).toBe(page.url());
  expect(errors).toEqual([]);
});
