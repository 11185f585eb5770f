import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { httpRequest as imdsHttp } from "../../../src/providers/http-credentials/http-request.js";
import { HttpTransportError as ImdsTransportError } from "../../../src/providers/http-credentials/http-transport-error.js";
import { closedPortEndpoint, imdsProvider, rejection, rolePath, useEmulators } from "./helpers.js";

const start = useEmulators();
const ROLE = rolePath("env-or-profile-demo-role");

describe("imdsHttp", () => {
  it("aborts a streamed body past 64 KiB with IMDS_TOO_LARGE", async () => {
    const imds = await start();
    imds.fail(ROLE, "huge");
    const error = await rejection(imdsProvider(imds)());
    expect(error).toMatchObject({ code: "IMDS_TOO_LARGE", tryNextLink: false, retryable: false });
  });

  it("refuses a body whose Content-Length is over the cap before reading it", async () => {
    const imds = await start();
    imds.fail(ROLE, { body: "x".repeat(64 * 1024 + 1) });
    expect((await rejection(imdsProvider(imds)())).code).toBe("IMDS_TOO_LARGE");
  });

  it("accepts a body of exactly the cap", async () => {
    const imds = await start();
    imds.fail(ROLE, { body: "y".repeat(64 * 1024) });
    const response = await imdsHttp({ method: "GET", url: `${imds.endpoint}${ROLE}`, timeoutMs: 1_000 });
    expect(response.body.length).toBe(64 * 1024);
  });

  it("classifies a refused connection as unreachable", async () => {
    const endpoint = await closedPortEndpoint();
    const error = await imdsHttp({ method: "GET", url: `${endpoint}/`, timeoutMs: 1_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImdsTransportError);
    expect(error).toMatchObject({ failure: "unreachable", code: "ECONNREFUSED", connected: false });
  });

  it("classifies a hanging request as a timeout on an open connection", async () => {
    const imds = await start();
    imds.fail("*", "hang");
    const error = await imdsHttp({ method: "GET", url: `${imds.endpoint}/`, timeoutMs: 50 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ failure: "timeout", connected: true });
  });

  it("times out the whole exchange, not each chunk, for a slow drip", async () => {
    const imds = await start();
    imds.fail("*", "drip");
    const started = performance.now();
    const error = await imdsHttp({ method: "GET", url: `${imds.endpoint}${ROLE}`, timeoutMs: 150 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ failure: "timeout" });
    expect(performance.now() - started).toBeLessThan(400);
  });

  it("does not follow redirects", async () => {
    const imds = await start();
    imds.fail(ROLE, { status: 302, body: "", headers: { location: `${imds.endpoint}/elsewhere` } });
    const error = await rejection(imdsProvider(imds)());
    expect(error).toMatchObject({ code: "IMDS_HTTP_ERROR", retryable: false });
    expect(error.message).toContain("redirect");
    expect(imds.count("/elsewhere")).toBe(0);
  });

  it("sends no X-Forwarded-For and no proxy headers", async () => {
    const imds = await start();
    await imdsProvider(imds)();
    for (const request of imds.log) {
      expect(request.headers["x-forwarded-for"]).toBeUndefined();
      expect(request.headers["proxy-authorization"]).toBeUndefined();
      expect(request.headers["via"]).toBeUndefined();
    }
  });
});

describe("imdsHttp and proxies", () => {
  const saved = { ...process.env };
  let proxy: http.Server | undefined;
  afterEach(async () => {
    for (const key of ["HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "NO_PROXY", "no_proxy", "NODE_USE_ENV_PROXY"]) {
      if (saved[key] === undefined) Reflect.deleteProperty(process.env, key);
      else process.env[key] = saved[key];
    }
    await new Promise<void>((resolve) => (proxy ? proxy.close(() => resolve()) : resolve()));
    proxy = undefined;
  });

  it("ignores HTTP_PROXY and talks to IMDS directly", async () => {
    let proxied = 0;
    proxy = http.createServer((_req, res) => {
      proxied += 1;
      res.writeHead(502).end();
    });
    await new Promise<void>((resolve) => proxy!.listen(0, "127.0.0.1", resolve));
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    for (const key of ["HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy"]) process.env[key] = proxyUrl;
    process.env["NODE_USE_ENV_PROXY"] = "1";
    const imds = await start();
    expect(await imdsProvider(imds)()).toEqual(imds.current);
    expect(proxied).toBe(0);
    expect(imds.requestCount).toBeGreaterThan(0);
  });

  it("ignores a bogus HTTP_PROXY that nothing listens on", async () => {
    process.env["HTTP_PROXY"] = await closedPortEndpoint();
    process.env["http_proxy"] = "http://bogus.invalid:3128";
    const imds = await start();
    expect(await imdsProvider(imds)()).toEqual(imds.current);
  });
});
