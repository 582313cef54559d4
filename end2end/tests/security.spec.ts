import { expect, test } from "@playwright/test";
import { addFromListing, cartLink, hydrated } from "./helpers";

// Every page carries a Content-Security-Policy: personal pages a per-answer nonce, the
// catalog pages shared by everyone (and cached) the hashes of their inline scripts. The
// hydrated shop must run under both without a single violation (a blocked script would
// leave pages dead).
test("hydrated pages run under the CSP without violations", async ({ page }) => {
  const violations: string[] = [];
  page.on("console", (msg) => {
    if (/Content Security Policy|Refused to/i.test(msg.text())) violations.push(msg.text());
  });
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      console.error(`Refused to load: CSP ${e.violatedDirective} blocked ${e.blockedURI}`);
    });
  });
  for (const path of ["/", "/category/tea", "/cart", "/login", "/register", "/dev/mail"]) {
    const response = await page.goto(path);
    const csp = response?.headers()["content-security-policy"] ?? "";
    const shared = path === "/" || path.startsWith("/category/");
    expect(csp, path).toMatch(
      shared
        ? /script-src 'self'( 'sha256-[A-Za-z0-9+/=]{44}')+ 'wasm-unsafe-eval'/
        : /script-src 'self' 'nonce-[A-Za-z0-9_-]{16,}' 'wasm-unsafe-eval'/,
    );
    expect(csp, path).toContain("frame-ancestors 'none'");
    await hydrated(page);
  }
  // Hydrated, it works: adding to the cart updates the header without a reload.
  await addFromListing(page, "tea", "Sencha Asahi");
  await expect(cartLink(page)).toHaveText(/1 item/);
  expect(violations).toEqual([]);
});

test("each personal page gets its own nonce; a shared page is the same bytes for everyone", async ({ request }) => {
  const nonce = async () =>
    ((await request.get("/cart")).headers()["content-security-policy"] ?? "").match(/'nonce-([^']+)'/)?.[1];
  const [a, b] = [await nonce(), await nonce()];
  expect(a).toBeTruthy();
  expect(a).not.toEqual(b);
  const [first, second] = [await request.get("/category/tea"), await request.get("/category/tea")];
  expect(first.headers()["etag"]).toBeTruthy();
  expect(second.headers()["etag"]).toEqual(first.headers()["etag"]);
  expect(await second.text()).toEqual(await first.text());
  expect(await first.text()).not.toContain("nonce=");
});
