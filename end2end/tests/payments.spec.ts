import { test, expect, Page } from "@playwright/test";
import { addFromListing, cartLink, fillFields, hydrated, noA11yViolations, orderOneTea } from "./helpers";

async function payOnEmulator(page: Page, card: string) {
  await expect(page).toHaveURL(/\/_stripe\/pay\/cs_test_/);
  await page.getByLabel("Card number").fill(card);
  await page.getByRole("button", { name: /^Pay \$/ }).click();
}

test("the seed's pipeline: an account buys two products with WELCOME10, pays by card, sees Paid and gets the invoice", async ({ page }) => {
  const email = `payer-${Date.now()}@example.com`;
  const registered = await page.request.post("/api/v1/auth/register", {
    data: { email, password: "correct horse battery staple", name: "Ada Payer" },
  });
  expect(registered.status()).toBe(200);

  await addFromListing(page, "coffee", "Kenya AA Nyeri"); // $21.50
  await addFromListing(page, "tea", "Jasmine Pearls"); // $22.90
  await cartLink(page).click();
  await page.getByLabel("Coupon code").fill("WELCOME10");
  await page.getByRole("button", { name: "Apply coupon" }).click();
  await expect(page.getByTestId("cart-total")).toHaveText("$39.96"); // 44.40 - 4.44
  await page.getByRole("button", { name: "Checkout" }).click();
  await hydrated(page);
  await fillFields(page, {
    "First name": "Ada",
    "Last name": "Payer",
    Email: email,
    Address: "12 St James's Square",
    "Postal code": "SW1Y 4JH",
    City: "London",
  });
  await page.getByRole("button", { name: "Place order" }).click();
  await expect(page).toHaveURL(/\/orders\/\d+$/);
  const orderId = page.url().split("/").pop();
  await hydrated(page);
  await expect(page.getByTestId("order-status")).toHaveText("Created");

  await page.getByRole("button", { name: "Pay", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Pay $39.96" })).toBeVisible();
  await expect(page.getByRole("row").filter({ hasText: "WELCOME10" })).toContainText("-$4.44");
  await noA11yViolations(page);
  await payOnEmulator(page, "4242 4242 4242 4242");

  await expect(page).toHaveURL(/\/payment\/success\?session_id=cs_test_/);
  await expect(page.getByRole("heading", { level: 1, name: "Thank you — payment received" })).toBeVisible();
  await noA11yViolations(page);
  await page.getByRole("link", { name: `View order #${orderId}` }).click();
  await expect(page.getByTestId("order-status")).toHaveText("Paid");
  await expect(page.getByRole("button", { name: "Pay", exact: true })).toHaveCount(0);
  const invoice = await page.request.get(`/api/v1/orders/${orderId}/invoice.pdf`);
  expect(invoice.headers()["content-type"]).toBe("application/pdf");
  await expect(page.getByRole("link", { name: "Download invoice (PDF)" })).toBeVisible();

  await page.goto("/account/orders");
  await expect(page.getByRole("row").filter({ hasText: `Order #${orderId}` })).toContainText("Paid");

  // Bought together, suggested together: the first product's page offers the second.
  await page.goto("/category/coffee");
  await page.getByRole("link", { name: "Kenya AA Nyeri" }).first().click();
  await hydrated(page);
  const alsoBought = page.getByRole("region", { name: "Customers also bought" });
  await expect(alsoBought.getByRole("heading", { name: "Jasmine Pearls" })).toBeVisible();
  await expect(alsoBought.getByRole("heading", { name: "Kenya AA Nyeri" })).toHaveCount(0);
  await noA11yViolations(page);

  // "Payment received" with the PDF invoice, through the job queue.
  await page.goto("/dev/mail");
  const mail = page.getByRole("link", { name: `Payment received for order #${orderId}` });
  await expect(async () => {
    await page.reload();
    await expect(mail).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 15_000 });
  await mail.click();
  await expect(page.getByText(`invoice-${orderId}.pdf`)).toBeVisible();
});

test("a declined card leaves the order Created with Pay offered again", async ({ page }) => {
  const id = await orderOneTea(page, "Sencha Asahi");
  await page.goto(`/orders/${id}`);
  await hydrated(page);
  await page.getByRole("button", { name: "Pay", exact: true }).click();
  await payOnEmulator(page, "4000 0000 0000 0002");
  await expect(page.getByRole("alert")).toHaveText("Your card was declined. Try another card.");
  await page.getByRole("link", { name: "Cancel and return to the shop" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Payment cancelled" })).toBeVisible();
  await page.getByRole("link", { name: `Back to order #${id}` }).click();
  await expect(page.getByTestId("order-status")).toHaveText("Created");
  await expect(page.getByRole("button", { name: "Pay", exact: true })).toBeVisible();
  // The shopper is mailed a retry link.
  await page.goto("/dev/mail");
  const mail = page.getByRole("link", { name: `Payment for order #${id} did not go through` });
  await expect(async () => {
    await page.reload();
    await expect(mail).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 15_000 });
});

test("a guest's order page turns Paid by itself when the payment lands in another tab", async ({ page, context }) => {
  const id = await orderOneTea(page, "Jasmine Pearls");
  await page.goto(`/orders/${id}`);
  await hydrated(page);
  await expect(page.getByTestId("order-status")).toHaveText("Created");
  await page.evaluate(() => ((window as any).__samePage = true));

  const started = await page.request.post(`/api/v1/orders/${id}/checkout`);
  expect(started.status()).toBe(200);
  const { checkout_url } = await started.json();
  const other = await context.newPage();
  await other.goto(checkout_url);
  await payOnEmulator(other, "4242424242424242");
  await expect(other.getByRole("heading", { level: 1, name: "Thank you — payment received" })).toBeVisible();

  await expect(page.getByTestId("order-status")).toHaveText("Paid");
  expect(await page.evaluate(() => (window as any).__samePage)).toBe(true);
  await expect(page.getByRole("button", { name: "Cancel order" })).toHaveCount(0);
});
