import { readFileSync } from "node:fs";
import { createServer as createHttpServer, type IncomingHttpHeaders } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo, Server } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { httpRequest } from "../../../src/providers/http-credentials/http-request.js";
import { HttpTransportError } from "../../../src/providers/http-credentials/http-transport-error.js";

const fixture = (name: string): string => readFileSync(new URL(`fixtures/${name}`, import.meta.url), "utf8");
/** A self-signed certificate for localhost / 127.0.0.1 / ::1, valid for a century (test only). */
const CERT = fixture("loopback-cert.pem");
const KEY = fixture("loopback-key.pem");

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (server) =>
        new Promise<void>((resolve) => {
          (server as Server & { closeAllConnections?: () => void }).closeAllConnections?.();
          server.close(() => resolve());
        }),
    ),
  );
});

/** An https server on 127.0.0.1 that records what it was sent and answers `body`. */
async function httpsServer(body: string, status = 200) {
  const seen: { method: string | undefined; url: string | undefined; headers: IncomingHttpHeaders }[] = [];
  const server = createHttpsServer({ cert: CERT, key: KEY }, (req, res) => {
    seen.push({ method: req.method, url: req.url, headers: req.headers });
    res.writeHead(status, { "content-type": "application/json" }).end(body);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

describe("httpRequest over https", () => {
  it("GETs an https: URL, trusting the CA it is given", async () => {
    const server = await httpsServer('{"ok":true}');
    const response = await httpRequest({ method: "GET", url: `${server.url}/v1/credentials`, timeoutMs: 2_000, ca: CERT });
    expect(response).toMatchObject({ status: 200, body: '{"ok":true}' });
    expect(server.seen[0]).toMatchObject({ method: "GET", url: "/v1/credentials" });
  });

  it("refuses a server whose certificate it does not trust, as a network failure", async () => {
    const server = await httpsServer("{}");
    const error = await httpRequest({ method: "GET", url: `${server.url}/`, timeoutMs: 2_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpTransportError);
    expect(error).toMatchObject({ failure: "network" });
  });

  it("sends the Authorization header it is given, and no proxy headers", async () => {
    const server = await httpsServer("{}");
    await httpRequest({ method: "GET", url: `${server.url}/creds`, headers: { Authorization: "Bearer abc.def" }, timeoutMs: 2_000, ca: CERT });
    expect(server.seen[0]?.headers["authorization"]).toBe("Bearer abc.def");
    expect(server.seen[0]?.headers["x-forwarded-for"]).toBeUndefined();
    expect(server.seen[0]?.headers["via"]).toBeUndefined();
  });

  it("caps an https body while streaming", async () => {
    const server = await httpsServer("z".repeat(5_000));
    const error = await httpRequest({ method: "GET", url: `${server.url}/`, timeoutMs: 2_000, ca: CERT, maxBytes: 1_000 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ failure: "too-large" });
  });
});

describe("httpRequest over http", () => {
  it("returns a redirect as is, without following it", async () => {
    let hits = 0;
    const server = createHttpServer((req, res) => {
      hits += 1;
      res.writeHead(307, { location: "/elsewhere" }).end();
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/creds`;
    const response = await httpRequest({ method: "GET", url, timeoutMs: 1_000 });
    expect(response.status).toBe(307);
    expect(hits).toBe(1);
  });

  it("rejects a header value carrying CR/LF before sending anything", async () => {
    const error = await httpRequest({ method: "GET", url: "http://127.0.0.1:9/", headers: { Authorization: "a\r\nX-Evil: 1" }, timeoutMs: 1_000 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).not.toContain("X-Evil");
  });

  it("POSTs a body exactly as given, with its Content-Length in bytes", async () => {
    const seen: { method: string | undefined; headers: IncomingHttpHeaders; body: string }[] = [];
    const server = createHttpServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        seen.push({ method: req.method, headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
        res.writeHead(201, { "content-type": "application/json" }).end('{"created":true}');
      });
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sessions?a=1`;
    const body = '{"durationSeconds":3600,"roleSessionName":"héllo"}';
    const response = await httpRequest({ method: "POST", url, headers: { "Content-Type": "application/json" }, body, timeoutMs: 1_000 });
    expect(response).toMatchObject({ status: 201, body: '{"created":true}' });
    expect(seen).toEqual([
      {
        method: "POST",
        headers: expect.objectContaining({ "content-type": "application/json", "content-length": String(Buffer.byteLength(body)) }) as unknown,
        body,
      },
    ]);
  });

  it("sends no Content-Length and no body when none is given", async () => {
    const seen: IncomingHttpHeaders[] = [];
    const server = createHttpServer((req, res) => {
      seen.push(req.headers);
      res.end("{}");
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    await httpRequest({ method: "GET", url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, timeoutMs: 1_000 });
    expect(seen[0]?.["content-length"]).toBeUndefined();
    expect(seen[0]?.["transfer-encoding"]).toBeUndefined();
  });

  it("rejects a URL that is neither http: nor https:", async () => {
    await expect(httpRequest({ method: "GET", url: "file:///etc/passwd", timeoutMs: 1_000 })).rejects.toThrow(TypeError);
  });
});
