import { test, expect } from "@playwright/test";
import { cartLink, fillFields, hydrated, noA11yViolations, orderOneTea } from "./helpers";

test("a guest buys two products with WELCOME10 and gets an order page and a mail", async ({ page }) => {
  // Kenya AA Nyeri ($21.50) from its product page, with a quantity.
  await page.goto("/category/coffee");
  await hydrated(page);
  await page.getByRole("link", { name: "Kenya AA Nyeri" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Kenya AA Nyeri" })).toBeVisible();
  await page.getByLabel("Quantity").fill("1");
  await page.getByRole("button", { name: "Add to cart" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Added to your cart" })).toBeVisible();
  await expect(cartLink(page)).toHaveText("Cart (1 item, $21.50)");

  // Jasmine Pearls ($22.90) straight from the listing.
  await page.goto("/category/tea");
  await hydrated(page);
  const card = page.getByRole("listitem").filter({ has: page.getByRole("heading", { name: "Jasmine Pearls" }) });
  await card.getByRole("button", { name: "Add to cart" }).click();
  await expect(cartLink(page)).toHaveText("Cart (2 items, $44.40)");

  // In the cart: two Kenya, then the coupon.
  await cartLink(page).click();
  await expect(page).toHaveURL(/\/cart$/);
  await expect(page.getByRole("heading", { level: 1, name: "Your cart" })).toBeVisible();
  const kenya = page.getByRole("row").filter({ hasText: "Kenya AA Nyeri" });
  await kenya.getByLabel("Quantity").fill("2");
  await kenya.getByRole("button", { name: "Update" }).click();
  await expect(cartLink(page)).toHaveText("Cart (3 items, $65.90)");
  await page.getByLabel("Coupon code").fill("nosuchcode");
  await page.getByRole("button", { name: "Apply coupon" }).click();
  await expect(page.getByText("That is not a coupon code we know.")).toBeVisible();
  await page.getByLabel("Coupon code").fill("welcome10");
  await page.getByRole("button", { name: "Apply coupon" }).click();
  await expect(page.getByText("Coupon WELCOME10 applied: 10% off.")).toBeVisible();
  await expect(page.getByTestId("cart-total")).toHaveText("$59.31"); // 65.90 - 6.59
  await expect(cartLink(page)).toHaveText("Cart (3 items, $59.31)");
  await noA11yViolations(page);

  // Checkout: bad fields are flagged, then the order goes through.
  await page.getByRole("button", { name: "Checkout" }).click();
  await expect(page).toHaveURL(/\/checkout/);
  await expect(page.getByRole("heading", { level: 1, name: "Checkout" })).toBeVisible();
  await hydrated(page);
  await fillFields(page, {
    "First name": "Ada",
    "Last name": "Lovelace",
    Email: "not-an-email",
    Address: "12 St James's Square",
    "Postal code": "SW1Y 4JH",
  });
  await page.getByRole("button", { name: "Place order" }).click();
  await expect(page.getByText("Enter an email address like name@example.com.")).toBeVisible();
  await expect(page.getByText("Enter your city.")).toBeVisible();
  await expect(page.getByLabel("Email")).toHaveAttribute("aria-invalid", "true");
  await noA11yViolations(page);
  await page.getByLabel("Email").fill("ada@example.com");
  await page.getByLabel("City").fill("London");
  await page.getByRole("button", { name: "Place order" }).click();

  await expect(page).toHaveURL(/\/orders\/\d+$/);
  const orderId = page.url().split("/").pop();
  await expect(page.getByRole("heading", { level: 1, name: `Order #${orderId}` })).toBeVisible();
  await expect(page.getByTestId("order-status")).toHaveText("Created");
  await expect(page.getByTestId("order-total")).toHaveText("$59.31");
  await expect(cartLink(page)).toHaveText("Cart (0 items, $0.00)");
  await noA11yViolations(page);

  // The "order received" mail went out through the job queue.
  await page.goto("/dev/mail");
  const mail = page.getByRole("link", { name: `Order #${orderId} received` });
  await expect(async () => {
    await page.reload();
    await expect(mail).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 15_000 });
  await mail.click();
  await expect(page.getByText("$59.31").first()).toBeVisible();

  // The order is listed in this browser's orders, and can be cancelled while unpaid.
  await page.goto("/account/orders");
  await page.getByRole("link", { name: `Order #${orderId}` }).click();
  await hydrated(page);
  await page.getByRole("button", { name: "Cancel order" }).click();
  await expect(page.getByTestId("order-status")).toHaveText("Cancelled");
});

test("an empty cart says so and offers the catalog", async ({ page }) => {
  await page.goto("/cart");
  await expect(page.getByText("Your cart is empty.")).toBeVisible();
  await expect(page.getByRole("link", { name: "Browse the catalog" })).toBeVisible();
  await page.goto("/checkout");
  await expect(page.getByText("Your cart is empty, so there is nothing to check out.")).toBeVisible();
});

test("another browser cannot see the order", async ({ page, browser }) => {
  const id = await orderOneTea(page, "Sencha Asahi");
  const stranger = await browser.newContext();
  const other = await stranger.newPage();
  const res = await other.goto(`/orders/${id}`);
  expect(res?.status()).toBe(404);
  await expect(other.getByRole("heading", { name: "Page not found" })).toBeVisible();
  await stranger.close();
});

test("without JavaScript the forms still work: add to cart, checkout, place order, pay", async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto("/category/coffee");
  await page.getByRole("link", { name: "Kenya AA Nyeri" }).click();
  await page.getByLabel("Quantity").fill("2");
  await page.getByRole("button", { name: "Add to cart" }).click();
  await expect(cartLink(page)).toHaveText("Cart (2 items, $43.00)");
  await cartLink(page).click();
  await page.getByRole("button", { name: "Checkout" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Checkout" })).toBeVisible();
  await fillFields(page, {
    "First name": "Grace",
    "Last name": "Hopper",
    Email: "grace@example.com",
    Address: "1 Navy Way",
    "Postal code": "20001",
    City: "Arlington",
  });
  await page.getByRole("button", { name: "Place order" }).click();
  await expect(page).toHaveURL(/\/orders\/\d+$/);
  await expect(page.getByTestId("order-status")).toHaveText("Created");
  await expect(page.getByTestId("order-total")).toHaveText("$43.00");
  // Paying needs no script either: the form posts, the browser follows the 303s.
  await page.getByRole("button", { name: "Pay", exact: true }).click();
  await page.getByLabel("Card number").fill("4242 4242 4242 4242");
  await page.getByRole("button", { name: "Pay $43.00" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Thank you — payment received" })).toBeVisible();
  await page.getByRole("link", { name: /^View order #/ }).click();
  await expect(page.getByTestId("order-status")).toHaveText("Paid");
  await context.close();
});
