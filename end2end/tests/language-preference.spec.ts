import { test, expect } from "@playwright/test";
import { header, hydrated } from "./helpers";

// A browser whose first language is Spanish.
test.use({ locale: "es-ES" });

test("a browser preferring Spanish is not redirected, but sees the switcher highlighted", async ({ page, request }) => {
  // The server never redirects by Accept-Language: crawlers and shared links see stable URLs.
  const home = await request.get("/", { headers: { "Accept-Language": "es-ES,es;q=0.9" }, maxRedirects: 0 });
  expect(home.status()).toBe(200);
  expect(await home.text()).toContain('<html lang="en"');

  await page.goto("/");
  await hydrated(page);
  await expect(page).toHaveURL(/\/$/);
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  const switcher = header(page).getByRole("link", { name: "Español" });
  await expect(switcher).toHaveClass(/\bsuggested\b/);

  // On the Spanish pages the offer is English, which this browser does not prefer.
  await switcher.click();
  await expect(page).toHaveURL(/\/es\/$/);
  await hydrated(page);
  await expect(header(page).getByRole("link", { name: "English" })).not.toHaveClass(/\bsuggested\b/);
});
