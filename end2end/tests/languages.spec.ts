import { test, expect, Page } from "@playwright/test";
import { fillFields, header, hydrated, noA11yViolations } from "./helpers";

/** Console errors (hydration mismatches and panics land there) collected for a page. */
function consoleErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`${m.text()} (${m.location().url})`);
  });
  page.on("pageerror", (e) => errors.push(e.message));
  return errors;
}

test("a shopper browses in Spanish, switches language on a product and back, and buys in Spanish", async ({ page }) => {
  const errors = consoleErrors(page);
  await page.goto("/es/");
  await hydrated(page);
  await expect(page.locator("html")).toHaveAttribute("lang", "es");
  await noA11yViolations(page);

  await page.getByRole("navigation", { name: "Categorías" }).getByRole("link", { name: "Café" }).click();
  await expect(page).toHaveURL(/\/es\/category\/cafe$/);
  await expect(page.getByRole("heading", { level: 1, name: "Café" })).toBeVisible();
  await page.getByRole("link", { name: "Kenia AA Nyeri" }).click();
  await expect(page).toHaveURL(/\/es\/product\/\d+\/kenia-aa-nyeri$/);
  const id = new URL(page.url()).pathname.split("/")[3];
  await hydrated(page);
  await noA11yViolations(page);

  // The switcher goes to the same product in English, and back.
  await header(page).getByRole("link", { name: "English" }).click();
  await expect(page).toHaveURL(new RegExp(`/product/${id}/kenya-aa-nyeri$`));
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await expect(page.getByRole("heading", { level: 1, name: "Kenya AA Nyeri" })).toBeVisible();
  await hydrated(page);
  await header(page).getByRole("link", { name: "Español" }).click();
  await expect(page).toHaveURL(new RegExp(`/es/product/${id}/kenia-aa-nyeri$`));
  await hydrated(page);

  await page.getByRole("button", { name: "Añadir al carrito" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Añadido a tu carrito." })).toBeVisible();
  const cart = header(page).getByRole("link", { name: /^Carrito/ });
  await expect(cart).toHaveText(/1 artículo, 21,50\u00a0US\$/);
  await cart.click();
  await expect(page).toHaveURL(/\/es\/cart$/);
  await expect(page.getByRole("button", { name: "Actualizar" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Eliminar" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Aplicar cupón" })).toBeVisible();
  await noA11yViolations(page);
  await page.getByRole("button", { name: "Finalizar compra" }).click();
  await expect(page).toHaveURL(/\/es\/checkout/);
  await hydrated(page);
  // The browser's own check of a field speaks Spanish too (the server's rule, translated).
  await page.getByLabel("Correo electrónico").fill("ana");
  await page.getByLabel("Correo electrónico").blur();
  await expect(page.getByText("Escribe una dirección de correo como nombre@ejemplo.com.")).toBeVisible();
  const email = `ana-${Date.now()}@example.com`;
  await fillFields(page, {
    Nombre: "Ana",
    Apellidos: "Martínez",
    "Correo electrónico": email,
    Dirección: "Calle Mayor 1",
    "Código postal": "28013",
    Ciudad: "Madrid",
  });
  await noA11yViolations(page);
  await page.getByRole("button", { name: "Realizar pedido" }).click();
  await expect(page).toHaveURL(/\/es\/orders\/\d+$/);
  const orderId = new URL(page.url()).pathname.split("/").pop();
  await hydrated(page);
  await expect(page.getByTestId("order-status")).toHaveText("Creado");
  await noA11yViolations(page);

  await page.getByRole("button", { name: "Pagar", exact: true }).click();
  await expect(page).toHaveURL(/\/_stripe\/pay\/cs_test_/);
  await page.getByLabel("Card number").fill("4242 4242 4242 4242");
  await page.getByRole("button", { name: /^Pay / }).click();
  await expect(page).toHaveURL(/\/es\/payment\/success\?session_id=cs_test_/);
  await expect(page.getByRole("heading", { level: 1, name: "Gracias: hemos recibido el pago" })).toBeVisible();
  await page.getByRole("link", { name: `Ver el pedido n.º ${orderId}` }).click();
  await expect(page.getByTestId("order-status")).toHaveText("Pagado");

  // The mails about it are in Spanish.
  await page.goto("/dev/mail");
  const mail = page.getByRole("link", { name: `Pago recibido del pedido n.º ${orderId}` });
  await expect(async () => {
    await page.reload();
    await expect(mail).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 15_000 });
  await expect(page.getByRole("link", { name: `Hemos recibido tu pedido n.º ${orderId}` })).toBeVisible();
  expect(errors).toEqual([]);
});

test("the header offers the other language on every shopper page, with hreflang alternates", async ({ page }) => {
  const errors = consoleErrors(page);
  for (const [path, other, target] of [
    ["/", "Español", "/es/"],
    ["/es/cart", "English", "/cart"],
    // A category's slug differs between languages: the switcher links the other one's.
    ["/category/tea?sort=price_asc", "Español", "/es/category/te?sort=price_asc"],
    ["/es/category/te", "English", "/category/tea"],
  ]) {
    await page.goto(path);
    await hydrated(page);
    await expect(header(page).getByRole("link", { name: other })).toHaveAttribute("href", target);
    await expect(page.locator('link[rel="alternate"][hreflang="x-default"]')).toHaveCount(1);
  }
  expect(errors).toEqual([]);
});
