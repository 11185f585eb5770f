/*
 * Lets the AWS CLI v2 at /usr/bin/aws (2.9, which predates `endpoint_url` and
 * `AWS_ENDPOINT_URL_STS`) send its STS calls to a local server, on loopback only:
 * - an HTTP proxy on 127.0.0.1 (give it as HTTPS_PROXY) that accepts CONNECT only to
 *   `sts.<region>.amazonaws.com:443` / `sts.amazonaws.com:443` and never dials out: it connects
 *   the tunnel to a local TLS server instead;
 * - that TLS server, with a certificate for those names signed by a throwaway CA (give its PEM as
 *   AWS_CA_BUNDLE), forwards each request as it came (Host header included, so SigV4 still
 *   verifies) to `upstream` — our STS emulator or moto — and streams the answer back.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer, request } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { connect, type AddressInfo, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const REGIONS = ["us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1"];
const NAMES = ["sts.amazonaws.com", ...REGIONS.map((region) => `sts.${region}.amazonaws.com`)];

/** A running proxy + TLS terminator. */
export interface AwsEndpointProxy {
  /** `http://127.0.0.1:<port>`: HTTPS_PROXY for the CLI. */
  readonly proxyUrl: string;
  /** Path of the CA certificate: AWS_CA_BUNDLE for the CLI. */
  readonly caBundle: string;
  /** Every CONNECT target asked for, e.g. `sts.us-east-1.amazonaws.com:443`. */
  readonly connects: readonly string[];
  /** Where requests are forwarded; may be changed between runs. */
  upstream: string;
  close(): Promise<void>;
}

/** Generates the certificates (openssl) and starts both servers on 127.0.0.1. */
export async function startAwsEndpointProxy(upstream: string): Promise<AwsEndpointProxy> {
  const dir = mkdtempSync(join(tmpdir(), "eop-tls-"));
  const file = (name: string): string => join(dir, name);
  const openssl = (args: string[]): void => {
    execFileSync("openssl", args, { stdio: "ignore" });
  };
  openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", file("ca.key"), "-out", file("ca.pem"), "-days", "1", "-subj", "/CN=env-or-profile test CA"]);
  openssl(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", file("server.key"), "-out", file("server.csr"), "-subj", `/CN=${NAMES[1] ?? ""}`]);
  writeFileSync(file("ext.cnf"), `subjectAltName=${NAMES.map((name) => `DNS:${name}`).join(",")}\nextendedKeyUsage=serverAuth\n`);
  openssl(["x509", "-req", "-in", file("server.csr"), "-CA", file("ca.pem"), "-CAkey", file("ca.key"), "-CAcreateserial", "-out", file("server.pem"), "-days", "1", "-extfile", file("ext.cnf")]);

  const sockets = new Set<Socket>();
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  };
  const state = { upstream };
  const tls = createHttpsServer({ key: readFileSync(file("server.key")), cert: readFileSync(file("server.pem")) }, (req, res) => {
    const target = new URL(state.upstream);
    const forward = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on("error", () => {
      res.writeHead(502).end();
    });
    req.pipe(forward);
  });
  tls.on("connection", track);
  await new Promise<void>((resolve) => tls.listen(0, "127.0.0.1", resolve));
  const tlsPort = (tls.address() as AddressInfo).port;

  const connects: string[] = [];
  const proxy = createHttpServer((_req, res) => {
    res.writeHead(403).end("only CONNECT to STS is proxied");
  });
  proxy.on("connection", track);
  proxy.on("connect", (req, client: Socket) => {
    const target = req.url ?? "";
    connects.push(target);
    const [host, port] = target.split(":");
    if (host === undefined || !NAMES.includes(host) || port !== "443") {
      client.end("HTTP/1.1 403 Forbidden\r\n\r\n");
      return;
    }
    const local = connect(tlsPort, "127.0.0.1", () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      local.pipe(client);
      client.pipe(local);
    });
    track(local);
    local.on("error", () => client.destroy());
    client.on("error", () => local.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));

  return {
    proxyUrl: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    caBundle: file("ca.pem"),
    connects,
    get upstream() {
      return state.upstream;
    },
    set upstream(value: string) {
      state.upstream = value;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await Promise.all([new Promise((resolve) => tls.close(resolve)), new Promise((resolve) => proxy.close(resolve))]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
