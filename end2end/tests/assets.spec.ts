import { expect, test } from "@playwright/test";

// A binary that carries its site files (scripts/release) links them under
// /pkg/<version>/: a year of immutable caching, brotli when the browser takes it.
// A binary serving files from disk (cargo leptos build/watch) links plain /pkg/ paths.
test("the binary's own files are versioned, immutable and compressed", async ({ request }) => {
  const html = await (await request.get("/")).text();
  const href = html.match(/<link rel="stylesheet" id="leptos" href="([^"]+)"/)?.[1] ?? "";
  if (!/^\/pkg\/[0-9a-f]{12}\//.test(href)) {
    // Files from disk (cargo leptos build/watch): plain paths, revalidated as they change.
    expect(href).toBe("/pkg/fullstack-ws.css");
    expect((await request.get(href)).status()).toBe(200);
    return;
  }
  for (const file of ["fullstack-ws.css", "fullstack-ws.js", "fullstack-ws.wasm"]) {
    const res = await request.get(href.replace("fullstack-ws.css", file), { headers: { "Accept-Encoding": "br, gzip" } });
    expect(res.status(), file).toBe(200);
    expect(res.headers()["cache-control"], file).toBe("public, max-age=31536000, immutable");
    // The site files are precompressed (scripts/release, and the WASM build in scripts/test).
    if (process.env.E2E_EXPECT_PRECOMPRESSED) {
      expect(res.headers()["vary"], file).toBe("accept-encoding");
      expect(res.headers()["content-encoding"], file).toBe("br");
    }
  }
  const plain = await request.get("/pkg/fullstack-ws.css");
  expect(plain.headers()["cache-control"]).toBe("public, no-cache");
  const etag = plain.headers()["etag"];
  const again = await request.get("/pkg/fullstack-ws.css", { headers: { "If-None-Match": etag } });
  expect(again.status()).toBe(304);
});
