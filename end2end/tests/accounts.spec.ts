import { test, expect, Page } from "@playwright/test";
import { cartLink, fillFields, header, hydrated, noA11yViolations } from "./helpers";

/** Opens the newest mail with this subject in the dev mailbox and returns its text. */
async function mailText(page: Page, subject: string): Promise<string> {
  await page.goto("/dev/mail");
  const link = page.getByRole("link", { name: subject }).first();
  await expect(async () => {
    await page.reload();
    await expect(link).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 15_000 });
  await link.click();
  return (await page.locator("pre.mail-text").textContent()) ?? "";
}

async function logIn(page: Page, email: string, password: string) {
  await page.goto("/login");
  await hydrated(page);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
}

test("register, log out, log in, edit the profile, reset the password by mail, log in again", async ({ page }) => {
  const email = `ada-${Date.now()}@example.com`;
  await page.goto("/register");
  await hydrated(page);
  await noA11yViolations(page);
  // The browser checks each field as the shopper leaves it, before any submit.
  await page.getByLabel("Email").fill("not an address");
  await page.getByLabel("Email").blur();
  await expect(page.getByText("Enter an email address like name@example.com.")).toBeVisible();
  await page.getByLabel("Password", { exact: true }).fill("short");
  await page.getByLabel("Password", { exact: true }).blur();
  await expect(page.getByText("Use at least 8 characters.")).toBeVisible();
  // The server adds its own: a common password; and a mismatch.
  await page.getByLabel("Name").fill("Ada Lovelace");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill("password1");
  await page.getByLabel("Confirm password").fill("password2");
  await page.getByRole("button", { name: "Register" }).click();
  await expect(page.getByText("This password is one of the most common; choose another.")).toBeVisible();
  await expect(page.getByText("The passwords do not match.")).toBeVisible();
  await page.getByLabel("Password", { exact: true }).fill("analytical engine 1843");
  await page.getByLabel("Confirm password").fill("analytical engine 1843");
  await page.getByRole("button", { name: "Register" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Welcome!" })).toBeVisible();
  await expect(header(page).getByRole("link", { name: "Ada Lovelace" })).toBeVisible();
  expect(await mailText(page, "Welcome to Ember & Leaf")).toContain("Your account is ready");

  // Log out, then log in; the shopper comes back to where they were (next).
  await header(page).getByRole("button", { name: "Log out" }).click();
  await expect(header(page).getByRole("link", { name: "Log in" })).toBeVisible();
  await page.goto("/account");
  await expect(page).toHaveURL(/\/login\?next=\/account$/);
  await hydrated(page);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("wrong password");
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByRole("alert")).toHaveText("The email or password is incorrect.");
  await page.getByLabel("Password").fill("analytical engine 1843");
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByRole("heading", { level: 1, name: "Your account" })).toBeVisible();
  await noA11yViolations(page);

  // Edit the profile: name and default address.
  const profile = page.getByRole("region", { name: "Profile" });
  await fillFields(profile, {
    Name: "Ada King",
    "First name": "Ada",
    "Last name": "King",
    Address: "12 St James's Square",
    "Postal code": "sw1y 4jh",
    City: "London",
  });
  await profile.getByRole("button", { name: "Save" }).click();
  await expect(profile.getByRole("status")).toHaveText("Profile saved.");
  await expect(header(page).getByRole("link", { name: "Ada King" })).toBeVisible();
  await page.reload();
  await expect(page.getByRole("region", { name: "Profile" }).getByLabel("Postal code")).toHaveValue("SW1Y 4JH");

  // Log out and reset the password through the mailed link.
  await header(page).getByRole("button", { name: "Log out" }).click();
  await expect(header(page).getByRole("link", { name: "Log in" })).toBeVisible();
  await page.goto("/password-reset");
  await hydrated(page);
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Send reset link" }).click();
  await expect(page.getByRole("status").filter({ hasText: "If an account uses that address" })).toBeVisible();
  const text = await mailText(page, "Reset your password");
  const link = text.match(/\/password-reset\/[0-9a-f]{64}/)?.[0];
  expect(link).toBeTruthy();
  await page.goto(link!);
  await hydrated(page);
  await page.getByLabel("New password", { exact: true }).fill("difference engine 1822");
  await page.getByLabel("Confirm password").fill("difference engine 1822");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Your password has been changed." })).toHaveText(
    "Your password has been changed. Log in with the new one.",
  );

  // The old password no longer works; the new one does.
  await logIn(page, email, "analytical engine 1843");
  await expect(page.getByRole("alert")).toHaveText("The email or password is incorrect.");
  await page.getByLabel("Password").fill("difference engine 1822");
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(header(page).getByRole("link", { name: "Ada King" })).toBeVisible();
});

test("a logged-in shopper checks out with the saved address and sees the order in the account", async ({ page }) => {
  const email = `grace-${Date.now()}@example.com`;
  const res = await page.request.post("/api/v1/auth/register", {
    data: { email, password: "compiler pioneer 1952", name: "Grace Hopper" },
  });
  expect(res.status()).toBe(200);
  await page.request.patch("/api/v1/me", {
    data: { address: { first_name: "Grace", last_name: "Hopper", address: "1 Navy Way", postal_code: "20001", city: "Arlington" } },
  });
  // A guest cart from before logging in comes along too.
  await page.request.post("/api/v1/auth/logout");
  await page.goto("/category/tea");
  await hydrated(page);
  const card = page.getByRole("listitem").filter({ has: page.getByRole("heading", { name: "Sencha Asahi" }) });
  await card.getByRole("button", { name: "Add to cart" }).click();
  await expect(cartLink(page)).toHaveText("Cart (1 item, $12.90)");
  await logIn(page, email, "compiler pioneer 1952");
  await expect(header(page).getByRole("link", { name: "Grace Hopper" })).toBeVisible();
  await expect(cartLink(page)).toHaveText("Cart (1 item, $12.90)");

  await cartLink(page).click();
  await page.getByRole("button", { name: "Checkout" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Checkout" })).toBeVisible();
  await expect(page.getByLabel("Email")).toHaveValue(email);
  await expect(page.getByLabel("City")).toHaveValue("Arlington");
  await hydrated(page);
  await page.getByRole("button", { name: "Place order" }).click();
  await expect(page).toHaveURL(/\/orders\/\d+$/);
  const orderId = page.url().split("/").pop();
  await expect(page.getByTestId("order-status")).toHaveText("Created");
  await expect(page.getByTestId("order-total")).toHaveText("$12.90");
  await page.goto("/account/orders");
  await expect(page.getByRole("link", { name: `Order #${orderId}` })).toBeVisible();
});

test("the back office sends visitors to log in and refuses customers", async ({ page }) => {
  await page.goto("/admin");
  await expect(page).toHaveURL(/\/login\?next=\/admin$/);
  const email = `cust-${Date.now()}@example.com`;
  await page.request.post("/api/v1/auth/register", { data: { email, password: "just a customer 1", name: "Cust" } });
  const res = await page.goto("/admin");
  expect(res?.status()).toBe(403);
  await expect(page.getByText("This area is for shop staff.")).toBeVisible();
});
