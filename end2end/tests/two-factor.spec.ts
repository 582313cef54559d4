import { expect, test, Page } from "@playwright/test";
import { createHmac } from "node:crypto";
import { fillFields, hydrated, noA11yViolations } from "./helpers";
import { ADMIN_EMAIL, ADMIN_PASSWORD } from "../playwright.config";

/** RFC 4648 base32 → bytes. */
function base32(text: string): Buffer {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const c of text.replace(/=+$/, "").toUpperCase()) {
    value = ((value << 5) | alphabet.indexOf(c)) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** The RFC 6238 code an authenticator app shows (SHA-1, 6 digits, 30 s) at `time`. */
function totp(secret: string, time: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(time / 30)));
  const mac = createHmac("sha1", base32(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 15;
  return ((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).toString().padStart(6, "0");
}

async function logIn(page: Page) {
  await page.goto("/login?next=/account");
  await hydrated(page);
  await fillFields(page, { Email: ADMIN_EMAIL, Password: ADMIN_PASSWORD });
  await page.getByRole("button", { name: "Log in" }).click();
}

test("an admin turns on two-factor sign-in, logs in with a code, and turns it off", async ({ page }) => {
  await logIn(page);
  await expect(page.getByRole("heading", { level: 1, name: "Your account" })).toBeVisible();
  await hydrated(page);
  const section = page.getByRole("region", { name: "Two-factor sign-in" });
  await section.getByLabel("Current password", { exact: true }).fill(ADMIN_PASSWORD);
  await section.getByRole("button", { name: "Set up two-factor sign-in" }).click();
  const key = (await section.locator("code").first().textContent()) ?? "";
  expect(key).toMatch(/^[A-Z2-7]{32}$/);
  const now = Date.now() / 1000;
  await section.getByLabel("Code", { exact: true }).fill(totp(key, now));
  await section.getByRole("button", { name: "Turn on" }).click();
  await expect(section.getByRole("status")).toContainText("Two-factor sign-in is on");
  await expect(section.getByRole("listitem")).toHaveCount(10);

  // A new browser session: the password alone leads to the code step.
  await page.context().clearCookies();
  await logIn(page);
  await expect(page).toHaveURL(/\/login\/code\?next=%2Faccount$/);
  await expect(page.getByRole("heading", { level: 1, name: "Enter your code" })).toBeVisible();
  await noA11yViolations(page);
  await page.getByLabel("Code", { exact: true }).fill("000000");
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByText("That code is not right")).toBeVisible();
  // The code used to turn it on is spent: the next step's code logs in.
  await page.getByLabel("Code", { exact: true }).fill(totp(key, now + 30));
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Your account" })).toBeVisible();

  await hydrated(page);
  const again = page.getByRole("region", { name: "Two-factor sign-in" });
  await again.getByLabel("Current password", { exact: true }).fill(ADMIN_PASSWORD);
  await again.getByRole("button", { name: "Turn off two-factor sign-in" }).click();
  await expect(again.getByRole("status")).toHaveText("Two-factor sign-in is off.");
});
