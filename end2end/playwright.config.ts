import { defineConfig, devices } from "@playwright/test";

// Browsers cannot be downloaded here: drive Debian's Chromium.
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const PORT = process.env.E2E_PORT ?? "3300";
const BASE_URL = `http://127.0.0.1:${PORT}`;
// The server binary built by `cargo leptos build` (debug unless E2E_PROFILE=release), or
// E2E_BIN (scripts/e2e-release: the self-contained release binary, alone in a directory).
const BIN = process.env.E2E_BIN ?? `../target/${process.env.E2E_PROFILE ?? "debug"}/fullstack-ws`;
// Where the server finds the site's files; a binary that carries them ignores it.
const SITE_ROOT = process.env.E2E_SITE_ROOT ?? "../target/site";
const DATA = process.env.E2E_DATA_DIR ?? ".tmp";
// The back office's account, made by `create-admin` before the server starts.
export const ADMIN_EMAIL = "admin@shop.test";
export const ADMIN_PASSWORD = "e2e admin password 2026";

export default defineConfig({
  testDir: "./tests",
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: 1,
  reporter: [["list"]],
  use: {
    baseURL: BASE_URL,
    trace: "retain-on-failure",
  },
  // A fresh SQLite database, seeded, then the real server.
  webServer: {
    command: `rm -rf ${DATA} && mkdir -p ${DATA} && ${BIN} seed && ${BIN} create-admin --email ${ADMIN_EMAIL} && exec ${BIN} serve`,
    url: `${BASE_URL}/readyz`,
    timeout: 60_000,
    reuseExistingServer: false,
    stdout: "ignore",
    stderr: "pipe",
    env: {
      DATABASE_URL: `sqlite://${DATA}/e2e.db?mode=rwc`,
      LEPTOS_SITE_ADDR: `127.0.0.1:${PORT}`,
      LEPTOS_SITE_ROOT: SITE_ROOT,
      // Development profile: the Stripe emulator and /dev/mail are the tests' payment
      // provider and mailbox (production refuses to start without real ones).
      LEPTOS_ENV: "DEV",
      MAIL_DIR: `${DATA}/mail`,
      MEDIA_DIR: `${DATA}/media`,
      ADMIN_PASSWORD,
      WORKERS: "1",
      RUST_LOG: "warn",
    },
  },
  projects: [
    {
      name: "chromium",
      use: {
        ...devices["Desktop Chrome"],
        launchOptions: {
          executablePath: CHROMIUM,
          args: [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
          ],
        },
      },
    },
  ],
});
